"""Following applications: sent by my organisation, received by my company, my own (job seekers).

The lists and their CSV exports come from app/services/applications.py; the filters are
the form specs forms/applications_*_filters.yaml, read from the query string (GET).
The inbox stays the list of tasks; these pages are the list of applications beside it.
"""
from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from app import permissions
from app.services import applications as service
from app.services.tasks import ServiceError
from app.web.errors import abort_fr, render_error
from app.web.session import current_organisation

bp = Blueprint("applications", __name__)

FILTER_ERRORS = "Les filtres contiennent des erreurs : corrigez les champs signalés pour afficher la liste."


def _page_number():
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


def _filter_args(form):
    """The query string of the current filters (page left out), as url_for arguments."""
    args = {}
    for name in form.spec.field_names:
        values = [value for value in request.args.getlist(name) if value != ""]
        if values:
            args[name] = values if len(values) > 1 else values[0]
    return args


def _list_page(view, template, organisation, fetch, **extra):
    form = service.filter_form(view, current_user, organisation, request.args)
    filters, errors = service.read_filters(form)
    page = _page_number()
    result = None
    if not errors:
        result = fetch(filters, page)
        if page > result.pages and result.total:
            abort_fr(404, "Cette page de la liste n'existe pas : la liste est plus courte.")
    args = _filter_args(form)

    def page_url(number):
        return url_for(request.endpoint, **args, **({"page": number} if number > 1 else {}))

    body = render_template(template, organisation=organisation, form=form, errors=errors, filters=filters,
                           result=result, page_url=page_url, filter_args=args,
                           clear_url=url_for(request.endpoint), **extra)
    return body, 422 if errors else 200


def _csv(export):
    response = Response(export.content, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    # Personal data: no cache keeps a copy.
    response.headers["Cache-Control"] = "no-store"
    return response


def _filters_or_422(view, organisation):
    form = service.filter_form(view, current_user, organisation, request.args)
    filters, errors = service.read_filters(form)
    if errors:
        details = " ".join(f"{form.spec.field(name).label} : {' '.join(messages)}"
                           for name, messages in errors.items() if name in form.spec.field_names)
        abort_fr(422, f"{FILTER_ERRORS} {details}".strip())
    return filters


# -- sent ---------------------------------------------------------------------------------------

@bp.route("/candidatures/envoyees")
@login_required
def sent():
    organisation = current_organisation()
    if not permissions.can_list_sent(current_user, organisation):
        if current_user.kind == "job_seeker":
            return redirect(url_for("applications.mine"))
        return render_error(403, service.NOT_A_SENDER)
    month_form = service.month_form(MultiDict())
    return _list_page("sent", "applications/sent.html", organisation,
                      lambda filters, page: service.sent_by(current_user, organisation, filters, page),
                      month_form=month_form,
                      shows_private_comment=organisation.category == "prescriber")


@bp.route("/candidatures/envoyees.csv")
@login_required
def sent_csv():
    organisation = current_organisation()
    if not permissions.can_list_sent(current_user, organisation):
        return render_error(403, service.NOT_A_SENDER)
    try:
        if "mois" in request.args:
            form = service.month_form(request.args)
            if not form.validate():
                return render_error(422, f"Synthèse mensuelle : {' '.join(form['mois'].errors)} "
                                         f"{service.BAD_MONTH}")
            export = service.monthly_synthesis_csv(current_user, organisation, form["mois"].data)
        else:
            export = service.export_sent(current_user, organisation, _filters_or_422("sent", organisation))
    except ServiceError as exc:
        return render_error(exc.status, exc.message)
    return _csv(export)


# -- received -----------------------------------------------------------------------------------

@bp.route("/candidatures/recues")
@login_required
def received():
    company = current_organisation()
    if not permissions.can_list_received(current_user, company):
        if current_user.kind == "job_seeker":
            return redirect(url_for("applications.mine"))
        return render_error(403, service.NOT_A_COMPANY)
    return _list_page("received", "applications/received.html", company,
                      lambda filters, page: service.received_by(current_user, company, filters, page),
                      history_years=service.COMPANY_HISTORY_YEARS)


@bp.route("/candidatures/recues.csv")
@login_required
def received_csv():
    company = current_organisation()
    if not permissions.can_list_received(current_user, company):
        return render_error(403, service.NOT_A_COMPANY)
    try:
        export = service.export_received(current_user, company, _filters_or_422("received", company))
    except ServiceError as exc:
        return render_error(exc.status, exc.message)
    return _csv(export)


# -- mine ---------------------------------------------------------------------------------------

@bp.route("/mes-candidatures")
@login_required
def mine():
    return _list_page("mine", "applications/mine.html", None,
                      lambda filters, page: service.of_job_seeker(current_user, filters, page))

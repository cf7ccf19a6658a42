"""Prolongations of a PASS IAE (DOMAIN §9): the employer's declaration and the prescribers' list.

/pass/<id>/prolonger          "Prolonger le PASS IAE": reason, end date, explanation; for the
                              reasons an authorized prescriber decides, their email, then (second
                              step, same URL) their organisation, a phone contact and a report
/prolongations/demandes       the requests addressed to the prescriber organisation acted for
/prolongations/bilan/<id>     the report attached to a request

The decision itself is the task "Décider de la demande de prolongation" on the usual task
page (/taches/<id>) of bpmn/prolongation.bpmn.
"""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import CombinedMultiDict

from app import formspec
from app.domain.approvals import format_pass_number
from app.domain.approvals import prolongations as prolongation_rules
from app.services import prolongations as service
from app.services.tasks import ServiceError
from app.web.approvals import pass_page_url, posted_pass_version
from app.web.errors import render_error
from app.web.session import current_organisation
from app.web.layout import pdf_response

bp = Blueprint("prolongations", __name__)

FIRST_STEP_FIELDS = ("reason", "end_on", "explanation", "prescriber_email")


@bp.app_template_global()
def prolongation_panel(approval, organisation=None):
    """For app/templates/approvals/_prolongation_actions.html (the PASS page)."""
    return service.panel(approval, current_user, organisation)


@bp.app_template_global()
def prolongation_request_of(case):
    """The request of a prolongation case (its phone contact and report), for the task and case pages."""
    return service.request_of_case(case)


def _render_first(page, form, spec, form_errors=(), status=200, version=None):
    return render_template("prolongations/declare.html", page=page, form=form, spec=spec,
                           form_errors=list(form_errors), lock_version=version or page.approval.lock_version,
                           pass_url=pass_page_url(page.approval.id),
                           pass_end_display=prolongation_rules.fr_date(page.pass_view.end)), status


def _render_second(page, first, form, spec, prescriber, form_errors=(), status=200, version=None):
    return render_template("prolongations/prescriber.html", page=page, first=first, form=form, spec=spec,
                           prescriber=prescriber, form_errors=list(form_errors),
                           lock_version=version or page.approval.lock_version,
                           reason_label=prolongation_rules.PROLONGATION_REASONS.get(first.get("reason"), ""),
                           pass_url=pass_page_url(page.approval.id)), status


def _refused(exc):
    back = pass_page_url(request.view_args["approval_id"])
    return render_error(exc.status, exc.message, links=[("Revenir au PASS IAE", back)] if back else None)


@bp.route(f"/pass/<int(max={service.MAX_ID}):approval_id>/prolonger", methods=["GET", "POST"])
@login_required
def declare(approval_id):
    organisation = current_organisation()
    try:
        page = service.declare_page(current_user, organisation, approval_id)
    except ServiceError as exc:
        return render_error(exc.status, exc.message)
    if request.method == "GET":
        spec, form = service.declare_form(page)
        return _render_first(page, form, spec)

    if page.blocker:
        # Suspended, expired, a request already waiting: the PASS changed since the page was shown.
        return _refused(ServiceError(page.blocker, 409))
    version = posted_pass_version()
    spec, form = service.declare_form(page, formdata=request.form)
    first, errors = formspec.form_result(form)
    if errors:
        if "reason" in errors:
            why = service.reason_error(page, request.form.get("reason"))
            if why:
                form["reason"].errors = [why]
        return _render_first(page, form, spec, status=422, version=version)
    try:
        page, prescriber, organisations = service.check_first_step(current_user, organisation, approval_id, first)
    except ServiceError as exc:
        if exc.status != 422:
            return _refused(exc)
        others = formspec.place_field_errors(form, exc.field_errors)
        return _render_first(page, form, spec, others, status=422, version=version)

    if prescriber is None:
        return _finish(page, first, version, form, spec)
    second_step = request.form.get("step") == "2"
    formdata = CombinedMultiDict((request.files, request.form)) if request.files else request.form
    spec2, form2 = service.prescriber_form(organisations, formdata=formdata if second_step else None)
    if not second_step:
        # Second step: the person is known, choose their organisation (works without JavaScript).
        if len(organisations) == 1:
            form2["prescriber_organisation_id"].data = str(organisations[0].id)
        return _render_second(page, first, form2, spec2, prescriber, version=version)
    details, errors = formspec.form_result(form2)
    if errors:
        return _render_second(page, first, form2, spec2, prescriber, status=422, version=version)
    report = formspec.uploaded_files(form2).get("report")
    try:
        case = service.declare(current_user, organisation, approval_id, first, version, prescriber=details,
                               report=report)
    except ServiceError as exc:
        if exc.status != 422:
            return _refused(exc)
        if set(exc.field_errors) & set(spec2.field_names):
            others = formspec.place_field_errors(form2, exc.field_errors)
            return _render_second(page, first, form2, spec2, prescriber, others, status=422, version=version)
        others = formspec.place_field_errors(form, exc.field_errors)
        return _render_first(page, form, spec, others, status=422, version=version)
    flash(f"Votre demande de prolongation est envoyée à {case.summary.get('prescriber_organisation_name')} : "
          "sa décision vous sera notifiée.", "success")
    return redirect(pass_page_url(approval_id) or url_for("cases.show", case_id=case.id))


def _finish(page, first, version, form, spec):
    try:
        case = service.declare(current_user, page.company, page.approval.id, first, version)
    except ServiceError as exc:
        if exc.status != 422:
            return _refused(exc)
        others = formspec.place_field_errors(form, exc.field_errors)
        return _render_first(page, form, spec, others, status=422, version=version)
    flash(f"Le PASS IAE est prolongé jusqu'au {case.summary.get('end_display') or ''}.", "success")
    return redirect(pass_page_url(page.approval.id) or url_for("cases.show", case_id=case.id))


@bp.route("/prolongations/demandes")
@login_required
def requests():
    organisation = current_organisation()
    form = service.filter_form(request.args)
    status = request.args.get("status") or None
    errors = {}
    if not form.validate():
        errors = form.errors
        status = None
    try:
        rows = service.requests_for(current_user, organisation, status)
    except ServiceError as exc:
        return render_error(exc.status, exc.message)
    items = [(row, service.open_task_of(row)) for row in rows]
    return render_template("prolongations/requests.html", organisation=organisation, form=form, items=items,
                           errors=errors, states=prolongation_rules.PROLONGATION_REQUEST_STATES,
                           reasons=prolongation_rules.PROLONGATION_REASONS, pass_number=format_pass_number,
                           deny_reasons=prolongation_rules.DENY_REASONS), 422 if errors else 200


@bp.route(f"/prolongations/bilan/<int(max={service.MAX_ID}):document_id>")
@login_required
def report(document_id):
    try:
        document = service.get_report(document_id, current_user)
    except ServiceError as exc:
        return render_error(exc.status, exc.message)
    return pdf_response(document)

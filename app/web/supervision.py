"""Supervisors' pages: the dashboard of a process (/pilotage) and the case list (/dossiers).

Who sees what is app.permissions.supervision_scope: support the platform, an institution
its département, an organisation's admins their organisation; anybody else gets 403.
Filters are GET forms (bookmarkable, no CSRF) described by form specs in forms/ and
validated by app.formspec; they are drawn by supervision/_get_form.html because
render_spec_form draws POST forms only.
"""
import csv
import io
import json
from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from app import formspec, permissions
from app.extensions import db
from app.models.audit import record
from app.models.base import utcnow
from app.services import case_search, supervision
from app.services.tasks import ServiceError
from app.web.errors import render_error
from app.web.filters import PARIS
from app.web.session import current_organisation

bp = Blueprint("supervision", __name__)

NO_DASHBOARD = ("Les tableaux de bord sont réservés aux administrateurs d'une structure, aux services de l'État "
                "(DDETS, DREETS) et au support.")
DEFAULT_PROCESS = "application"
DASHBOARD_SPEC = "supervision_filters"
CASE_FILTERS_SPEC = "case_filters"
SAVED_FILTER_SPEC = "saved_filter"
PERIOD_ORDER = "La date de fin doit être égale ou postérieure à la date de début."


def current_scope():
    return permissions.supervision_scope(current_user, current_organisation())


@bp.app_template_global("can_supervise")
def can_supervise():
    """For the navigation: does the signed-in user have dashboards (base.html)."""
    return current_user.is_authenticated and current_scope() is not None


def spec(key):
    return formspec.load_spec(key, current_app.config["FORMS_DIR"])


def shown_fields(scope, fields):
    """The filter fields that mean something for this scope."""
    hidden = set()
    if scope.kind == "organisation":
        hidden |= {"department", "organisation", "company_kind"}
    if scope.kind == "department":
        hidden.add("department")
    return [name for name in fields if name not in hidden]




def _int(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


# -- dashboard ----------------------------------------------------------------------------

def dashboard_filters(scope, args):
    """(form, Filters or None, errors) from query arguments; the last 12 months by default."""
    if not args:
        today = utcnow().astimezone(PARIS).date()
        args = MultiDict({"date_from": (today - timedelta(days=364)).isoformat(), "date_to": today.isoformat()})
    form = formspec.build_form(spec(DASHBOARD_SPEC), supervision.filter_context(scope, args.get("department")),
                               formdata=args, csrf=False)
    data, errors = formspec.form_result(form)
    start, end = form["date_from"].data, form["date_to"].data
    if start and end and end < start:
        errors["date_to"] = form["date_to"].errors = [PERIOD_ORDER]
    if errors:
        return form, None, errors
    from datetime import date
    filters = supervision.Filters(
        date_from=date.fromisoformat(data["date_from"]) if data.get("date_from") else None,
        date_to=date.fromisoformat(data["date_to"]) if data.get("date_to") else None,
        department=data.get("department") if scope.kind == "platform" else None,
        organisation_id=_int(data.get("organisation")) if scope.kind != "organisation" else None,
        company_kind=data.get("company_kind") if scope.kind != "organisation" else None)
    return form, filters, {}


@bp.route("/pilotage")
@login_required
def index():
    if current_scope() is None:
        return render_error(403, NO_DASHBOARD)
    names = supervision.processes()
    if not names:
        return render_error(404, "Aucun processus n'est publié.")
    return redirect(url_for("supervision.dashboard", process_key=DEFAULT_PROCESS if DEFAULT_PROCESS in names
                            else next(iter(names))))


@bp.route("/pilotage/<process_key>")
@login_required
def dashboard(process_key):
    scope = current_scope()
    if scope is None:
        return render_error(403, NO_DASHBOARD)
    names = supervision.processes()
    if process_key not in names:
        return render_error(404, "Ce processus n'existe pas.")
    form, filters, errors = dashboard_filters(scope, request.args)
    tables = supervision.dashboard(process_key, scope, filters) if filters is not None else {}
    waiting = tables.get("waiting")
    return render_template(
        "supervision/dashboard.html", process_key=process_key, process_name=names[process_key], processes=names,
        scope=scope, scope_label=scope_label(scope), form=form, fields=shown_fields(scope, form.spec.field_names),
        errors=errors, tables=tables,
        query={k: v for k, v in request.args.items() if k in form.spec.field_names and v},
        charts={key: chart_json(table) for key, table in tables.items() if table.chart},
        heatmap=json.dumps([{k: row[k] for k in ("element", "task", "waiting", "median_days", "slowest")}
                            for row in waiting.rows]) if waiting else "[]",
    ), (422 if errors else 200)


def scope_label(scope):
    if scope.kind == "platform":
        return "toute la plateforme"
    if scope.kind == "department":
        return f"le département {scope.department}"
    organisation = current_organisation()
    return organisation.display_name if organisation else "votre structure"


def chart_json(table):
    """What assets/js/dashboard.js draws: labels, series (label and values), chart type."""
    labels = [str(row.get(table.chart["labels"], "")) for row in table.rows]
    columns = dict(table.columns)
    series = [{"label": columns[key], "data": [row.get(key) for row in table.rows]}
              for key in table.chart["series"]]
    return json.dumps({"type": table.chart["type"], "labels": labels, "series": series}, ensure_ascii=False)


@bp.route("/pilotage/<process_key>/export/<table_key>.csv")
@login_required
def export(process_key, table_key):
    scope = current_scope()
    if scope is None:
        return render_error(403, NO_DASHBOARD)
    if process_key not in supervision.processes() or table_key not in supervision.TABLES:
        return render_error(404, "Ce tableau n'existe pas.")
    _form, filters, errors = dashboard_filters(scope, request.args)
    if errors:
        return render_error(422, "Les filtres de l'export sont invalides : corrigez-les sur le tableau de bord.")
    table = supervision.table(process_key, table_key, scope, filters)
    # Exports are logged with their author (DOMAIN §13).
    record("supervision_export", actor=current_user, organisation=current_organisation(),
           summary=f"Export CSV « {table.title} » ({process_key})",
           data={"process": process_key, "table": table_key, "filters": filters.as_dict(), "rows": len(table.rows),
                 "scope": scope.kind})
    db.session.commit()
    filename = f"pilotage-{process_key}-{table_key}.csv"
    return Response(csv_text(table), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def csv_text(table):
    """UTF-8 with a BOM and ';' separators, decimal commas: what French spreadsheets open as is."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([label for _key, label in table.columns])
    for row in table.rows:
        writer.writerow([_csv_value(row.get(key)) for key, _label in table.columns])
    return "\ufeff" + out.getvalue()


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return value


@bp.route("/pilotage/<process_key>/diagramme.bpmn")
@login_required
def diagram(process_key):
    if current_scope() is None:
        return render_error(403, NO_DASHBOARD)
    xml = supervision.latest_xml(process_key)
    if xml is None:
        return render_error(404, "Ce processus n'existe pas.")
    response = Response(xml, mimetype="application/xml")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


# -- case list ---------------------------------------------------------------------------------

def case_query(scope, args):
    """(form, CaseQuery or None, errors) from query arguments."""
    context = supervision.case_filter_context(scope, args.get("department"), args.get("process_key"))
    form = formspec.build_form(spec(CASE_FILTERS_SPEC), context, formdata=args, csrf=False)
    data, errors = formspec.form_result(form)
    if errors:
        return form, None, errors
    query = case_search.CaseQuery(
        q=data.get("q") or "", process=data.get("process_key"), stage=data.get("stage"),
        status=data.get("status"), department=data.get("department") if scope.kind == "platform" else None,
        organisation_id=_int(data.get("organisation")) if scope.kind != "organisation" else None,
        waiting_days=_int(data.get("waiting_days")), overdue=bool(data.get("overdue")))
    return form, query, {}


def case_list_fields(scope, names):
    hidden = set()
    if scope.kind == "organisation":
        hidden |= {"department", "organisation"}
    if scope.kind == "department":
        hidden.add("department")
    return [name for name in names if name not in hidden]


@bp.route("/dossiers")
@login_required
def case_list():
    scope = current_scope()
    if scope is None:
        return render_error(403, NO_DASHBOARD)
    saved_id = request.args.get("filtre")
    if saved_id:
        try:
            saved = case_search.get_saved_filter(current_user, _int(saved_id))
        except ServiceError as exc:
            return render_error(exc.status, exc.message)
        return redirect(url_for("supervision.case_list", **saved.params))
    try:
        page = max(1, min(int(request.args.get("page", 1)), 10_000))
    except ValueError:
        page = 1
    form, query, errors = case_query(scope, request.args)
    result, status = None, 200
    if query is not None:
        try:
            result = case_search.search(scope, query, page)
        except ServiceError as exc:
            errors = exc.field_errors or {"q": [exc.message]}
            formspec.place_field_errors(form, errors)
            status = exc.status
    else:
        status = 422
    save_form = formspec.build_form(spec(SAVED_FILTER_SPEC), {})
    query_args = {k: v for k, v in request.args.items() if k in form.spec.field_names and v}

    def page_url(number):
        return url_for("supervision.case_list", **query_args, **({"page": number} if number > 1 else {}))

    return render_template(
        "supervision/cases.html", scope=scope, scope_label=scope_label(scope), form=form,
        fields=case_list_fields(scope, form.spec.field_names), errors=errors, result=result,
        query_args=query_args, page_url=page_url,
        saved=case_search.saved_filters(current_user), save_form=save_form,
        pages=max(1, -(-result.total // case_search.PAGE_SIZE)) if result else 1,
    ), status


@bp.route("/dossiers/filtres", methods=["POST"])
@login_required
def save_filter():
    scope = current_scope()
    if scope is None:
        return render_error(403, NO_DASHBOARD)
    form, _query, errors = case_query(scope, request.args)
    name_form = formspec.build_form(spec(SAVED_FILTER_SPEC), {})
    data, name_errors = formspec.form_result(name_form)
    params = {k: v for k, v in request.args.items() if k in form.spec.field_names and v}
    try:
        if errors:
            raise ServiceError("Les critères à enregistrer contiennent des erreurs.", 422)
        if name_errors:
            raise ServiceError("Donnez un nom à ce filtre.", 422, name_errors)
        case_search.save_filter(current_user, data.get("name"), params)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("supervision.case_list", **params))
    flash(f"Filtre « {data['name']} » enregistré : retrouvez-le au-dessus de la liste.", "success")
    return redirect(url_for("supervision.case_list", **params))


@bp.route("/dossiers/filtres/<int:filter_id>/supprimer", methods=["POST"])
@login_required
def delete_filter(filter_id):
    try:
        row = case_search.delete_filter(current_user, filter_id)
    except ServiceError as exc:
        return render_error(exc.status, exc.message)
    flash(f"Filtre « {row.name} » supprimé.", "success")
    return redirect(url_for("supervision.case_list"))

"""/api/v1 for supervisors and support, on the API's blueprint (app/api/views.py).

GET  /cases/search                 the case list: filters and search (forms/case_filters.yaml)
GET  /dashboard/{process_key}      every table of a process's dashboard (forms/supervision_filters.yaml)
POST /tasks/{task_id}/reassign     support: give an open task to someone
POST /cases/{case_id}/retry        support: run the failed automatic step again
POST /cases/{case_id}/suspend      support: suspend a running case
POST /cases/{case_id}/resume       support: resume a suspended case
POST /cases/{case_id}/cancel       support: cancel a case

Reading is for supervisors (app.permissions.supervision_scope, for the token's organisation)
and support; the actions for support only. Each action takes {"reason": "...", "lock_version": N}:
lock_version is the case's version as last read (GET /cases/{id}); when given and the case
changed since, the answer is 409 and nothing changed. Same services as the HTML pages.
"""
from datetime import date

from flask import current_app, g, jsonify, request, url_for
from werkzeug.datastructures import MultiDict

from app import formspec, permissions
from app.api import serialize
from app.api.errors import ApiError
from app.api.views import (
    MAX_ID,
    MAX_PAGE,
    as_id,
    bp,
    check_fields,
    json_object,
    query_int,
)
from app.extensions import db
from app.services import case_search, supervision, support
from app.services.tasks import ServiceError

NOT_A_SUPERVISOR = ("Réservé aux superviseurs (administrateurs d'une structure, services de l'État) et au "
                    "support de la plateforme.")
ACTION_FIELDS = ("reason", "lock_version")
EXPECTED_TEXT = "Indiquez un texte."
EXPECTED_VERSION = "Indiquez la version du dossier lue (entier positif)."


def _scope():
    scope = permissions.supervision_scope(g.api_user, g.api_org)
    if scope is None:
        raise ApiError(403, NOT_A_SUPERVISOR)
    return scope


def _query_form(spec_key, context, allowed):
    """Validate the query string with a filter spec; unknown parameters are refused."""
    args = MultiDict([(k, v) for k, v in request.args.items(multi=True) if k != "page"])
    unknown = {k: ["Paramètre inconnu."] for k in args if k not in allowed}
    spec = formspec.load_spec(spec_key, current_app.config["FORMS_DIR"])
    form = formspec.build_form(spec, context, formdata=args, csrf=False)
    data, errors = formspec.form_result(form)
    errors.update(unknown)
    if errors:
        raise ApiError(422, "Les critères contiennent des erreurs : corrigez les paramètres signalés.", errors)
    return data


def _int(value):
    return int(value) if value not in (None, "") else None


# -- reading -------------------------------------------------------------------------------

@bp.get("/cases/search")
def search_cases():
    scope = _scope()
    page = query_int("page", 1, 1, MAX_PAGE)
    allowed = ("q", "process_key", "stage", "status", "waiting_days", "overdue")
    if scope.kind != "organisation":
        allowed += ("organisation",)
    if scope.kind == "platform":
        allowed += ("department",)
    data = _query_form("case_filters", supervision.case_filter_context(scope, request.args.get("department"),
                                                                   request.args.get("process_key")), allowed)
    query = case_search.CaseQuery(
        q=data.get("q") or "", process=data.get("process_key"), stage=data.get("stage"), status=data.get("status"),
        department=data.get("department"), organisation_id=_int(data.get("organisation")),
        waiting_days=_int(data.get("waiting_days")), overdue=bool(data.get("overdue")))
    result = case_search.search(scope, query, page)
    return jsonify({
        "items": [_case_row(row) for row in result.items],
        "total": result.total,
        "total_capped": result.capped,
        "page": page,
        "page_size": case_search.PAGE_SIZE,
        "interpreted_as": result.interpreted_as or None,
        "notice": result.notice or None,
    })


def _case_row(row):
    return {
        "id": row["id"], "reference": row["reference"], "process": row["case"].process_key,
        "process_name": row["process"], "title": row["title"] or None,
        "stage": row["case"].stage, "stage_label": row["stage"], "status": row["case"].status,
        "employer": row["employer"] or None, "created_at": serialize.iso(row["created_at"]),
        "waiting_since": serialize.iso(row["waiting_since"]), "overdue": row["overdue"],
        "lock_version": row["case"].lock_version,
        "links": {"self": url_for("api.get_case", case_id=row["id"])},
    }


@bp.get("/dashboard/<process_key>")
def dashboard(process_key):
    scope = _scope()
    if process_key not in supervision.processes():
        raise ApiError(404, "Ce processus n'existe pas.")
    allowed = ("date_from", "date_to")
    if scope.kind != "organisation":
        allowed += ("organisation", "company_kind")
    if scope.kind == "platform":
        allowed += ("department",)
    data = _query_form("supervision_filters", supervision.filter_context(scope, request.args.get("department")), allowed)
    if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
        raise ApiError(422, "La période est invalide.",
                       {"date_to": ["La date de fin doit être égale ou postérieure à la date de début."]})
    filters = supervision.Filters(
        date_from=date.fromisoformat(data["date_from"]) if data.get("date_from") else None,
        date_to=date.fromisoformat(data["date_to"]) if data.get("date_to") else None,
        department=data.get("department"), organisation_id=_int(data.get("organisation")),
        company_kind=data.get("company_kind"))
    tables = supervision.dashboard(process_key, scope, filters)
    return jsonify({
        "process": process_key,
        "scope": {"kind": scope.kind, "organisation_id": scope.organisation_id, "department": scope.department},
        "filters": filters.as_dict(),
        "tables": [_table_json(table) for table in tables.values()],
    })


def _table_json(table):
    body = table.as_dict()
    columns = [c["key"] for c in body["columns"]]
    # Rows carry exactly the documented columns (the page's extras stay on the page).
    body["rows"] = [{key: row.get(key) for key in columns} for row in table.rows]
    if not table.available:
        body["message"] = table.empty_message
    return body


# -- support actions ---------------------------------------------------------------------------

def _action_payload(extra=()):
    payload = json_object()
    fields = check_fields(payload, (*ACTION_FIELDS, *extra))
    reason = payload.get("reason")
    if reason is not None and not isinstance(reason, str):
        fields["reason"] = [EXPECTED_TEXT]
    version = payload.get("lock_version")
    if version is not None and as_id(version) is None:
        fields["lock_version"] = [EXPECTED_VERSION]
    return payload, fields


def _case_action(case_id, service):
    support.require_support(g.api_user)
    payload, fields = _action_payload()
    if fields:
        raise ApiError(422, "La demande contient des erreurs : corrigez les champs signalés.", fields)
    try:
        outcome = service(case_id, g.api_user, payload.get("reason"), expected_version=payload.get("lock_version"))
    except ServiceError:
        db.session.rollback()
        raise
    return jsonify({"case": _case_state(outcome.case), "message": outcome.message, "ok": outcome.ok})


def _case_state(case):
    body = serialize.case_summary(case)
    body["lock_version"] = case.lock_version
    body["last_error"] = case.last_error or None
    return body


@bp.post(f"/cases/<int(max={MAX_ID}):case_id>/retry")
def retry_case(case_id):
    return _case_action(case_id, support.retry)


@bp.post(f"/cases/<int(max={MAX_ID}):case_id>/suspend")
def suspend_case(case_id):
    return _case_action(case_id, support.suspend)


@bp.post(f"/cases/<int(max={MAX_ID}):case_id>/resume")
def resume_case(case_id):
    return _case_action(case_id, support.resume)


@bp.post(f"/cases/<int(max={MAX_ID}):case_id>/cancel")
def cancel_case(case_id):
    return _case_action(case_id, support.cancel)


@bp.post(f"/tasks/<int(max={MAX_ID}):task_id>/reassign")
def reassign_task(task_id):
    support.require_support(g.api_user)
    payload, fields = _action_payload(("assignee_id", "email", "override"))
    assignee_id, email, override = payload.get("assignee_id"), payload.get("email"), payload.get("override", False)
    if assignee_id is not None and as_id(assignee_id) is None:
        fields["assignee_id"] = ["Indiquez l'identifiant d'un utilisateur (entier positif)."]
    if email is not None and not isinstance(email, str):
        fields["email"] = [EXPECTED_TEXT]
    if not isinstance(override, bool):
        fields["override"] = ["Indiquez true ou false."]
    if fields:
        raise ApiError(422, "La demande contient des erreurs : corrigez les champs signalés.", fields)
    try:
        outcome = support.reassign(task_id, g.api_user, payload.get("reason"), assignee_id=assignee_id,
                                   email=email, override=override, expected_version=payload.get("lock_version"))
    except ServiceError as exc:
        db.session.rollback()
        if "outside_email" in exc.field_errors:
            exc.field_errors = {"email": exc.field_errors["outside_email"]}
        raise
    from app.models import Task
    task = db.session.get(Task, task_id)
    return jsonify({"task": serialize.task_summary(task), "case": _case_state(outcome.case),
                    "message": outcome.message, "ok": True})

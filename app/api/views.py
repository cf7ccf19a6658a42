"""The /api/v1 endpoints. Each one calls the service layer exactly as the HTML views do.

Authentication is a bearer token (app/api/auth.py); every answer is JSON, errors
included (app/api/errors.py). The OpenAPI document (app/api/openapi.py) describes
each route here; tests/web/test_api.py fails when one is left undocumented.
"""
import json

from flask import Blueprint, g, jsonify, request, url_for

from app.api import auth, serialize
from app.api.errors import NOT_A_JSON_OBJECT, ApiError, register_blueprint_handlers
from app.engine import runtime
from app.extensions import db
from app.models import Case, User
from app.services import cases as case_service
from app.services import inbox
from app.services import tasks as task_service
from app.services.tasks import ServiceError

bp = Blueprint("api", __name__, url_prefix="/api/v1")
register_blueprint_handlers(bp)  # once, at import: a blueprint cannot change after registration

# Endpoints reachable without a token.
PUBLIC_ENDPOINTS = {"api.create_token", "api.openapi"}
# Ids are 32-bit integers in the database: a bigger one names nothing (and must not reach PostgreSQL).
MAX_ID = 2**31 - 1
MAX_PAGE = 100_000
SCOPES = ("mine", "organisation", "unassigned")
REQUIRED = "Ce champ est obligatoire."
EXPECTED_TEXT = "Indiquez un texte."
EXPECTED_ID = "Indiquez un identifiant numérique (entier positif)."
UNKNOWN_FIELD = "Ce champ n'est pas attendu."


@bp.before_request
def _authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS or request.method == "OPTIONS":
        return None
    auth.load_bearer()
    return None


@bp.after_request
def _no_store(response):
    # Answers carry personal data and tokens: no shared or browser cache keeps them.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


# -- request helpers ---------------------------------------------------------------

def json_object():
    """The request body as a dict, or ApiError 400 (malformed, empty, not an object, NaN…)."""
    raw = request.get_data(cache=True)
    try:
        payload = json.loads(raw, parse_constant=_refuse_constant) if raw.strip() else None
    except (ValueError, RecursionError, UnicodeDecodeError):
        payload = None
    if not isinstance(payload, dict):
        raise ApiError(400, NOT_A_JSON_OBJECT)
    return payload


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


def check_fields(payload, allowed):
    unknown = {key: [UNKNOWN_FIELD] for key in payload if key not in allowed}
    return unknown


def as_id(value):
    """A positive integer id from JSON (not a boolean, not a float, within the database's range)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        return None
    return value


def query_int(name, default, low, high):
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ApiError(400, "Paramètre de requête invalide.",
                       {name: [f"Indiquez un entier entre {low} et {high}."]})
    return value


def query_flag(name):
    raw = (request.args.get(name) or "").strip().lower()
    if raw in ("", "0", "false", "non", "no"):
        return False
    if raw in ("1", "true", "oui", "yes"):
        return True
    raise ApiError(400, "Paramètre de requête invalide.", {name: ["Indiquez 1 ou 0."]})


def current_org_id():
    return g.api_org.id if g.api_org is not None else None


# -- tokens ------------------------------------------------------------------------

@bp.post("/tokens")
def create_token():
    payload = json_object()
    fields = check_fields(payload, ("email", "password", "organisation_id"))
    email, password = payload.get("email"), payload.get("password")
    for name, value in (("email", email), ("password", password)):
        if value is None or value == "":
            fields[name] = [REQUIRED]
        elif not isinstance(value, str):
            fields[name] = [EXPECTED_TEXT]
    organisation_id = payload.get("organisation_id")
    if organisation_id is not None and as_id(organisation_id) is None:
        fields["organisation_id"] = [EXPECTED_ID]
    if fields:
        raise ApiError(422, "La demande de jeton est incomplète ou invalide.", fields)
    user = auth.authenticate(email, password)
    token, row, organisation = auth.issue_token(user, organisation_id)
    return jsonify({
        "token": token,
        "token_type": "Bearer",
        "expires_at": serialize.iso(row.expires_at),
        "user": serialize.user_json(user),
        "organisation": serialize.organisation_json(organisation),
    }), 201


@bp.delete("/tokens/current")
def revoke_token():
    auth.revoke(g.api_token)
    return "", 204


# -- tasks ---------------------------------------------------------------------------

@bp.get("/tasks")
def list_tasks():
    actor = g.api_user
    scope = request.args.get("scope") or "organisation"
    if scope not in SCOPES:
        raise ApiError(400, "Paramètre de requête invalide.",
                       {"scope": ["Choisissez mine, organisation ou unassigned."]})
    page = query_int("page", 1, 1, MAX_PAGE)
    overdue = query_flag("overdue")
    org_id = current_org_id()
    items, total = inbox.tasks(actor, org_id, scope=scope, process=request.args.get("process") or None,
                               stage=request.args.get("stage") or None, overdue=overdue, page=page)
    loaded = _preload(items)  # noqa: F841  (held: the identity map only keeps weak references)
    return jsonify({
        "items": [serialize.task_summary(task) for task in items],
        "total": total,
        "page": page,
        "page_size": inbox.PAGE_SIZE,
        "counts": inbox.counts(actor, org_id),
    })


def _preload(tasks):
    """Load the page's cases and assignees in two queries: task.case and task.assignee then come
    from the session's identity map instead of one query per task. The caller keeps the result
    until it has serialized the page."""
    case_ids = {task.case_id for task in tasks}
    user_ids = {task.assignee_id for task in tasks if task.assignee_id is not None}
    cases = Case.query.filter(Case.id.in_(case_ids)).all() if case_ids else []
    users = User.query.filter(User.id.in_(user_ids)).all() if user_ids else []
    return cases, users


@bp.get(f"/tasks/<int(max={MAX_ID}):task_id>")
def get_task(task_id):
    task = task_service.get_task(task_id, g.api_user)
    return jsonify(serialize.task_detail(task, g.api_user))


@bp.post(f"/tasks/<int(max={MAX_ID}):task_id>/claim")
def claim_task(task_id):
    task = task_service.claim(task_id, g.api_user)
    return jsonify(serialize.task_detail(task, g.api_user))


@bp.post(f"/tasks/<int(max={MAX_ID}):task_id>/unclaim")
def unclaim_task(task_id):
    task = task_service.unclaim(task_id, g.api_user)
    return jsonify(serialize.task_detail(task, g.api_user))


@bp.post(f"/tasks/<int(max={MAX_ID}):task_id>/complete")
def complete_task(task_id):
    actor = g.api_user
    # The task's existence and the actor's rights come first: a 404/403 says more than a 400.
    task_service.get_task(task_id, actor, for_action=True)
    payload = json_object()
    completion = task_service.complete(task_id, actor, json_data=payload)
    next_task = completion.next_task
    return jsonify({
        "case": serialize.case_summary(completion.case),
        "next_task": serialize.task_summary(next_task) if next_task is not None else None,
    })


# -- cases ---------------------------------------------------------------------------

@bp.post("/cases")
def create_case():
    actor = g.api_user
    payload = json_object()
    fields = check_fields(payload, ("process", "job_seeker_id", "company_id", "message"))
    process = payload.get("process")
    if process is None or process == "":
        fields["process"] = [REQUIRED]
    elif not isinstance(process, str):
        fields["process"] = [EXPECTED_TEXT]
    elif process not in case_service.STARTERS:
        fields["process"] = [f"Processus inconnu ou qui ne se démarre pas par l'API : choisissez parmi "
                             f"{', '.join(sorted(case_service.STARTERS))}."]
    for name in ("job_seeker_id", "company_id"):
        if payload.get(name) is None:
            fields[name] = [REQUIRED]
        elif as_id(payload[name]) is None:
            fields[name] = [EXPECTED_ID]
    message = payload.get("message")
    if message is not None and not isinstance(message, str):
        fields["message"] = [EXPECTED_TEXT]
    if fields:
        raise ApiError(422, "La demande contient des erreurs : corrigez les champs signalés.", fields)
    try:
        case = case_service.start(process, actor, g.api_org, payload)
    except runtime.EngineError as exc:
        # services.cases.start lets engine refusals through (unlike services.tasks): same answer here.
        db.session.rollback()
        raise ServiceError(exc.message, exc.status) from exc
    # The sender is always a party of the case it opens, so may read it.
    response = jsonify(_case_body(case, actor))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_case", case_id=case.id)
    return response


@bp.get(f"/cases/<int(max={MAX_ID}):case_id>")
def get_case(case_id):
    actor = g.api_user
    case = case_service.get_case(case_id, actor)
    return jsonify(_case_body(case, actor))


def _case_body(case, actor):
    return serialize.case_detail(case, actor, case_service.open_tasks(case), case_service.timeline(case, actor))


# -- documentation -----------------------------------------------------------------

@bp.get("/openapi.json")
def openapi():
    from app.api.openapi import document

    return jsonify(document(request.host_url.rstrip("/")))

"""Starting a suspension or a prolongation of a PASS IAE from the API (DOMAIN §8, §9), on the
/api/v1 blueprint of views.py.

POST /api/v1/passes/{id}/suspensions     opens a suspension case (bpmn/suspension.bpmn)
POST /api/v1/passes/{id}/prolongations   opens a prolongation case (bpmn/prolongation.bpmn):
                                         a direct prolongation, or a request to an authorized prescriber

Both call the very services the pages call (app/services/suspensions.start,
app/services/prolongations.declare) after validating the body with the pages' form specs, so
the rules, permissions and French messages are the same. The body carries the PASS's
lock_version as the client last read it: a PASS changed since is a 409 and nothing is written.
The tasks that follow (edit, end or delete a suspension; the prescriber's decision) are done
with POST /api/v1/tasks/{id}/complete.
"""
from flask import current_app, g, jsonify, url_for

from app import formspec, permissions
from app.api.approvals import NOT_FOUND, pass_json
from app.api.errors import ApiError
from app.api.serialize import case_summary
from app.api.views import MAX_ID, REQUIRED, bp, check_fields, json_object
from app.domain.approvals import prolongations as prolongation_rules
from app.extensions import db
from app.models import Approval
from app.services import prolongations, suspensions
from app.services.job_seekers import today_paris
from app.services.tasks import ServiceError

FORM_ERROR = "La demande contient des erreurs : corrigez les champs signalés."
EXPECTED_VERSION = ("Indiquez la version du PASS IAE (lock_version) lue avec GET /api/v1/passes/{id} : "
                    "un entier positif ou nul.")
NOT_FOR_THIS_REASON = "Ce champ ne sert que pour les motifs décidés par un prescripteur habilité."

# API name -> field of forms/suspension_new.yaml (the API names match the PASS JSON's dates).
SUSPENSION_FIELDS = {"reason": "reason", "start_on": "start_at", "end_on": "end_at",
                     "end_unknown": "end_unknown", "explanation": "explanation"}
FIRST_STEP_FIELDS = ("reason", "end_on", "explanation", "prescriber_email")
PRESCRIBER_FIELDS = ("prescriber_organisation_id", "contact_phone")


def _spec(form_key):
    return formspec.load_spec(form_key, current_app.config["FORMS_DIR"])


def _approval(approval_id):
    approval = db.session.get(Approval, approval_id)
    if approval is None:
        raise ServiceError(NOT_FOUND, 404)
    return approval


def _lock_version(payload, fields):
    """The PASS version the client read; required, so that no change goes through unseen."""
    value = payload.get("lock_version")
    if value is None:
        fields["lock_version"] = [REQUIRED]
    elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ID:
        fields["lock_version"] = [EXPECTED_VERSION]
    else:
        return value
    return None


def _created(case, approval_id):
    db.session.commit()
    db.session.expire_all()
    approval = db.session.get(Approval, approval_id)
    # An authorized prescriber may suspend the PASS of someone it has no link with: no PASS details then.
    visible = permissions.can_see_pass(g.api_user, approval)
    response = jsonify({"case": case_summary(case),
                        "pass": pass_json(approval, g.api_user, today_paris()) if visible else None})
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_case", case_id=case.id)
    return response


def _renamed(field_errors, names):
    """Field errors of a form or a service, under the API's names ({form name: api name})."""
    return {names.get(name, name): list(messages) for name, messages in (field_errors or {}).items()}


# -- suspension -----------------------------------------------------------------------------

@bp.post(f"/passes/<int(max={MAX_ID}):approval_id>/suspensions")
def suspend_pass(approval_id):
    actor, organisation, today = g.api_user, g.api_org, today_paris()
    approval = _approval(approval_id)
    # Who may suspend, and whether the PASS can be suspended today: 403/409 before the body.
    suspensions.refuse_unless_suspendable(approval, actor, organisation, today)
    payload = json_object()
    fields = check_fields(payload, (*SUSPENSION_FIELDS, "lock_version"))
    version = _lock_version(payload, fields)
    form_payload = {SUSPENSION_FIELDS[name]: value for name, value in payload.items() if name in SUSPENSION_FIELDS}
    context = {"suspender_kind": suspensions.suspender_kind(organisation), "today": today}
    values, errors = formspec.validate_json(_spec(suspensions.FORM_NEW), form_payload, context)
    to_api = {form: api for api, form in SUSPENSION_FIELDS.items()}
    fields.update(_renamed(errors, to_api))
    if fields:
        raise ApiError(422, FORM_ERROR, fields)
    try:
        case = suspensions.start(approval_id, version, actor, organisation, values, today)
    except ServiceError as exc:
        db.session.rollback()
        raise ServiceError(exc.message, exc.status, _renamed(exc.field_errors, to_api)) from None
    return _created(case, approval_id)


# -- prolongation ---------------------------------------------------------------------------

@bp.post(f"/passes/<int(max={MAX_ID}):approval_id>/prolongations")
def prolong_pass(approval_id):
    actor, organisation, today = g.api_user, g.api_org, today_paris()
    # 404 for an unknown PASS, 403 for whoever may not prolong it (as the page).
    page = prolongations.declare_page(actor, organisation, approval_id, today)
    if page.blocker:
        raise ServiceError(page.blocker, 409)
    payload = json_object()
    fields = check_fields(payload, (*FIRST_STEP_FIELDS, *PRESCRIBER_FIELDS, "lock_version"))
    version = _lock_version(payload, fields)
    first_payload = {name: payload[name] for name in FIRST_STEP_FIELDS if name in payload}
    context = {"prolongation_reasons": {o.code: o.label for o in page.enabled}}
    first, errors = formspec.validate_json(_spec(prolongations.DECLARE_FORM), first_payload, context)
    if "reason" in errors and isinstance(payload.get("reason"), str):
        # A reason the company may not use (or not now): the domain says why.
        why = prolongations.reason_error(page, payload["reason"])
        if why:
            errors["reason"] = [why]
    fields.update(errors)
    if fields:
        raise ApiError(422, FORM_ERROR, fields)

    details = None
    if prolongation_rules.needs_prescriber_decision(first["reason"]):
        # The prescriber chosen by email (422 on prescriber_email when they cannot decide).
        _page, _prescriber, organisations = prolongations.check_first_step(actor, organisation, approval_id,
                                                                           first, today)
        details, errors = formspec.validate_json(
            _spec(prolongations.PRESCRIBER_FORM),
            {name: payload[name] for name in PRESCRIBER_FIELDS if name in payload},
            {"prescriber_organisations": {str(o.id): o.display_name for o in organisations}})
        chosen = payload.get("prescriber_organisation_id")
        if chosen not in (None, "") and "prescriber_organisation_id" in errors:
            # An organisation that is not one of theirs: the service words the refusal.
            del errors["prescriber_organisation_id"]
            details = {"prescriber_organisation_id": chosen, "contact_phone": payload.get("contact_phone")}
        if errors:
            raise ApiError(422, FORM_ERROR, errors)
    else:
        extra = {name: [NOT_FOR_THIS_REASON] for name in PRESCRIBER_FIELDS if payload.get(name) not in (None, "")}
        if extra:
            raise ApiError(422, FORM_ERROR, extra)
    # declare commits, or rolls back and raises a French ServiceError (409 PASS changed, 422 per field).
    case = prolongations.declare(actor, organisation, approval_id, first, version, prescriber=details,
                                 today=today)
    return _created(case, approval_id)

"""PASS IAE in the API (DOMAIN §7, §13), on the /api/v1 blueprint of views.py.

GET /api/v1/passes/{id}                  a PASS with its hires, suspensions, prolongations, requests
GET /api/v1/passes?number=…              the PASS with this number, if the caller may see it
GET /api/v1/job-seekers/{id}/passes      every PASS of a person the caller may see

Visibility is permissions.can_see_pass (the holder, the organisations bound to one of their
applications, the companies that hired on the PASS, support); the birth date only goes to
those who may see the person's personal data (permissions.can_see_job_seeker).
"""
from flask import g, jsonify, request, url_for

from app import permissions
from app.api.errors import ApiError
from app.api.job_seekers import NOT_VISIBLE as JOB_SEEKER_NOT_VISIBLE
from app.api.views import MAX_ID, bp
from app.domain import approvals as rules
from app.domain.errors import InvalidIdentifier
from app.services import approvals, job_seekers
from app.services.job_seekers import today_paris
from app.services.tasks import ServiceError

NOT_FOUND = "Ce PASS IAE n'existe pas."
NOT_VISIBLE = ("Ce PASS IAE concerne une personne sans lien avec votre organisation : vous ne pouvez pas le "
               "consulter.")


def _iso(value):
    return value.isoformat() if value is not None else None


def _organisation(organisation):
    return {"id": organisation.id, "name": organisation.display_name} if organisation is not None else None


def _person(user):
    return {"id": user.id, "name": user.full_name} if user is not None else None


def pass_json(approval, actor, today):
    """A PASS as the API shows it on `today` (status and remaining days are computed)."""
    view = approvals.view(approval, today)
    seeker = approval.job_seeker
    personal = permissions.can_see_job_seeker(actor, seeker)
    return {
        "id": approval.id,
        "number": approval.number,
        "number_display": view.number,
        "status": view.status,
        "status_label": view.status_label,
        "start_on": _iso(view.start),
        "end_on": _iso(view.end),
        "base_end_on": _iso(approval.base_end_on),
        "remaining_days": view.remaining_days,
        "cancelled_at": _iso(approval.cancelled_at),
        "origin": approval.origin,
        # The version to send back when suspending or prolonging (app/api/approval_actions.py).
        "lock_version": approval.lock_version,
        "job_seeker": {"id": seeker.id, "name": seeker.full_name,
                       "birth_date": _iso(seeker.birth_date) if personal else None},
        "hires": [{
            "company": _organisation(hire.company),
            "case_id": hire.case_id,
            "hiring_start_on": _iso(hire.hiring_start_on),
            "hiring_end_on": _iso(hire.hiring_end_on),
            "cancelled": hire.cancelled_at is not None,
        } for hire in sorted(approval.hires, key=lambda h: (h.hiring_start_on, h.id))],
        "suspensions": [{
            "id": suspension.id,
            "start_on": _iso(suspension.start_on),
            "end_on": _iso(suspension.end_on),
            "end_unknown": bool(suspension.end_unknown),
            "reason": suspension.reason,
            "reason_label": rules.SUSPENSION_REASONS.get(suspension.reason, suspension.reason),
            "organisation": _organisation(suspension.organisation),
            "created_by": _person(suspension.created_by),
        } for suspension in approval.suspensions],
        "prolongations": [{
            "id": prolongation.id,
            "start_on": _iso(prolongation.start_on),
            "end_on": _iso(prolongation.end_on),
            "reason": prolongation.reason,
            "reason_label": rules.PROLONGATION_REASONS.get(prolongation.reason, prolongation.reason),
            "declared_by": _person(prolongation.declared_by),
            "declared_by_company": _organisation(prolongation.declared_by_company),
            "validated_by": _person(prolongation.validated_by),
            "validated_by_organisation": _organisation(prolongation.validated_by_organisation),
        } for prolongation in approval.prolongations],
        "prolongation_requests": [{
            "id": item.id,
            "status": item.status,
            "status_label": rules.PROLONGATION_REQUEST_STATES.get(item.status, item.status),
            "reason": item.reason,
            "reason_label": rules.PROLONGATION_REASONS.get(item.reason, item.reason),
            "start_on": _iso(item.start_on),
            "end_on": _iso(item.end_on),
            "company": _organisation(item.company),
            "prescriber_organisation": _organisation(item.prescriber_organisation),
            "created_at": _iso(item.created_at),
            "decided_at": _iso(item.decided_at),
        } for item in approval.prolongation_requests],
        "links": {"self": url_for("api.get_pass", approval_id=approval.id),
                  "page": url_for("approvals.detail", approval_id=approval.id)},
    }


@bp.get(f"/passes/<int(max={MAX_ID}):approval_id>")
def get_pass(approval_id):
    approval = approvals.get(approval_id)
    if approval is None:
        raise ServiceError(NOT_FOUND, 404)
    if not permissions.can_see_pass(g.api_user, approval):
        raise ServiceError(NOT_VISIBLE, 403)
    return jsonify(pass_json(approval, g.api_user, today_paris()))


@bp.get("/passes")
def find_passes():
    unknown = {name: ["Paramètre inconnu : cherchez par number."] for name in request.args if name != "number"}
    if unknown:
        raise ApiError(400, "Paramètre de requête invalide.", unknown)
    number = (request.args.get("number") or "").strip()
    if not number:
        raise ApiError(400, "Indiquez le numéro du PASS IAE recherché.",
                       {"number": ["Indiquez un numéro de PASS IAE (12 chiffres, par exemple 99999 00 00123)."]})
    try:
        approval = approvals.find_by_number(number)
    except InvalidIdentifier as error:
        raise ApiError(422, "Le numéro de PASS IAE est invalide.", {"number": [str(error)]}) from None
    visible = approval is not None and permissions.can_see_pass(g.api_user, approval)
    return jsonify({"items": [pass_json(approval, g.api_user, today_paris())] if visible else []})


@bp.get(f"/job-seekers/<int(max={MAX_ID}):job_seeker_id>/passes")
def job_seeker_passes(job_seeker_id):
    seeker = job_seekers.get(job_seeker_id)
    if seeker is None:
        raise ServiceError("Ce candidat n'existe pas.", 404)
    today = today_paris()
    passes = [a for a in approvals.passes_of(seeker.id) if permissions.can_see_pass(g.api_user, a)]
    if not passes and not permissions.can_see_job_seeker(g.api_user, seeker):
        raise ServiceError(JOB_SEEKER_NOT_VISIBLE, 403)
    return jsonify({"items": [pass_json(a, g.api_user, today) for a in passes]})

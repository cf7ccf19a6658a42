"""The automatic steps of bpmn/prolongation.bpmn (registered in app.engine.operations).

Each step locks the PASS, checks the rules again on the data the engine holds (a
prolongation never breaks them, whatever happened since the form was checked), writes the
rows and logs in the case: record a direct prolongation, record a request, notify the
prescriber (and remind their colleagues), grant or deny the request.
"""
from datetime import date

from sqlalchemy import select

from app.domain import approvals as rules
from app.domain.approvals import prolongations as prolongation_rules
from app.engine.operations import operation
from app.extensions import db
from app.models import Document, Membership, Prolongation, ProlongationRequest, User
from app.models.base import utcnow
from app.services import approvals, job_seekers, notifications
from app.services import prolongations  # noqa: F401  (its form hooks check the decision task)

# DOMAIN §9: reminders go to the assignee and up to this many colleagues; the diagram's
# `colleagues` parameter may lower it, never raise it.
MAX_COLLEAGUES = 10


def _request(ctx, data):
    prolongation_request = db.session.get(ProlongationRequest, data.get("request_id") or 0)
    if prolongation_request is None:
        raise ValueError("la demande de prolongation du dossier est introuvable")
    return prolongation_request


def _pending(approval_id):
    return db.session.scalars(select(ProlongationRequest.id).where(
        ProlongationRequest.approval_id == approval_id, ProlongationRequest.status == "pending")).first() is not None


def _locked_pass(approval_id):
    approval = approvals.lock_pass(approval_id)
    db.session.expire(approval, ["suspensions", "prolongations", "prolongation_requests"])
    return approval


@operation("record_prolongation", "Enregistrer une prolongation du PASS IAE (motif sans décision d'un prescripteur)")
def record_prolongation(ctx, task, params):
    data = task.data
    approval = _locked_pass(data["approval_id"])
    checked = prolongation_rules.check_prolongation(
        approvals.facts(approval), data["reason"], date.fromisoformat(data["end_on"]), data["company_kind"],
        job_seekers.today_paris(), _pending(approval.id))
    prolongation = Prolongation(approval_id=approval.id, start_on=checked.start, end_on=checked.end,
                                reason=checked.reason, explanation=data.get("explanation") or "",
                                declared_by_id=data.get("declared_by_id"),
                                declared_by_company_id=data["company_id"], case_id=ctx.case.id)
    db.session.add(prolongation)
    approvals.refresh_end(approval)
    data.update(prolongation_id=prolongation.id, end_display=rules.fr_date(approval.end_on))
    ctx.log("prolongation_recorded",
            f"PASS IAE {data['approval_number_display']} prolongé du {rules.fr_date(checked.start)} au "
            f"{rules.fr_date(checked.end)} ({checked.days} jours) : {data['reason_label']}",
            {"approval_id": approval.id, "prolongation_id": prolongation.id, "reason": checked.reason,
             "start_on": checked.start.isoformat(), "end_on": checked.end.isoformat(), "days": checked.days,
             "pass_end": approval.end_on.isoformat()})
    return {"prolongation_id": prolongation.id}


@operation("create_prolongation_request", "Enregistrer une demande de prolongation adressée à un prescripteur habilité")
def create_prolongation_request(ctx, task, params):
    data = task.data
    approval = _locked_pass(data["approval_id"])
    checked = prolongation_rules.check_prolongation(
        approvals.facts(approval), data["reason"], date.fromisoformat(data["end_on"]), data["company_kind"],
        job_seekers.today_paris(), _pending(approval.id))
    prolongation_request = ProlongationRequest(
        approval_id=approval.id, status="pending", reason=checked.reason, explanation=data.get("explanation") or "",
        start_on=checked.start, end_on=checked.end, requested_by_id=data.get("declared_by_id"),
        company_id=data["company_id"], prescriber_id=data.get("prescriber_user_id"),
        prescriber_organisation_id=data["prescriber_organisation_id"],
        contact_phone=data.get("contact_phone") or "", report_document_id=data.get("report_document_id"),
        case_id=ctx.case.id)
    db.session.add(prolongation_request)
    db.session.flush()
    if data.get("report_document_id"):
        db.session.get(Document, data["report_document_id"]).case_id = ctx.case.id
    data["request_id"] = prolongation_request.id
    ctx.log("prolongation_requested",
            f"Demande de prolongation du PASS IAE {data['approval_number_display']} jusqu'au "
            f"{rules.fr_date(checked.end)} adressée à {data['prescriber_organisation_name']}",
            {"approval_id": approval.id, "request_id": prolongation_request.id, "reason": checked.reason,
             "start_on": checked.start.isoformat(), "end_on": checked.end.isoformat(),
             "prescriber_organisation_id": data["prescriber_organisation_id"],
             "prescriber_user_id": data.get("prescriber_user_id")})
    return {"request_id": prolongation_request.id}


def _active_member(user, organisation_id):
    return user is not None and user.is_active and Membership.query.filter_by(
        user_id=user.id, organisation_id=organisation_id, is_active=True).first() is not None


def _assignees(prolongation_request):
    """The prescriber chosen by the employer; if they left the organisation, its admins (DOMAIN §11)."""
    chosen = prolongation_request.prescriber
    if _active_member(chosen, prolongation_request.prescriber_organisation_id):
        return [chosen]
    return (User.query.join(Membership, Membership.user_id == User.id)
            .filter(Membership.organisation_id == prolongation_request.prescriber_organisation_id,
                    Membership.is_active.is_(True), Membership.is_admin.is_(True), User.is_active.is_(True))
            .order_by(User.id).all())


@operation("notify_prolongation_prescribers",
           "Prévenir le prescripteur habilité d'une demande de prolongation (et ses collègues pour un rappel)")
def notify_prolongation_prescribers(ctx, task, params):
    data = task.data
    prolongation_request = _request(ctx, data)
    template = params["template"]
    assignees = _assignees(prolongation_request)
    wanted = max(0, min(int(params.get("colleagues") or 0), MAX_COLLEAGUES))
    colleagues = []
    if wanted:
        taken = {user.id for user in assignees}
        members = prolongation_request.prescriber_organisation.active_members()
        colleagues = [user for user in sorted(members, key=lambda u: u.id) if user.id not in taken][:wanted]
    rows = notifications.queue_for_case_users(ctx.case, template, dict(data), assignees + colleagues)
    reminder = template == "prolongation_request_reminder"
    if reminder:
        prolongation_request.reminders_sent = (prolongation_request.reminders_sent or 0) + 1
    ctx.log("prolongation_reminder_sent" if reminder else "notification_queued",
            f"Notification « {notifications.TEMPLATES[template][0]} » pour {len(rows)} destinataire(s)",
            {"template": template, "request_id": prolongation_request.id,
             "recipients": [row.recipient_id for row in rows], "reminders_sent": prolongation_request.reminders_sent})
    return {"notified": len(rows)}


def _decide(ctx, prolongation_request, status):
    if prolongation_request.status != "pending":
        raise ValueError("la demande de prolongation a déjà été traitée")
    prolongation_request.status = status
    prolongation_request.decided_at = utcnow()
    prolongation_request.decided_by_id = getattr(ctx.actor, "id", None)


@operation("grant_prolongation_request", "Accorder la prolongation demandée et reporter la fin du PASS IAE")
def grant_prolongation_request(ctx, task, params):
    data = task.data
    prolongation_request = _request(ctx, data)
    approval = _locked_pass(prolongation_request.approval_id)
    requested = rules.ProlongationFacts(prolongation_request.start_on, prolongation_request.end_on,
                                        prolongation_request.reason)
    granted = prolongation_rules.check_prolongation_grant(approvals.facts(approval), requested)
    _decide(ctx, prolongation_request, "granted")
    prolongation = Prolongation(
        approval_id=approval.id, start_on=granted.start, end_on=granted.end, reason=granted.reason,
        explanation=prolongation_request.explanation, declared_by_id=prolongation_request.requested_by_id,
        declared_by_company_id=prolongation_request.company_id, validated_by_id=getattr(ctx.actor, "id", None),
        validated_by_organisation_id=prolongation_request.prescriber_organisation_id,
        request_id=prolongation_request.id, case_id=ctx.case.id)
    db.session.add(prolongation)
    approvals.refresh_end(approval)
    data.update(prolongation_id=prolongation.id, end_display=rules.fr_date(approval.end_on),
                start_on=granted.start.isoformat(), end_on=granted.end.isoformat())
    ctx.log("prolongation_granted",
            f"Prolongation accordée par {data.get('prescriber_organisation_name', '')} : PASS IAE "
            f"{data['approval_number_display']} valable jusqu'au {rules.fr_date(approval.end_on)}",
            {"approval_id": approval.id, "request_id": prolongation_request.id, "prolongation_id": prolongation.id,
             "start_on": granted.start.isoformat(), "end_on": granted.end.isoformat(),
             "pass_end": approval.end_on.isoformat()})
    return {"prolongation_id": prolongation.id}


@operation("deny_prolongation_request", "Enregistrer le refus d'une demande de prolongation")
def deny_prolongation_request(ctx, task, params):
    data = task.data
    prolongation_request = _request(ctx, data)
    actions = prolongation_rules.check_denial(data.get("deny_reason"), data.get("deny_explanation"),
                                              data.get("deny_proposed_actions") or ())
    _decide(ctx, prolongation_request, "denied")
    prolongation_request.deny_reason = data["deny_reason"]
    prolongation_request.deny_explanation = data["deny_explanation"].strip()
    prolongation_request.deny_proposed_actions = list(actions)
    labels = [prolongation_rules.DENY_PROPOSED_ACTIONS[a] for a in actions]
    data.update(deny_reason_label=prolongation_rules.DENY_REASONS[data["deny_reason"]],
                proposed_actions_line=("\n\nActions envisagées : " + " ; ".join(labels)) if labels else "")
    ctx.log("prolongation_denied",
            f"Demande de prolongation refusée par {data.get('prescriber_organisation_name', '')} : "
            f"{data['deny_reason_label']}",
            {"request_id": prolongation_request.id, "deny_reason": data["deny_reason"],
             "deny_proposed_actions": list(actions)})
    return {"request_id": prolongation_request.id}

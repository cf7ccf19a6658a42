"""The operations service tasks call by name (registered in app.engine.operations)."""
from app import permissions
from app.engine import runtime
from app.engine.operations import operation
from app.extensions import db
from app.models import Organisation
from app.services import notifications
from app.services import hire_operations  # noqa: F401  (registers its operations)
from app.services import organisation_operations  # noqa: F401  (registers its operations)
from app.services import prescription_operations  # noqa: F401  (registers its operations)
from app.services import suspension_operations  # noqa: F401  (registers its operations)
from app.services import prolongation_operations  # noqa: F401  (registers its operations)

# Answers of a previous employer that must not follow a transferred application (DOMAIN §4).
ANSWER_FIELDS = ("decision", "refusal_reason", "refusal_reason_details", "answer_to_job_seeker",
                 "private_comment", "share_reason_with_job_seeker", "transfer_to")


@operation("notify", "Envoyer une notification")
def notify(ctx, task, params):
    who = params.get("to") or []
    rows = notifications.queue(ctx.case, params["template"], dict(task.data), who)
    if rows:
        ctx.log("notification_queued", f"Notification « {notifications.TEMPLATES[params['template']][0]} » "
                f"pour {len(rows)} destinataire(s)", {"template": params["template"], "to": who})
    return {"notified": len(rows)}


@operation("start_case", "Ouvrir un dossier lié (autre processus)")
def start_case(ctx, task, params):
    """Open a child case of another process, bound to the same parties and job seeker."""
    case = ctx.case
    parties = [(p.role, p.organisation_id, p.user_id) for p in case.parties]
    data = {k: v for k, v in task.data.items() if not k.startswith("spiff__")}
    data["parent_reference"] = case.reference
    child = runtime.start_case(params["process"], data, parties, actor=ctx.actor,
                               job_seeker_id=case.job_seeker_id, parent_case=case, title=case.title)
    ctx.log("case_linked", f"Dossier lié ouvert : {child.reference}", {"child": child.reference})
    return {"case_reference": child.reference}


@operation("transfer_case", "Transférer vers une autre structure")
def transfer_case(ctx, task, params):
    case = ctx.case
    target = db.session.get(Organisation, int(params["to_organisation_id"]))
    origin = case.organisation_for("employer")
    if target is None or target.category != "company":
        raise ValueError("la structure de destination n'existe pas")
    if ctx.actor is None or not (permissions.is_member(ctx.actor, target.id)
                                 and permissions.is_member(ctx.actor, origin.id)):
        raise ValueError("seul un membre des deux structures peut transférer la candidature")
    # Colleagues of the origin, the job seeker and the sender hear of it before the switch.
    data = dict(task.data, from_company_name=origin.display_name, company_name=target.display_name)
    notifications.queue(case, "application_transferred", data, ["employer", "job_seeker", "sender"])
    case.party("employer").organisation_id = target.id
    db.session.flush()
    db.session.expire(case.party("employer"), ["organisation"])
    for key in ANSWER_FIELDS:
        task.data.pop(key, None)
    task.data.update(company_id=target.id, company_name=target.display_name, company_kind=target.kind)
    ctx.log("case_transferred", f"Candidature transférée de {origin.display_name} à {target.display_name}",
            {"from": origin.id, "to": target.id})
    return {"from": origin.id, "to": target.id}


@operation("archive_case", "Archiver le dossier")
def archive_case(ctx, task, params):
    ctx.case.archived = True
    ctx.log("case_archived", "Dossier archivé après une longue période sans action")
    return {"archived": True}

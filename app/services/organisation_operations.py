"""Service-task operations about organisations (bpmn/authorization.bpmn)."""
from app.domain.vocabularies import AUTHORIZATION_STATUSES
from app.engine.operations import operation
from app.extensions import db
from app.models import Organisation


@operation("set_authorization_status", "Enregistrer l'habilitation du prescripteur")
def set_authorization_status(ctx, task, params):
    """Set the prescriber organisation's authorization (DOMAIN §2): validated or refused by support."""
    status = params.get("status")
    if status not in AUTHORIZATION_STATUSES:
        raise ValueError(f"statut d'habilitation inconnu « {status} »")
    organisation = db.session.get(Organisation, int(task.data["organisation_id"]))
    if organisation is None or organisation.category != "prescriber":
        raise ValueError("l'organisation à habiliter n'existe pas ou n'est pas un prescripteur")
    previous = organisation.authorization_status
    organisation.authorization_status = status
    ctx.log("authorization_status_changed",
            f"{organisation.name} : {AUTHORIZATION_STATUSES[status].lower()}",
            {"organisation_id": organisation.id, "from": previous, "to": status,
             "reason": task.data.get("reason") or ""})
    return {"organisation_id": organisation.id, "status": status}

"""Service-task operations of bpmn/suspension.bpmn: record, edit, end early, delete, close, and
close when a hire ended the suspension.

Each writes the Suspension row through app/services/suspensions.py (the domain checks again
there, under the PASS lock), logs what changed in the case's event log, and returns the
data that describe the suspension now (merged into the case data: summary, notifications,
the end timer `wake_at`).
"""
from datetime import date, timedelta

from app.domain import approvals as rules
from app.engine.operations import operation
from app.services import approvals, suspensions


def _update(task, data):
    task.data.update(data)
    return {"suspension_id": data.get("suspension_id"), "pass_end": data.get("pass_end_display")}


def _period(data):
    return f"du {data['start_display']} au {data['end_display']} ({data['days']} jours)"


@operation("suspension_record", "Enregistrer la suspension du PASS IAE")
def record(ctx, task, params):
    approval, suspension = suspensions.record_new(ctx.case, ctx.actor, dict(task.data))
    data = suspensions.describe(approval, suspension)
    ctx.log("suspension_recorded", f"PASS IAE suspendu {_period(data)} : {data['reason_label']} ; "
            f"nouvelle fin du PASS IAE le {data['pass_end_display']}",
            {"suspension_id": suspension.id, "start": data["start_at"], "end": data["end_at"],
             "reason": suspension.reason, "pass_end": approval.end_on.isoformat()})
    return _update(task, data)


@operation("suspension_edit", "Modifier la suspension du PASS IAE")
def edit(ctx, task, params):
    before = dict(ctx.case.summary or {})
    approval, suspension = suspensions.apply_edit(ctx.case, ctx.actor, dict(task.data))
    data = suspensions.describe(approval, suspension)
    ctx.log("suspension_edited", f"Suspension modifiée : {_period(data)}, {data['reason_label']} ; "
            f"nouvelle fin du PASS IAE le {data['pass_end_display']}",
            {"suspension_id": suspension.id, "from": [before.get("start_at"), before.get("end_at")],
             "to": [data["start_at"], data["end_at"]], "reason": suspension.reason,
             "pass_end": approval.end_on.isoformat()})
    return _update(task, data)


@operation("suspension_end_early", "Mettre fin à la suspension (reprise du travail)")
def end_early(ctx, task, params):
    before = dict(ctx.case.summary or {})
    approval, suspension = suspensions.apply_end_early(ctx.case, ctx.actor, dict(task.data))
    data = suspensions.describe(approval, suspension)
    ctx.log("suspension_ended_early", f"Fin de la suspension avancée au {data['end_display']} (reprise le "
            f"{rules.fr_date(suspension.end_on + timedelta(days=1))}) ; nouvelle fin du PASS IAE le "
            f"{data['pass_end_display']}",
            {"suspension_id": suspension.id, "from": before.get("end_at"), "to": data["end_at"],
             "pass_end": approval.end_on.isoformat()})
    return _update(task, data)


@operation("suspension_delete", "Supprimer la suspension du PASS IAE")
def delete(ctx, task, params):
    approval, suspension = suspensions.apply_delete(ctx.case, ctx.actor, dict(task.data))
    data = suspensions.describe(approval, None, deleted=True)
    ctx.log("suspension_deleted", f"Suspension du {rules.fr_date(suspension.start_on)} au "
            f"{rules.fr_date(suspension.end_on)} supprimée ; fin du PASS IAE ramenée au "
            f"{data['pass_end_display']}",
            {"start": suspension.start_on.isoformat(), "end": suspension.end_on.isoformat(),
             "pass_end": approval.end_on.isoformat()})
    return _update(task, data)


@operation("suspension_close", "Clore la suspension arrivée à son terme")
def close(ctx, task, params):
    """The end timer fired. A hire declared in a hire case closes this case at once (ended_by_hire
    below); a hire attached outside one (demo seed, a case of an older diagram) may still have
    shortened or deleted the row meanwhile (approvals.attach_hire): say what it finally was."""
    suspension = suspensions.suspension_of(ctx.case)
    if suspension is None:
        ctx.log("suspension_closed", "Suspension close : elle a été supprimée par une nouvelle embauche")
        return {"closed": True}
    ctx.log("suspension_closed", f"Suspension terminée le {rules.fr_date(suspension.end_on)}",
            {"suspension_id": suspension.id, "end": suspension.end_on.isoformat()})
    return {"closed": True}


@operation("suspension_ended_by_hire", "Clore la suspension terminée par une embauche")
def ended_by_hire(ctx, task, params):
    """A hire on the PASS ended the suspension (approvals.attach_hire, DOMAIN §8) and told this case
    (message `suspension_ended_by_hire`, payload in `ended_by_hire`): say which hire and the new dates."""
    notice = task.data.get("ended_by_hire") or {}
    hire_reference = notice.get("hire_reference") or "d'un autre dossier"
    hiring_start = rules.fr_date(date.fromisoformat(notice["hiring_start_at"]))
    approval = approvals.get(task.data["approval_id"])
    suspension = suspensions.suspension_of(ctx.case)
    data = suspensions.describe(approval, suspension, deleted=suspension is None)
    if suspension is None:
        summary = (f"Suspension supprimée par l'embauche {hire_reference} : le contrat commence le {hiring_start}, "
                   f"premier jour de la suspension ; fin du PASS IAE ramenée au {data['pass_end_display']}")
    else:
        summary = (f"Suspension terminée le {data['end_display']} par l'embauche {hire_reference} (contrat à "
                   f"partir du {hiring_start}) ; nouvelle fin du PASS IAE le {data['pass_end_display']}")
    ctx.log("suspension_ended_by_hire", summary,
            {"hire_case": notice.get("hire_reference"), "suspension_id": notice.get("suspension_id"),
             "deleted": suspension is None, "end": data.get("end_at") if suspension is not None else None,
             "hiring_start": notice["hiring_start_at"], "pass_end": approval.end_on.isoformat()})
    return _update(task, data)

"""Service-task operations of bpmn/suspension.bpmn: record, edit, end early, delete, close.

Each writes the Suspension row through app/services/suspensions.py (the domain checks again
there, under the PASS lock), logs what changed in the case's event log, and returns the
data that describe the suspension now (merged into the case data: summary, notifications,
the end timer `wake_at`).
"""
from datetime import timedelta

from app.domain import approvals as rules
from app.engine.operations import operation
from app.services import suspensions


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
    """The end timer fired. The row may have been shortened or deleted by a new hire meanwhile
    (app/services/approvals.attach_hire): say what the suspension finally was."""
    suspension = suspensions.suspension_of(ctx.case)
    if suspension is None:
        ctx.log("suspension_closed", "Suspension close : elle a été supprimée par une nouvelle embauche")
        return {"closed": True}
    ctx.log("suspension_closed", f"Suspension terminée le {rules.fr_date(suspension.end_on)}",
            {"suspension_id": suspension.id, "end": suspension.end_on.isoformat()})
    return {"closed": True}

"""Support's repairs on a case's workflow: skip a failed automatic step, correct recorded data.

Like app/engine/runtime.py, each function steps or edits the workflow and writes the case
row, its tasks and its events into the current session; the caller commits.
(Retrying a failed step is runtime.retry_failed_steps.)
"""
from SpiffWorkflow.util.task import TaskState

from app.engine.runtime import CaseRun, EngineError, loggable_fields

# Tasks whose data the next steps inherit: those waiting or ready to run.
_PENDING = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def skip_failed_steps(case, actor, details=None):
    """Mark the failed automatic steps as done without running them, then let the case go on.

    What the skipped step would have done (send a notification, open a linked case…) does
    not happen; support does it by hand if needed. Returns the names of the skipped steps."""
    run = CaseRun(case, actor)
    failed = run.workflow.get_tasks(state=TaskState.ERROR)
    if not failed:
        raise EngineError("Aucune étape automatique n'est en échec dans ce dossier.")
    names = [t.task_spec.bpmn_name or t.task_spec.name for t in failed]
    for task in failed:
        task.complete()
    case.status = "running"
    case.last_error = ""
    run.log("service_skipped", f"Étape automatique passée sans être exécutée : {', '.join(names)}",
            {"elements": [t.task_spec.name for t in failed], **(details or {})})
    run.advance()
    run.save()
    return names


def correct_data(case, changes, actor, summary, task_row=None, details=None, kind="data_corrected"):
    """Write corrected values into the case's current data without running any step.

    The values reach the workflow's data, every step that is waiting or ready (the next
    steps inherit their data from them) and the last completed step (which the case's
    summary reads). Nothing is rewound: the path the case took stays as it was."""
    run = CaseRun(case, actor)
    workflow = run.workflow
    workflow.data.update(changes)
    for task in workflow.get_tasks(state=_PENDING):
        task.data.update(changes)
    if workflow.last_task is not None:
        workflow.last_task.data.update(changes)
    run.log(kind, summary, {"fields": loggable_fields(changes), **(details or {})}, task_row=task_row)
    run.save()

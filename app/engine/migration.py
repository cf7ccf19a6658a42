"""Move running cases to another version of their process (SpiffWorkflow's workflow diff).

plan(workflow, target) says whether a workflow can move to the target specs and why
not; apply(workflow, plan, target) moves it in memory. migrate_case() does it for a
stored case: new version, workflow, task rows and an event "version_migrated".
The pre-check and the simulation (app/engine/simulation.py) run plan + apply on a
copy of the case, never on the stored one.

A case can move when every task it has been through or waits at still exists in the
target version (same BPMN id): SpiffWorkflow keeps the task tree and re-creates the
waiting and ready steps from the new specs. Timers it waits for start again from the
moment of the migration, with the new delays.
"""
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from app.engine import bpmn_extensions as names
from app.engine import processes, serialization
from app.engine.runtime import CaseRun, EngineError
from app.extensions import db
from app.models import Task
from app.models.base import utcnow

LIVE_STATES = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
# The diff compares task specs through their serialized form.
_registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)


# What changed in a task spec, in the process owner's words (attributes of SpiffWorkflow's specs).
CHANGE_LABELS = {
    "bpmn_name": "nom", "lane": "couloir", "extensions": "propriétés", "event_definition": "événement ou délai",
    "inputs": "enchaînements", "outputs": "enchaînements", "operation_name": "opération",
    "operation_params": "paramètres", "script": "script", "prescript": "script", "postscript": "script",
    "cond_task_specs": "conditions", "default_task_spec": "conditions", "typename": "type",
}


class MigrationRefused(EngineError):
    status = 409


@dataclass
class Plan:
    can_move: bool
    reasons: list = field(default_factory=list)  # why it cannot move (French)
    notes: list = field(default_factory=list)  # what moving changes for it (French)
    top_diff: object = None
    sub_diffs: dict = field(default_factory=dict)


def _label(task_spec):
    return task_spec.bpmn_name or task_spec.bpmn_id or task_spec.name


def plan(workflow, target):
    """Can `workflow` move to the parsed process `target` (app.engine.parsing.ParsedProcess)?"""
    # diff_workflow() without losing the spec diff, which says what changed in each task spec.
    spec_diff = SpecDiff(_registry, workflow.spec, target.spec)
    top = WorkflowDiff(workflow, spec_diff)
    subs = {sp_id: (WorkflowDiff(sub, SpecDiff(_registry, sub.spec, target.subprocess_specs[sub.spec.name]))
                    if sub.spec.name in target.subprocess_specs else None)
            for sp_id, sub in workflow.subprocesses.items()}
    reasons, notes = [], []
    for task in top.removed:
        reasons.append(_removed_reason(workflow, task))
    for sp_id, sp_diff in subs.items():
        if sp_diff is None:
            name = workflow.subprocesses[sp_id].spec.name
            reasons.append(f"Le sous-processus « {name} » en cours n'existe plus dans cette version.")
        else:
            reasons.extend("Sous-processus : " + _removed_reason(workflow.subprocesses[sp_id], t)
                           for t in sp_diff.removed)
    live = {t.task_spec for t in workflow.get_tasks(state=LIVE_STATES, skip_subprocesses=True)}
    for spec in sorted((s for s in spec_diff.changed if s in live and s.bpmn_id), key=_label):
        what = sorted({CHANGE_LABELS.get(attribute, "réglages") for attribute in spec_diff.changed[spec]})
        notes.append(f"L'étape en cours « {_label(spec)} » change ({', '.join(what)}) : elle reprend avec "
                     "les réglages de cette version.")
    if any(isinstance(getattr(t.task_spec, "event_definition", None), TimerEventDefinition)
           for t in workflow.get_tasks(state=TaskState.WAITING, skip_subprocesses=True)):
        notes.append("Les échéances en attente repartent de la date du changement de version.")
    return Plan(not reasons, list(dict.fromkeys(reasons)), notes, top, subs)


def _removed_reason(workflow, task):
    spec = task.task_spec
    where = "se trouve" if task.state & LIVE_STATES else "est passé"
    if spec.bpmn_id:
        return f"L'étape « {_label(spec)} » où le dossier {where} n'existe plus dans cette version."
    # Engine plumbing named after its BPMN element ("ut_new.BoundaryEventSplit"): the element's
    # attached events were added or removed.
    owner = workflow.spec.task_specs.get(spec.name.split(".")[0])
    name = _label(owner) if owner is not None else spec.name
    return f"Les événements attachés à l'étape « {name} », où le dossier {where}, ont changé dans cette version."


def apply(workflow, moving, target):
    """Move `workflow` (in memory) to `target`, following a plan that allows it."""
    if not moving.can_move:
        raise MigrationRefused(" ".join(moving.reasons))
    migrate_workflow(moving.top_diff, workflow, target.spec)
    for sp_id, sp_diff in moving.sub_diffs.items():
        sub = workflow.subprocesses[sp_id]
        migrate_workflow(sp_diff, sub, target.subprocess_specs[sub.spec.name])
    workflow.subprocess_specs = target.subprocess_specs


def copy_of(case):
    """A fresh in-memory workflow of a stored case: changing it never touches the case."""
    parsed = processes.parsed_version(case.process_version)
    return serialization.loads(case.workflow_json, parsed.spec, parsed.subprocess_specs)


def migrate_case(case, version, actor):
    """Move a running case to `version` (a ProcessVersion of its process), in the current session.

    Raises MigrationRefused with the French reasons when it cannot move."""
    if case.status != "running":
        raise MigrationRefused("Seuls les dossiers en cours peuvent changer de version.")
    if version.process_key != case.process_key:
        raise MigrationRefused("Cette version appartient à un autre processus.")
    previous = case.process_version
    if previous.id == version.id:
        raise MigrationRefused(f"Ce dossier suit déjà la version {version.version}.")
    run = CaseRun(case, actor)
    target = processes.parsed_version(version)
    moving = plan(run.workflow, target)
    apply(run.workflow, moving, target)
    case.process_version_id = version.id
    case.process_version = version
    run.parsed = target
    run.log("version_migrated", f"Dossier passé de la version {previous.version} à la version {version.version} "
                                f"du processus", {"from": previous.version, "to": version.version,
                                                  "notes": moving.notes})
    run.advance()
    _refresh_open_rows(run)
    run.save()
    _check_reloads(case, target)
    return moving


def _check_reloads(case, target):
    """Last safety net: the stored workflow must load with the new specs, else nothing is kept."""
    try:
        serialization.loads(case.workflow_json, target.spec, target.subprocess_specs)
    except Exception as exc:
        raise MigrationRefused("Le dossier ne peut pas passer à cette version : son historique ne correspond "
                               f"plus au diagramme ({exc}).") from exc


def _refresh_open_rows(run):
    """Open task rows keep their history (assignee, dates) but take the new version's settings."""
    ready = {str(t.id): t for t in run.workflow.get_tasks(state=TaskState.READY, manual=True)}
    for row in Task.query.filter_by(case_id=run.case.id, state="open"):
        task = ready.get(row.spiff_task_id)
        if task is None:
            continue  # closed by save(), which logs it
        spec = task.task_spec
        props = dict((getattr(spec, "extensions", None) or {}).get("properties", {}))
        row.title = spec.bpmn_name or spec.name
        row.form_key = props.get(names.FORM_KEY, "")
        row.listed = props.get(names.LISTED, "true").lower() != "false"
        if props.get(names.DUE_IN) != (row.properties or {}).get(names.DUE_IN):
            row.due_at = _due_from(row.created_at, props.get(names.DUE_IN))
        row.properties = props
    db.session.flush()


def _due_from(start, duration):
    if not duration:
        return None
    try:
        return (start or utcnow()) + TimerEventDefinition.get_timedelta_from_start(
            TimerEventDefinition.parse_iso_duration(duration), start)
    except Exception:
        return None

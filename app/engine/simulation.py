"""Try a process version on copies of running cases, never touching them.

trial(case, target) deserializes a copy of the case, moves it in memory to `target`
(app.engine.migration.plan/apply) and runs the engine steps with the service
operations neutralized: nothing is called, nothing is written to the database, the
operations it would have called are written down. It reports where the case would
then wait and any error. "Simuler sur les dossiers en cours" runs it with a draft; the
migration pre-check with the newest version.
"""
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from app.engine import migration, serialization
from app.engine.scripting import ParcoursScriptEngine


class DryRunScriptEngine(ParcoursScriptEngine):
    """Scripts and conditions run as usual; service operations are written down, not called."""

    def __init__(self):
        super().__init__(run_context=None)
        self.calls = []

    def call_service(self, task, operation_name=None, operation_params=None, **_kwargs):
        self.calls.append({"element": task.task_spec.bpmn_name or task.task_spec.name,
                           "operation": operation_name})
        return json.dumps({})


@dataclass
class Trial:
    case_id: int
    reference: str
    lock_version: int
    from_version: int
    can_move: bool
    reasons: list = field(default_factory=list)  # why the case cannot move
    notes: list = field(default_factory=list)  # what moving changes for it
    waiting_at: list = field(default_factory=list)  # the tasks and events it would wait at
    timers: list = field(default_factory=list)  # (timer name, due datetime)
    calls: list = field(default_factory=list)  # operations the steps would have called
    messages: list = field(default_factory=list)  # messages it would have sent
    error: str = ""

    @property
    def ok(self):
        return self.can_move and not self.error


def trial(case, target):
    """Move a copy of `case` to the parsed process `target` and run it without effects."""
    result = Trial(case.id, case.reference or "", case.lock_version, case.process_version.version, False)
    try:
        workflow = migration.copy_of(case)
    except Exception as exc:  # a stored case the engine cannot read is reported, not raised
        result.error = f"Le dossier n'a pas pu être relu : {exc}"
        return result
    moving = migration.plan(workflow, target)
    result.can_move, result.reasons, result.notes = moving.can_move, moving.reasons, moving.notes
    if not moving.can_move:
        return result
    engine = DryRunScriptEngine()
    workflow.script_engine = engine
    try:
        migration.apply(workflow, moving, target)
        workflow.do_engine_steps()
        # What a real migration stores must load again with the new specs.
        serialization.loads(serialization.dumps(workflow), target.spec, target.subprocess_specs)
    except (SpiffWorkflowException, migration.MigrationRefused) as exc:
        result.error = str(exc)
    except Exception as exc:  # any failure of the draft is part of the report
        result.error = f"{type(exc).__name__} : {exc}"
    result.calls = engine.calls
    result.messages = [event.event_definition.name for event in workflow.get_events()]
    result.waiting_at, result.timers = _waits(workflow)
    return result


def _waits(workflow):
    waiting, timers = [], []
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        waiting.append(task.task_spec.bpmn_name or task.task_spec.name)
    for task in workflow.get_tasks(state=TaskState.WAITING):
        spec = task.task_spec
        if not spec.bpmn_id:
            continue
        definition = getattr(spec, "event_definition", None)
        name = spec.bpmn_name or spec.bpmn_id
        if isinstance(definition, TimerEventDefinition):
            value = task._get_internal_data("event_value")
            timers.append((name, _when(value)))
        elif definition is not None:
            waiting.append(f"{name} (message attendu)")
    for task in workflow.get_tasks(state=TaskState.ERROR):
        waiting.append(f"{task.task_spec.bpmn_name or task.task_spec.name} (en échec)")
    return waiting, timers


def _when(value):
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def simulate(cases, target):
    """trial() for each case, in order."""
    return [trial(case, target) for case in cases]

"""Run cases: start, complete tasks, fire timers, route messages between cases.

Each public function loads what it needs, steps SpiffWorkflow, and writes the case
row, its task rows and its events into the current session; it never commits:
the caller's request is the transaction (DESIGN: one request, one transaction).
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from app import permissions
from app.domain.vocabularies import PERSONAL_FIELDS, PERSONAL_VALUE_LOGGED, ROLES
from app.engine import processes, serialization
from app.engine.scripting import ParcoursScriptEngine
from app.extensions import db
from app.jobs import retries
from app.models import Case, CaseParty, Event, Task
from app.models.base import utcnow

# A message may start a chain (a hire makes other applications obsolete, which may
# notify...): deliveries stop at this depth rather than loop forever.
MAX_MESSAGE_DEPTH = 5


class EngineError(Exception):
    """A refusal with a French message for the user; `status` is the HTTP status to answer."""
    status = 400

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class TaskNotOpen(EngineError):
    status = 409


class CaseNotRunning(EngineError):
    status = 409


@dataclass
class RunContext:
    """What service operations see of the run: the case, who acts, and helpers."""
    case: Case
    actor: object
    run: "CaseRun"
    depth: int = 0
    started_cases: list = field(default_factory=list)

    def log(self, kind, summary, data=None):
        self.run.log(kind, summary, data)

    def send_message(self, target, name, payload):
        self.run.send_to(target, name, payload)


def role_for_lane(lane_name):
    """A lane names a role by its key or its French label (case-insensitive)."""
    if not lane_name:
        return None
    wanted = lane_name.strip().lower()
    for key, label in ROLES.items():
        if wanted in (key, label.lower()):
            return key
    return None


class CaseRun:
    """One case loaded for stepping: the row, its workflow and what the step changed."""

    def __init__(self, case, actor=None, depth=0):
        self.case = case
        self.actor = actor
        self.depth = depth
        self.parsed = processes.parsed_version(case.process_version)
        self.context = RunContext(case, actor, self, depth)
        if case.workflow_json:
            self.workflow = serialization.loads(case.workflow_json, self.parsed.spec, self.parsed.subprocess_specs)
        else:
            self.workflow = BpmnWorkflow(self.parsed.spec, self.parsed.subprocess_specs)
        # The script engine is not serialized: set it after every load (DESIGN).
        self.workflow.script_engine = ParcoursScriptEngine(self.context)
        self.completed_task_row = None

    # -- log -----------------------------------------------------------------
    def log(self, kind, summary, data=None, task_row=None):
        # task=… (not task_id): a task row created in this step needs no flush to be referenced.
        db.session.add(Event(case_id=self.case.id, actor_id=getattr(self.actor, "id", None), kind=kind,
                             task=task_row, summary=summary[:500], data=data or {}))

    # -- stepping --------------------------------------------------------------
    def advance(self):
        """Run engine steps; a failing service or script puts the case in error, keeping progress."""
        try:
            self.workflow.do_engine_steps()
        except (WorkflowTaskException, SpiffWorkflowException) as exc:
            self.case.status = "error"
            self.case.last_error = str(exc)[:2000]
            task = getattr(exc, "task", None)
            self.log("service_failed", f"Étape automatique en échec : {_task_label(task)}",
                     {"error": str(exc)[:1000], "element": getattr(getattr(task, "task_spec", None), "name", "")})
            # Retried automatically a few times with backoff before support sees an incident.
            retries.after_failure(self.case)

    def save(self):
        """Write the workflow and mirror its state into the case row, the task table and the log."""
        self._sync_tasks()
        self._sync_stage()
        self._sync_waits()
        self._sync_summary()
        if self.workflow.completed and self.case.status == "running":
            self.case.status = "completed"
            self.case.closed_at = utcnow()
            self.log("case_completed", "Dossier terminé")
        self.case.workflow_json = serialization.dumps(self.workflow)
        self.case.serializer_version = serialization.serializer_version()
        if self.workflow.bpmn_events:
            # Other cases are about to be queried and stepped: write this one first.
            db.session.flush()
            self._route_messages()

    # -- task table --------------------------------------------------------------
    def _sync_tasks(self):
        ready = {str(t.id): t for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)}
        open_rows = Task.query.filter_by(case_id=self.case.id, state="open").all()
        known = set()
        for row in open_rows:
            if row.state != "open":
                continue  # completed in this step, not flushed yet
            if row.spiff_task_id in ready:
                known.add(row.spiff_task_id)
                continue
            row.state = "cancelled"
            row.completed_at = utcnow()
            self.log("task_cancelled", f"Tâche close sans être traitée : {row.title}", task_row=row)
        for spiff_id, task in ready.items():
            if spiff_id not in known:
                self._open_task_row(task)

    def _open_task_row(self, task):
        spec = task.task_spec
        props = dict((getattr(spec, "extensions", None) or {}).get("properties", {}))
        role = role_for_lane(spec.lane) or "support"
        party = self.case.party(role)
        row = Task(case_id=self.case.id, spiff_task_id=str(task.id), spec_name=spec.name,
                   title=spec.bpmn_name or spec.name, form_key=props.get("formKey", ""), role=role,
                   organisation_id=party.organisation_id if party else None,
                   candidate_user_id=party.user_id if party and party.organisation_id is None else None,
                   listed=props.get("listed", "true").lower() != "false", properties=props,
                   due_at=_due_at(props.get("dueIn")), state="open")
        # The person who just acted keeps the file if the next step is theirs too
        # (colleagues then see who handles it).
        if self.actor is not None and row.listed and permissions.is_task_candidate(self.actor, row):
            row.assignee_id = self.actor.id
            row.claimed_at = utcnow()
        db.session.add(row)
        self.log("task_created", f"Nouvelle tâche : {row.title}", {"role": role}, task_row=row)
        return row

    # -- stage ---------------------------------------------------------------------
    def _sync_stage(self):
        reached = [t for t in self.workflow.get_tasks(state=TaskState.COMPLETED)
                   if (getattr(t.task_spec, "extensions", None) or {}).get("properties", {}).get("stage")]
        if not reached:
            return
        latest = max(reached, key=lambda t: t.last_state_change)
        stage = latest.task_spec.extensions["properties"]["stage"]
        if stage != self.case.stage:
            previous = self.case.stage_label
            self.case.stage = stage
            self.case.stage_label = latest.task_spec.bpmn_name or stage
            self.log("stage_changed", f"Étape : {self.case.stage_label}",
                     {"from": previous, "to": self.case.stage_label, "stage": stage})

    def _sync_summary(self):
        """Copy the data keys named by the process property `summaryFields` onto the case row."""
        names = [n.strip() for n in self.parsed.properties.get("summaryFields", "").split(",") if n.strip()]
        if not names:
            return
        data = dict(self.workflow.data)
        last = self.workflow.last_task
        if last is not None:
            data.update(last.data)
        summary = {name: data.get(name) for name in names if name in data}
        if summary != (self.case.summary or {}):
            self.case.summary = summary

    # -- timers and messages --------------------------------------------------------
    def _sync_waits(self):
        wakes, messages = [], set()
        for pending in self.workflow.waiting_events():
            # TimeDateEventDefinition has no "Timer" in its name: match every timer kind.
            if ("Timer" in pending.event_type or pending.event_type == "TimeDateEventDefinition") and pending.value:
                wakes.append(_parse_when(pending.value))
            elif pending.event_type == "MessageEventDefinition":
                messages.add(pending.name)
        self.case.next_wake_at = min(wakes) if wakes else None
        self.case.waiting_messages = " ".join(sorted(messages))

    def fire_timers(self, now):
        """Fire the timers due at `now` (now may be ahead of the clock: support's "run now")."""
        fired = []
        for task in list(self.workflow.event_manager.tasks.values()):
            definition = getattr(task.task_spec, "event_definition", None)
            if not isinstance(definition, TimerEventDefinition):
                continue
            value = task._get_internal_data("event_value")
            if value and _parse_when(value) <= now:
                # SpiffWorkflow compares with the real clock: move the due time just behind it.
                task._set_internal_data(event_value=(datetime.now(timezone.utc) - timedelta(seconds=1)).isoformat())
                fired.append(task.task_spec.bpmn_name or task.task_spec.name)
        if fired:
            self.workflow.refresh_timers()
            for name in fired:
                self.log("timer_fired", f"Échéance atteinte : {name}", {"timer": name})
            self.advance()
        return fired

    def _route_messages(self):
        for event in self.workflow.get_events():
            if not isinstance(event.event_definition, MessageEventDefinition):
                continue  # e.g. a terminate end event inside a subprocess: nothing to deliver
            name = event.event_definition.name
            targets = _message_targets(self.case, name)
            self.log("message_sent", f"Message émis : {name}",
                     {"message": name, "delivered_to": [c.reference for c in targets]})
            if self.depth >= MAX_MESSAGE_DEPTH:
                continue
            for target in targets:
                self._deliver(CaseRun(target, self.actor, self.depth + 1), event)

    def send_to(self, target, name, payload):
        """Deliver the message `name` to one case the caller has correlated itself (a hire knows
        the case of the suspension it ended), now, in this transaction. Nothing is delivered when
        that case is not running or does not wait for `name` (an older version of its diagram)."""
        waiting = (target is not None and target.status == "running"
                   and name in (target.waiting_messages or "").split())
        self.log("message_sent", f"Message émis : {name}",
                 {"message": name, "delivered_to": [target.reference] if waiting else []})
        if waiting and self.depth < MAX_MESSAGE_DEPTH:
            run = CaseRun(target, self.actor, self.depth + 1)
            self._deliver(run, BpmnEvent(_waiting_message(run.workflow, name), payload=payload))

    def _deliver(self, run, event):
        """`run` (another case) catches `event` and steps on; it is logged as received there."""
        name = event.event_definition.name
        run.workflow.catch(event)
        run.log("message_received", f"Message reçu : {name} (de {self.case.reference})",
                {"message": name, "from": self.case.reference, "payload": _jsonable(event.payload)})
        run.advance()
        run.save()


def _waiting_message(workflow, name):
    """The definition of the message `name` a case waits for: a caught event must equal it."""
    for task in workflow.event_manager.tasks.values():
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, MessageEventDefinition) and definition.name == name:
            return definition
    raise LookupError(f"le dossier n'attend pas le message « {name} »")


def _message_targets(case, name):
    """Cases related to `case` (parent, children, same job seeker) that wait for `name`."""
    query = Case.query.filter(Case.id != case.id, Case.status == "running",
                              Case.waiting_messages.contains(name))
    related = [Case.parent_case_id == case.id]
    if case.parent_case_id:
        related.append(Case.id == case.parent_case_id)
    if case.job_seeker_id:
        related.append(Case.job_seeker_id == case.job_seeker_id)
    from sqlalchemy import or_
    return [c for c in query.filter(or_(*related)).order_by(Case.id).all()
            if name in c.waiting_messages.split()]


# -- public API ----------------------------------------------------------------------

def start_case(process_key, data, parties, actor=None, job_seeker_id=None, parent_case=None, title=""):
    """Create and run a case of the latest version of `process_key`.

    parties: iterable of (role, organisation_id, user_id) binding lane roles.
    """
    version = processes.latest_version(process_key)
    parsed = processes.parsed_version(version)
    case = Case(process_key=process_key, process_version_id=version.id, status="running", title=title,
                job_seeker_id=job_seeker_id, parent_case_id=parent_case.id if parent_case else None,
                created_by_id=getattr(actor, "id", None))
    for role, organisation_id, user_id in parties:
        case.parties.append(CaseParty(role=role, organisation_id=organisation_id, user_id=user_id))
    db.session.add(case)
    db.session.flush()
    prefix = parsed.properties.get("referencePrefix") or process_key[:4].upper()
    case.reference = f"{prefix}-{utcnow().year}-{case.id:06d}"
    run = CaseRun(case, actor)
    run.workflow.data.update(data)
    start = run.workflow.get_tasks(state=TaskState.READY)
    for task in start:
        task.data.update(data)
    run.log("case_started", f"Dossier ouvert : {parsed.name} (version {version.version})",
            {"process": process_key, "version": version.version,
             "parent": parent_case.reference if parent_case else None})
    run.advance()
    run.save()
    return case


def load_run(case, actor=None):
    return CaseRun(case, actor)


def complete_task(task_row, data, actor):
    """Complete an open human task with validated data (JSON types only)."""
    if task_row.state != "open":
        who = task_row.completed_by.full_name if task_row.completed_by else "quelqu'un d'autre"
        raise TaskNotOpen(f"Cette tâche a déjà été traitée par {who}." if task_row.state == "completed"
                          else "Cette tâche n'est plus à faire : le dossier a évolué entre-temps.")
    case = task_row.case
    if case.status != "running":
        raise CaseNotRunning(not_running_message(case))
    run = CaseRun(case, actor)
    task = _find_ready(run.workflow, task_row.spiff_task_id)
    if task is None:
        raise TaskNotOpen("Cette tâche n'est plus à faire : le dossier a évolué entre-temps.")
    # One flush at commit rather than one per query of the step (measured in bench/).
    with db.session.no_autoflush:
        task.data.update(data)
        task.run()
        task_row.state = "completed"
        task_row.completed_at = utcnow()
        task_row.completed_by_id = actor.id
        if task_row.assignee_id is None:
            task_row.assignee_id = actor.id
        run.log("task_completed", f"{task_row.title} : traitée", {"fields": loggable_fields(data)}, task_row=task_row)
        run.advance()
        run.save()
    return case


def wake_case(case, now=None, actor=None):
    """Fire the due timers of a case; returns the names of the timers fired."""
    if case.status != "running":
        return []
    run = CaseRun(case, actor)
    fired = run.fire_timers(now or utcnow())
    if fired:
        run.save()
    else:
        run._sync_waits()
    return fired


def retry_failed_steps(case, actor, details=None):
    """Run again the automatic steps that failed (support's "Relancer", or the automatic
    retries of app/jobs/retries.py); `details` (reason, attempt…) go into the event's data."""
    run = CaseRun(case, actor)
    failed = run.workflow.get_tasks(state=TaskState.ERROR)
    for task in failed:
        task._set_state(TaskState.READY)
    case.status = "running"
    case.last_error = ""
    run.log("service_retried", "Relance des étapes automatiques en échec",
            {"elements": [t.task_spec.name for t in failed], **(details or {})})
    run.advance()
    run.save()
    return case


@dataclass
class CaseState:
    data: dict
    current: list
    done: list


def case_state(case):
    """Workflow data and diagram position of a case (current: open tasks and waits; done)."""
    if not case.workflow_json:
        return CaseState({}, [], [])
    workflow = CaseRun(case).workflow
    open_ids = [t.spec_name for t in Task.query.filter_by(case_id=case.id, state="open").order_by(Task.id)]
    waiting = sorted({t.task_spec.name for t in workflow.get_tasks(state=TaskState.WAITING) if t.task_spec.bpmn_id})
    done = sorted({t.task_spec.name for t in workflow.get_tasks(state=TaskState.COMPLETED) if t.task_spec.bpmn_id})
    data = {k: v for k, v in workflow.data.items() if not k.startswith("spiff__")}
    return CaseState(data, open_ids + [w for w in waiting if w not in open_ids], done)


# -- helpers ------------------------------------------------------------------------

def _find_ready(workflow, spiff_task_id):
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        if str(task.id) == spiff_task_id:
            return task
    return None


def _due_at(duration):
    if not duration:
        return None
    try:
        return utcnow() + TimerEventDefinition.get_timedelta_from_start(
            TimerEventDefinition.parse_iso_duration(duration))
    except Exception:
        return None


def _parse_when(value):
    when = datetime.fromisoformat(value)
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _task_label(task):
    if task is None:
        return "étape inconnue"
    return task.task_spec.bpmn_name or task.task_spec.name


def not_running_message(case):
    return {
        "completed": "Ce dossier est terminé : plus aucune action n'est possible.",
        "error": "Ce dossier est bloqué par une étape automatique en échec : le support a été prévenu.",
        "cancelled": "Ce dossier a été annulé.",
        "suspended": "Ce dossier est suspendu par le support.",
    }.get(case.status, "Ce dossier n'accepte pas d'action pour le moment.")


def loggable_fields(fields):
    """The submitted fields as the event log keeps them: personal values replaced by a marker."""
    return {name: PERSONAL_VALUE_LOGGED if name in PERSONAL_FIELDS and value not in (None, "") else value
            for name, value in fields.items()}


def _jsonable(value):
    import json
    try:
        json.dumps(value)
        return value
    except TypeError:
        return str(value)

"""Supervision's facts on cases, kept in step in the transaction that changes a case.

Two listeners on the session, so that every writer (the engine, support's actions, a data
fix in a shell) keeps them right without knowing about them:

- before each flush, the case columns dashboards and the case list filter on
  (Case.sender_kind, refusal_reason, first_answer_at, accepted_at, waiting_since, next_due_at);
- after each flush, CaseFlowCount: cases opened per Paris day, process, stage, sender kind and
  refusal reason, and cases closed per day. The whole platform's dashboard sums a year of these
  (a few thousand rows) instead of counting half a million cases.

A counter row is updated in place (INSERT … ON CONFLICT DO UPDATE): concurrent transactions that
open cases of one process on the same day wait for each other's commit on that row, which is
the price of exact figures without a refresh job; requests are short.
"""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Date,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
    delete,
    event,
    insert,
    inspect,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.cases import Case, Task

PARIS = ZoneInfo("Europe/Paris")
FLOW_FIELDS = ("process_key", "created_at", "stage", "sender_kind", "refusal_reason", "closed_at")
TASK_FIELDS = ("state", "listed", "due_at", "created_at", "case_id")


class CaseFlowCount(db.Model):
    """How many cases were opened (or closed) on a Paris day, by what they are now."""
    __tablename__ = "case_flow_counts"
    # With the count in the key's index (PostgreSQL), a period's counters are read from the index alone:
    # a scope's rows lie on as many table pages as rows (each is updated in place as cases change).
    __table_args__ = (PrimaryKeyConstraint("process_key", "day", "measure", "stage", "sender_kind", "refusal_reason",
                                           postgresql_include=["cases"]),)

    process_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    day = mapped_column(Date, primary_key=True)
    # "opened" (by created_at, with the case's stage, sender kind and refusal reason) or "closed".
    measure: Mapped[str] = mapped_column(String(10), primary_key=True)
    stage: Mapped[str] = mapped_column(String(40), primary_key=True, default="")
    sender_kind: Mapped[str] = mapped_column(String(20), primary_key=True, default="")
    refusal_reason: Mapped[str] = mapped_column(String(40), primary_key=True, default="")
    cases: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


KEY = ("process_key", "day", "measure", "stage", "sender_kind", "refusal_reason")


def paris_day(moment):
    return moment.astimezone(PARIS).date()


def flow_keys(process_key, created_at, stage, sender_kind, refusal_reason, closed_at):
    """The counters a case with these values counts in."""
    keys = []
    if created_at is not None:
        keys.append((process_key, paris_day(created_at), "opened", stage or "", sender_kind or "",
                     refusal_reason or ""))
    if closed_at is not None:
        keys.append((process_key, paris_day(closed_at), "closed", "", "", ""))
    return keys


def nonzero_in_order(deltas):
    """[(key, n)] of the counters that change, always in one order: concurrent transactions then
    lock the counter rows they both touch in the same order (no deadlock)."""
    return [(key, n) for key, n in sorted(deltas.items(), key=lambda item: str(item[0])) if n]


def _changed(state, names):
    return any(state.attrs[name].history.has_changes() for name in names)


def _before(state, name):
    history = state.attrs[name].history
    if history.has_changes():
        return history.deleted[0] if history.deleted else None
    return getattr(state.object, name)


# -- case columns -----------------------------------------------------------------------------

@event.listens_for(db.session, "before_flush")
def _keep_case_facts(session, _flush_context, _instances):
    with session.no_autoflush:
        for case in [o for o in [*session.new, *session.dirty] if isinstance(o, Case)]:
            summary = case.summary or {}
            sender = str(summary.get("sender_kind") or "")[:20]
            reason = str(summary.get("refusal_reason") or "")[:40]
            if case.sender_kind != sender:
                case.sender_kind = sender
            if case.refusal_reason != reason:
                case.refusal_reason = reason
            if case.stage == "accepted" and case.accepted_at is None:
                case.accepted_at = utcnow()
        pending = session.info.setdefault(PENDING, {})
        changed = {}
        for task in [o for o in [*session.new, *session.dirty, *session.deleted] if isinstance(o, Task)]:
            state = inspect(task)
            if state.persistent and task not in session.deleted and not _changed(state, TASK_FIELDS):
                continue
            case = session.get(Case, task.case_id) if task.case_id else task.case
            if case is None:
                continue
            changed.setdefault(case, []).append(task)
            answered = pending.setdefault(case, None)
            if task.role == "employer" and task.state == "completed" and task.completed_at is not None \
                    and (answered is None or task.completed_at < answered):
                pending[case] = task.completed_at
        # A case is written once per request where possible (each write bumps its lock_version, which
        # API clients send back): its facts are set in the flush that writes it anyway, or at commit.
        for case in [c for c in pending if c in session.new or c in session.dirty]:
            _apply(session, case, pending.pop(case), changed.get(case, []))


PENDING = "supervision_pending_cases"


@event.listens_for(db.session, "before_commit")
def _apply_pending(session):
    # The commit's flush, done first: the tasks' changes reach the database (which then shows what
    # each case waits for) and leave here the cases whose facts are still to be set.
    session.flush()
    pending = session.info.pop(PENDING, {})
    with session.no_autoflush:
        for case, answered in pending.items():
            _apply(session, case, answered, [])


@event.listens_for(db.session, "after_rollback")
def _forget_pending(session):
    session.info.pop(PENDING, None)


def _apply(session, case, answered, changed):
    if answered is not None and (case.first_answer_at is None or answered < case.first_answer_at):
        case.first_answer_at = answered
    _keep_waiting(session, case, changed)


def _keep_waiting(session, case, changed):
    """waiting_since and next_due_at from the case's open, listed tasks, as they will be after the flush."""
    now = utcnow()
    changed_ids = {t.id for t in changed if t.id is not None}
    found = []
    if case.id is not None:
        found = [(created, due) for task_id, created, due in session.execute(
            select(Task.id, Task.created_at, Task.due_at)
            .where(Task.case_id == case.id, Task.state == "open", Task.listed.is_(True)))
            if task_id not in changed_ids]
    found += [(t.created_at or now, t.due_at) for t in changed
              if t not in session.deleted and t.state == "open" and t.listed is not False]
    since = min((created for created, _due in found), default=None)
    due = min((d for _created, d in found if d is not None), default=None)
    if case.waiting_since != since:
        case.waiting_since = since
    if case.next_due_at != due:
        case.next_due_at = due


# -- counters -------------------------------------------------------------------------------

@event.listens_for(db.session, "after_flush")
def _count_flows(session, _flush_context):
    deltas = {}
    with session.no_autoflush:
        for case in [o for o in [*session.new, *session.dirty, *session.deleted] if isinstance(o, Case)]:
            state = inspect(case)
            was_stored = case not in session.new
            if was_stored and case not in session.deleted and not _changed(state, FLOW_FIELDS):
                continue
            before = flow_keys(*(_before(state, n) for n in FLOW_FIELDS)) if was_stored else []
            after = [] if case in session.deleted else flow_keys(*(getattr(case, n) for n in FLOW_FIELDS))
            for key in before:
                deltas[key] = deltas.get(key, 0) - 1
            for key in after:
                deltas[key] = deltas.get(key, 0) + 1
    changes = nonzero_in_order(deltas)
    if changes:
        add_counts(session.connection(), changes)
    with session.no_autoflush:
        open_changes = _open_task_deltas(session)
    if open_changes:
        add_open_task_counts(session.connection(), open_changes)


def add_counts(connection, changes):
    """Add each (key, n) to its counter, creating it if needed (keys in one order: no deadlock)."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = CaseFlowCount.__table__
    for key, n in changes:
        statement = insert(table).values(**dict(zip(KEY, key, strict=True)), cases=n)
        connection.execute(statement.on_conflict_do_update(
            index_elements=list(KEY), set_={"cases": table.c.cases + statement.excluded.cases}))


# -- open tasks -----------------------------------------------------------------------------
# "Now" figures of the whole platform (tasks overdue and due soon, where cases wait) read these
# instead of joining ~150,000 open tasks to their cases. A task counts while it is open, listed
# and its case running; it counts by the Paris day it was created (measure "created": how many
# wait, and a histogram of their waiting time) and by the UTC hour it is due ("due"); each for the
# platform (department "*") and for the département of the case's employer.

class OpenTaskCount(db.Model):
    """How many open tasks of a process's task spec were created on a day, or are due in an hour."""
    __tablename__ = "open_task_counts"

    process_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    department: Mapped[str] = mapped_column(String(3), primary_key=True)
    spec_name: Mapped[str] = mapped_column(String(255), primary_key=True)
    measure: Mapped[str] = mapped_column(String(10), primary_key=True)
    # "created": Paris days since 1970-01-01; "due": UTC hours since 1970-01-01 00:00.
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    tasks: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


OPEN_KEY = ("process_key", "department", "spec_name", "measure", "bucket")
ALL_DEPARTMENTS = "*"
EPOCH_DAY = date(1970, 1, 1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def day_number(moment):
    return (paris_day(_aware(moment)) - EPOCH_DAY).days


def hour_number(moment):
    return int((_aware(moment) - EPOCH).total_seconds() // 3600)


def _aware(moment):
    # SQLite gives naive datetimes back: they are UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def open_task_keys(process_key, department, status, spec_name, state, listed, created_at, due_at):
    """The counters an open task with these values (and its case's process, employer's département
    and status) counts in."""
    if state != "open" or listed is False or status != "running" or created_at is None:
        return []
    keys = []
    for place in (ALL_DEPARTMENTS, department) if department else (ALL_DEPARTMENTS,):
        keys.append((process_key, place, spec_name, "created", day_number(created_at)))
        if due_at is not None:
            keys.append((process_key, place, spec_name, "due", hour_number(due_at)))
    return keys


CASE_TASK_FIELDS = ("process_key", "employer_department", "status")
OPEN_TASK_FIELDS = ("spec_name", "state", "listed", "created_at", "due_at")


def _open_task_deltas(session):
    """{key: change} of the open task counters for what this flush wrote."""
    deltas = {}

    def add(keys, n):
        for key in keys:
            deltas[key] = deltas.get(key, 0) + n

    cases = {}  # id: (case, (process, département, status) before the flush)
    for case in [o for o in [*session.new, *session.dirty, *session.deleted] if isinstance(o, Case)]:
        state = inspect(case)
        cases[case.id] = (case, None if case in session.new else tuple(_before(state, n) for n in CASE_TASK_FIELDS))

    def case_of(case_id):
        if case_id not in cases:
            case = session.get(Case, case_id)
            cases[case_id] = (case, tuple(getattr(case, n) for n in CASE_TASK_FIELDS) if case is not None else None)
        return cases[case_id]

    changed_tasks = set()
    for task in [o for o in [*session.new, *session.dirty, *session.deleted] if isinstance(o, Task)]:
        state = inspect(task)
        if task not in session.new and task not in session.deleted \
                and not _changed(state, (*OPEN_TASK_FIELDS, "case_id")):
            continue
        changed_tasks.add(task.id)
        if task not in session.new:
            case, before = case_of(_before(state, "case_id"))
            if case is not None and before is not None:
                add(open_task_keys(*before, *(_before(state, n) for n in OPEN_TASK_FIELDS)), -1)
        if task not in session.deleted and task.case_id is not None:
            case, _before_case = case_of(task.case_id)
            if case is not None and case not in session.deleted:
                now = tuple(getattr(case, n) for n in CASE_TASK_FIELDS)
                add(open_task_keys(*now, *(getattr(task, n) for n in OPEN_TASK_FIELDS)), 1)
    # A case suspended, resumed, ended or moved: its other open tasks stop, start or move counting.
    for case, before in list(cases.values()):
        if case is None or before is None:
            continue
        after = (None, None, None) if case in session.deleted else tuple(getattr(case, n) for n in CASE_TASK_FIELDS)
        if before[:2] == after[:2] and (before[2] == "running") == (after[2] == "running"):
            continue
        for task_id, spec_name, created_at, due_at in session.execute(
                select(Task.id, Task.spec_name, Task.created_at, Task.due_at)
                .where(Task.case_id == case.id, Task.state == "open", Task.listed.is_(True))):
            if task_id in changed_tasks:
                continue
            add(open_task_keys(*before, spec_name, "open", True, created_at, due_at), -1)
            add(open_task_keys(*after, spec_name, "open", True, created_at, due_at), 1)
    return nonzero_in_order(deltas)


def add_open_task_counts(connection, changes):
    """Add each (key, n) to its open task counter, creating it if needed (keys in one order)."""
    _add(connection, OpenTaskCount.__table__, OPEN_KEY, "tasks", changes)


# -- PASS IAE figures (app/services/supervision.py pass_statistics) ------------------------------
# Declared here, on the PASS tables, so that the dashboard's indexes live with the dashboard's facts:
# PASS issued in a period and expiring soon, not cancelled; suspensions and prolongations by date.
from sqlalchemy import Index, text

from app.models.approvals import Approval, ApprovalHire, Prolongation, Suspension

LIVE_PASS = text("cancelled_at IS NULL")
Index("ix_approvals_live_created", Approval.created_at, postgresql_where=LIVE_PASS, sqlite_where=LIVE_PASS)
Index("ix_approvals_live_end", Approval.end_on, postgresql_where=LIVE_PASS, sqlite_where=LIVE_PASS)
Index("ix_suspensions_created", Suspension.created_at)
Index("ix_prolongations_created", Prolongation.created_at)

# The support journal (app/services/supervision.py support_journal): the latest support actions, read
# newest first from an index of those events only (about 1 % of the events) rather than merging the
# `ix_events_kind_at` runs of eight kinds.
from app.models.cases import Event  # noqa: E402

SUPPORT_EVENT_KINDS = ("task_reassigned", "party_changed", "case_suspended", "case_resumed", "case_cancelled",
                       "service_retried", "service_skipped", "data_corrected")
SUPPORT_EVENTS = text("kind IN (" + ", ".join(f"'{kind}'" for kind in SUPPORT_EVENT_KINDS) + ")")
Index("ix_events_support_at", Event.at, Event.id, postgresql_where=SUPPORT_EVENTS, sqlite_where=SUPPORT_EVENTS)


# -- PASS IAE counters ------------------------------------------------------------------------
# The platform's and a département's PASS figures sum these (a year: a few hundred rows) instead
# of counting ~100,000 PASS through their hires. A PASS not cancelled counts, on the Paris day it
# was issued ("issued"), on each day one of its suspensions or prolongations was recorded
# ("suspended", "prolonged") and on its end date ("ends"); once for the platform (department
# "*") and once in each département of the companies that hired on it.
# A flush that touches a PASS, its hires, suspensions or prolongations, or a company's
# département, recounts those PASS before and after it and adds the difference.

from app.models.organisations import Organisation


class PassCount(db.Model):
    """How many PASS IAE (not cancelled) were issued, suspended, prolonged on a day, or end on it."""
    __tablename__ = "pass_counts"

    measure: Mapped[str] = mapped_column(String(10), primary_key=True)
    department: Mapped[str] = mapped_column(String(3), primary_key=True)
    day = mapped_column(Date, primary_key=True)
    passes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


PASS_KEY = ("measure", "department", "day")


def _touched_passes(session, after):
    """Ids of the PASS this flush changes (their own rows or what they count through)."""
    ids = set()
    for obj in [*session.new, *session.dirty, *session.deleted]:
        if isinstance(obj, Approval):
            if obj.id is not None:
                ids.add(obj.id)
        elif isinstance(obj, (ApprovalHire, Suspension, Prolongation)):
            state = inspect(obj)
            ids.update(i for i in (obj.approval_id, _before(state, "approval_id") if after else None) if i)
            if not after and obj.approval_id is None and obj.approval is not None and obj.approval.id:
                ids.add(obj.approval.id)
        elif isinstance(obj, Organisation) and obj.id is not None and obj not in session.new \
                and inspect(obj).attrs["department"].history.has_changes():
            ids.update(session.execute(select(ApprovalHire.approval_id)
                                       .where(ApprovalHire.company_id == obj.id)).scalars())
    return ids


def pass_keys(session, ids):
    """Counter({key: n}) of the PASS `ids` as the database holds them now."""
    from collections import Counter
    found = Counter()
    ids = sorted(ids)
    if not ids:
        return found
    live = {i: (created, end) for i, created, end in session.execute(
        select(Approval.id, Approval.created_at, Approval.end_on)
        .where(Approval.id.in_(ids), Approval.cancelled_at.is_(None)))}
    if not live:
        return found
    places = {i: {ALL_DEPARTMENTS} for i in live}
    for approval_id, department in session.execute(
            select(ApprovalHire.approval_id, Organisation.department)
            .join(Organisation, Organisation.id == ApprovalHire.company_id)
            .where(ApprovalHire.approval_id.in_(list(live)))):
        if department:
            places[approval_id].add(department)
    days = []
    for approval_id, (created, end) in live.items():
        if created is not None:
            days.append((approval_id, "issued", paris_day(_aware(created))))
        days.append((approval_id, "ends", end))
    for model, measure in ((Suspension, "suspended"), (Prolongation, "prolonged")):
        for approval_id, created in session.execute(
                select(model.approval_id, model.created_at).where(model.approval_id.in_(list(live)))):
            if created is not None:
                days.append((approval_id, measure, paris_day(_aware(created))))
    for approval_id, measure, day in days:
        for department in places[approval_id]:
            found[(measure, department, day)] += 1
    return found


def keep_recounted(info_key, touched, counted, table, key_names, column):
    """Keep the counters of `table` in step by recounting: `touched(session, after)` names the rows
    a flush changes, `counted(session, ids)` their counter keys as the database holds them; the keys
    are counted before and after each flush and the difference is added."""
    @event.listens_for(db.session, "before_flush")
    def _count_before(session, _flush_context, _instances):
        with session.no_autoflush:
            ids = touched(session, after=False)
            session.info[info_key] = (ids, counted(session, ids))

    @event.listens_for(db.session, "after_flush")
    def _count_after(session, _flush_context):
        before_ids, before = session.info.pop(info_key, (set(), {}))
        with session.no_autoflush:
            ids = before_ids | touched(session, after=True)
            if not ids:
                return
            after = counted(session, ids)
        changes = nonzero_in_order({key: after.get(key, 0) - before.get(key, 0) for key in set(after) | set(before)})
        if changes:
            _add(session.connection(), table, key_names, column, changes)


keep_recounted("supervision_pass_counts_before", _touched_passes, pass_keys, PassCount.__table__, PASS_KEY, "passes")


def _add(connection, table, key_names, column, changes):
    """Add each (key, n) to the counter `column` of `table`, creating its row if needed."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    for key, n in changes:
        statement = insert(table).values(**dict(zip(key_names, key, strict=True)), **{column: n})
        connection.execute(statement.on_conflict_do_update(
            index_elements=list(key_names), set_={column: table.c[column] + statement.excluded[column]}))


# -- flow counters of an organisation and of a département --------------------------------------
# An organisation's (or a département's) stages, weeks, acceptance and refusals sum these instead of
# reading each of its cases (13,000 random reads for the biggest employers). A case counts, with the
# keys of CaseFlowCount, once for each organisation that is one of its parties (any role, as the
# organisation scope reads: app/services/supervision.py scope_conditions) and once for its employer's
# département. A flush that touches a case's counted values or its parties (a transfer, support
# binding a role to another organisation) recounts those cases before and after it and adds the
# difference, as the PASS counters do.

class ScopedFlowCount(db.Model):
    """CaseFlowCount for one organisation (department "") or one département (organisation_id 0)."""
    __tablename__ = "scoped_flow_counts"
    __table_args__ = (PrimaryKeyConstraint("organisation_id", "department", "process_key", "measure", "day", "stage",
                                           "sender_kind", "refusal_reason", postgresql_include=["cases"]),)

    organisation_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    department: Mapped[str] = mapped_column(String(3), primary_key=True)
    process_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    measure: Mapped[str] = mapped_column(String(10), primary_key=True)
    day = mapped_column(Date, primary_key=True)
    stage: Mapped[str] = mapped_column(String(40), primary_key=True, default="")
    sender_kind: Mapped[str] = mapped_column(String(20), primary_key=True, default="")
    refusal_reason: Mapped[str] = mapped_column(String(40), primary_key=True, default="")
    cases: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


SCOPED_KEY = ("organisation_id", "department", "process_key", "day", "measure", "stage", "sender_kind",
              "refusal_reason")
SCOPED_FIELDS = (*FLOW_FIELDS, "employer_department")

from app.models.cases import CaseParty  # noqa: E402


def _touched_cases(session, after):
    """Ids of the stored cases whose scoped counters this flush may change."""
    ids = set()
    for obj in [*session.new, *session.dirty, *session.deleted]:
        if isinstance(obj, Case):
            if obj.id is None:
                continue
            state = inspect(obj)
            if (after and obj in session.new) or obj in session.deleted or _changed(state, SCOPED_FIELDS):
                ids.add(obj.id)
        elif isinstance(obj, CaseParty):
            state = inspect(obj)
            if obj in session.dirty and not _changed(state, ("case_id", "organisation_id")):
                continue
            ids.update(i for i in (obj.case_id, _before(state, "case_id") if obj not in session.new else None) if i)
            if obj.case_id is None and obj.case is not None and obj.case.id is not None:
                ids.add(obj.case.id)
    return ids


def scoped_keys(session, ids):
    """Counter({key: n}) of the cases `ids` as the database holds them now."""
    from collections import Counter
    found = Counter()
    ids = sorted(ids)
    if not ids:
        return found
    places = {}
    for case_id, organisation_id in session.execute(
            select(CaseParty.case_id, CaseParty.organisation_id).distinct()
            .where(CaseParty.case_id.in_(ids), CaseParty.organisation_id.isnot(None))):
        places.setdefault(case_id, []).append((organisation_id, ""))
    for case_id, department, *values in session.execute(
            select(Case.id, Case.employer_department, *(getattr(Case, n) for n in FLOW_FIELDS))
            .where(Case.id.in_(ids))):
        where = places.get(case_id, []) + ([(0, department)] if department else [])
        for key in flow_keys(*values):
            for organisation_id, place in where:
                found[(organisation_id, place, key[0], *key[1:])] += 1
    return found


keep_recounted("supervision_scoped_counts_before", _touched_cases, scoped_keys, ScopedFlowCount.__table__,
               SCOPED_KEY, "cases")


# -- the support journal of an organisation and of a département --------------------------------
# An organisation's or a département's journal reads its own rows, newest first, from one index,
# instead of joining each of support's actions to its case and parties to find the few in scope.
# A support action counts, like the scoped counters, once for each organisation that is a party of
# the case and once for the employer's département; when the case's parties or département change
# (a transfer), its rows are written again, so that a journal shows the actions on the cases the
# scope sees now.

class SupportJournalEntry(db.Model):
    """A support action on a case, for one organisation (department "") or one département (organisation_id 0)."""
    __tablename__ = "support_journal"
    __table_args__ = (Index("ix_support_journal_place", "organisation_id", "department", "process_key", "at",
                            "event_id"),)

    organisation_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    department: Mapped[str] = mapped_column(String(3), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True,
                                          autoincrement=False)
    case_id: Mapped[int] = mapped_column(Integer, index=True)
    process_key: Mapped[str] = mapped_column(String(80))
    at = mapped_column(UTCDateTime(), nullable=False)


def _journal_cases(session):
    """Ids of the cases whose journal rows this flush changes: a new support action, a party or the
    employer's département changed."""
    ids = set()
    for obj in [*session.new, *session.dirty, *session.deleted]:
        if isinstance(obj, Event) and obj in session.new:
            if obj.kind in SUPPORT_EVENT_KINDS and obj.actor_id is not None and obj.case_id is not None:
                ids.add(obj.case_id)
        elif isinstance(obj, CaseParty):
            state = inspect(obj)
            if obj in session.dirty and not _changed(state, ("case_id", "organisation_id")):
                continue
            if obj in session.new and obj.case in session.new:
                continue  # the parties of a case being opened: no support action on it yet
            ids.update(i for i in (obj.case_id, _before(state, "case_id")) if i)
        elif isinstance(obj, Case) and obj in session.dirty and _changed(inspect(obj), ("employer_department",)):
            ids.add(obj.id)
    return ids


def journal_rows(case_ids=None):
    """SELECT the support journal's rows (of `case_ids`, or of every case) as the events, parties and
    cases say now: what `write_journal` stores and the migration backfills."""
    support_actions = [Event.kind.in_(SUPPORT_EVENT_KINDS), Event.actor_id.isnot(None)]
    if case_ids is not None:
        support_actions.append(Event.case_id.in_(sorted(case_ids)))
    parties = (select(CaseParty.case_id, CaseParty.organisation_id).distinct()
               .where(CaseParty.organisation_id.isnot(None)).subquery())
    of_organisations = (select(parties.c.organisation_id, literal(""), Event.id, Event.case_id, Case.process_key,
                               Event.at)
                        .join(Case, Case.id == Event.case_id).join(parties, parties.c.case_id == Event.case_id)
                        .where(*support_actions))
    of_departments = (select(literal(0), Case.employer_department, Event.id, Event.case_id, Case.process_key,
                             Event.at)
                      .join(Case, Case.id == Event.case_id)
                      .where(*support_actions, Case.employer_department.isnot(None), Case.employer_department != ""))
    return union_all(of_organisations, of_departments)


JOURNAL_FIELDS = ("organisation_id", "department", "event_id", "case_id", "process_key", "at")


def write_journal(connection, case_ids):
    """Replace the journal rows of `case_ids` by what their events, parties and cases say now."""
    table = SupportJournalEntry.__table__
    connection.execute(delete(table).where(table.c.case_id.in_(sorted(case_ids))))
    connection.execute(insert(table).from_select(list(JOURNAL_FIELDS), journal_rows(case_ids)))


@event.listens_for(db.session, "after_flush")
def _keep_support_journal(session, _flush_context):
    with session.no_autoflush:
        ids = _journal_cases(session)
    if ids:
        write_journal(session.connection(), ids)

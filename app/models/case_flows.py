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
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, String, event, inspect, select
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import utcnow
from app.models.cases import Case, Task

PARIS = ZoneInfo("Europe/Paris")
FLOW_FIELDS = ("process_key", "created_at", "stage", "sender_kind", "refusal_reason", "closed_at")
TASK_FIELDS = ("state", "listed", "due_at", "created_at", "case_id")


class CaseFlowCount(db.Model):
    """How many cases were opened (or closed) on a Paris day, by what they are now."""
    __tablename__ = "case_flow_counts"

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
    changes = [(key, n) for key, n in sorted(deltas.items(), key=lambda item: str(item[0])) if n]
    if changes:
        add_counts(session.connection(), changes)


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


# -- PASS IAE figures (app/services/supervision.py pass_statistics) ------------------------------
# Declared here, on the PASS tables, so that the dashboard's indexes live with the dashboard's facts:
# PASS issued in a period and expiring soon, not cancelled; suspensions and prolongations by date.
from sqlalchemy import Index, text

from app.models.approvals import Approval, Prolongation, Suspension

LIVE_PASS = text("cancelled_at IS NULL")
Index("ix_approvals_live_created", Approval.created_at, postgresql_where=LIVE_PASS, sqlite_where=LIVE_PASS)
Index("ix_approvals_live_end", Approval.end_on, postgresql_where=LIVE_PASS, sqlite_where=LIVE_PASS)
Index("ix_suspensions_created", Suspension.created_at)
Index("ix_prolongations_created", Prolongation.created_at)

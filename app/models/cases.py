"""Cases, the parties bound to them, the task table (the inbox) and the event log."""
from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
    text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class Case(db.Model):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(40), unique=True, nullable=True)
    process_key: Mapped[str] = mapped_column(String(80), index=True, active_history=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), index=True)
    # running / completed / error / cancelled / suspended
    status: Mapped[str] = mapped_column(String(20), default="running", index=True)
    # Business stage set by milestones in the diagram (key and label as drawn).
    stage: Mapped[str] = mapped_column(String(40), default="", index=True, active_history=True)
    stage_label: Mapped[str] = mapped_column(String(120), default="")
    title: Mapped[str] = mapped_column(String(255), default="")
    job_seeker_id: Mapped[int | None] = mapped_column(ForeignKey("job_seekers.id"), nullable=True, index=True)
    parent_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    # Hidden from default lists after a long time untouched (DOMAIN §4), restorable.
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # Deferred: lists and permission checks never need the serialized workflow.
    workflow_json: Mapped[str] = deferred(mapped_column(Text, nullable=False, default=""))
    serializer_version: Mapped[str] = mapped_column(String(20), default="")
    # Earliest timer due in the workflow; the timer job wakes cases whose time has come.
    next_wake_at = mapped_column(UTCDateTime(), nullable=True, index=True)
    # Names of the messages the workflow waits for, space separated, for routing.
    waiting_messages: Mapped[str] = mapped_column(String(500), default="")
    # Business facts lists show without reading the workflow (answer, refusal reason, dates):
    # the workflow data keys named by the process property `summaryFields`.
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # active_history: the old value is known at flush even if never read, so that
    # app/models/case_flows.py can move the case from one counter to another.
    created_at = mapped_column(UTCDateTime(), default=utcnow, index=True, active_history=True)
    updated_at = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    closed_at = mapped_column(UTCDateTime(), nullable=True, active_history=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # The employer party's organisation, département and kind, copied here whenever the employer
    # party changes (_copy_employer below): supervisors filter and count cases on one table.
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), nullable=True)
    employer_department: Mapped[str] = mapped_column(String(3), default="")
    employer_kind: Mapped[str] = mapped_column(String(20), default="")
    # Supervision facts, kept in step at every flush by app/models/case_flows.py: who sent the
    # application and why it was refused (from the summary), when the employer first answered and
    # when it was first accepted, and the oldest open task's creation and the earliest due date
    # (None when no task waits): dashboards and the case list read them from indexes.
    sender_kind: Mapped[str] = mapped_column(String(20), default="", active_history=True)
    refusal_reason: Mapped[str] = mapped_column(String(40), default="", active_history=True)
    first_answer_at = mapped_column(UTCDateTime(), nullable=True)
    accepted_at = mapped_column(UTCDateTime(), nullable=True)
    waiting_since = mapped_column(UTCDateTime(), nullable=True)
    next_due_at = mapped_column(UTCDateTime(), nullable=True)

    # Optimistic lock: an UPDATE that finds another lock_version fails with StaleDataError.
    __mapper_args__ = {"version_id_col": lock_version}
    # Supervision (app/services/supervision.py): a process's cases opened, or closed, in a period, on
    # the platform or in a département; on PostgreSQL the columns dashboards count ride along in the
    # index, so they read the index only.
    __table_args__ = (
        Index("ix_cases_process_created", "process_key", "created_at",
              postgresql_include=["id", "stage", "status", "employer_department", "employer_kind", "sender_kind",
                                  "refusal_reason"]),
        Index("ix_cases_department", "employer_department", "created_at",
              postgresql_include=["id", "process_key", "stage", "status", "employer_kind", "closed_at",
                                  "sender_kind", "refusal_reason", "first_answer_at", "accepted_at"]),
        Index("ix_cases_process_closed", "process_key", "closed_at"),
        # Lead times of a large scope are measured on one case in 32 (by id): this index holds them.
        Index("ix_cases_sample", "process_key", "created_at",
              postgresql_include=["employer_department", "employer_kind", "stage", "first_answer_at",
                                  "accepted_at"],
              postgresql_where=text("id % 32 = 0"), sqlite_where=text("id % 32 = 0")),
        # ... and those of a big département (the same sample, by the employer's département).
        Index("ix_cases_department_sample", "employer_department", "created_at",
              postgresql_include=["process_key", "stage", "first_answer_at", "accepted_at"],
              postgresql_where=text("id % 8 = 0"), sqlite_where=text("id % 8 = 0")),
        # A set of cases found by id (an organisation's, a text search's) sorted by date from the index alone.
        Index("ix_cases_id_created", "id", postgresql_include=["created_at"]),
        # The case list's "overdue" and "waiting since" filters, newest first.
        # id in the key: the page's ids are read from the index alone (app/services/case_search.py).
        Index("ix_cases_waiting", "created_at", "id", postgresql_include=["waiting_since", "next_due_at"],
              postgresql_where=text("waiting_since IS NOT NULL"), sqlite_where=text("waiting_since IS NOT NULL")),
        Index("ix_cases_department_waiting", "employer_department", "created_at", "id",
              postgresql_include=["waiting_since", "next_due_at"],
              postgresql_where=text("waiting_since IS NOT NULL"), sqlite_where=text("waiting_since IS NOT NULL")),
    )

    process_version = relationship("ProcessVersion")
    job_seeker = relationship("JobSeeker")
    parent = relationship("Case", remote_side=[id])
    created_by = relationship("User")
    parties = relationship("CaseParty", back_populates="case", cascade="all, delete-orphan")
    tasks = relationship("Task", back_populates="case", order_by="Task.id")
    events = relationship("Event", back_populates="case", order_by="Event.id")

    def party(self, role):
        return next((p for p in self.parties if p.role == role), None)

    def organisation_for(self, role):
        party = self.party(role)
        return party.organisation if party else None


class CaseParty(db.Model):
    """Binds a lane role of the case to an organisation and/or a person."""
    __tablename__ = "case_parties"
    # With case_id: "the cases of an organisation (in a role)" reads the index only (supervision scopes).
    # Lead times of a big organisation are measured on one case in 8 (app/services/supervision.py
    # SCOPE_SAMPLE_EVERY): this index holds them.
    __table_args__ = (Index("ix_case_parties_org_role", "organisation_id", "role", "case_id"),
                      Index("ix_case_parties_sample", "organisation_id", "case_id",
                            postgresql_where=text("case_id % 8 = 0"), sqlite_where=text("case_id % 8 = 0")))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    role: Mapped[str] = mapped_column(String(40))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)

    case = relationship("Case", back_populates="parties")
    organisation = relationship("Organisation")
    user = relationship("User")


class Task(db.Model):
    """One human task of a case, mirrored from the workflow: what inboxes read."""
    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_inbox_org", "organisation_id", "state", "due_at"),
        Index("ix_tasks_inbox_assignee", "assignee_id", "state"),
        # Supervision: where cases wait now (open, listed tasks) and a case's first answer.
        Index("ix_tasks_waiting", "case_id", postgresql_include=["spec_name", "due_at", "created_at"],
              postgresql_where=text("state = 'open' AND listed IS TRUE"),
              sqlite_where=text("state = 'open' AND listed IS TRUE")),
        Index("ix_tasks_case_role_state", "case_id", "role", "state", postgresql_include=["completed_at"]),
        # The open tasks due within an hour (the boundaries of the "now" counters, app/models/case_flows.py).
        Index("ix_tasks_open_due", "due_at", postgresql_include=["case_id", "spec_name"],
              postgresql_where=text("state = 'open' AND listed IS TRUE"),
              sqlite_where=text("state = 'open' AND listed IS TRUE")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    spiff_task_id: Mapped[str] = mapped_column(String(36), index=True)
    spec_name: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(255))
    form_key: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(40))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), nullable=True)
    # A person named on the case for this role (e.g. the job seeker), when there is no organisation.
    candidate_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    # open / completed / cancelled
    state: Mapped[str] = mapped_column(String(20), default="open")
    # Not listed in inboxes (an optional action such as reconsidering a refusal).
    listed: Mapped[bool] = mapped_column(Boolean, default=True)
    properties: Mapped[dict] = mapped_column(JSON, default=dict)
    due_at = mapped_column(UTCDateTime(), nullable=True)
    created_at = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at = mapped_column(UTCDateTime(), nullable=True)
    completed_at = mapped_column(UTCDateTime(), nullable=True)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    case = relationship("Case", back_populates="tasks")
    organisation = relationship("Organisation")
    assignee = relationship("User", foreign_keys=[assignee_id])
    completed_by = relationship("User", foreign_keys=[completed_by_id])
    candidate_user = relationship("User", foreign_keys=[candidate_user_id])


class Event(db.Model):
    """Append-only event log of a case: the audit trail support and supervisors read."""
    __tablename__ = "events"
    # A case's events of one kind (when it reached a stage), and the latest of some kinds (support's journal).
    __table_args__ = (
        Index("ix_events_case_kind", "case_id", "kind"),
        Index("ix_events_kind_at", "kind", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    # case_started, task_created, task_completed, task_claimed, task_unclaimed, stage_changed,
    # timer_fired, message_received, service_called, service_failed, notification_queued, ...
    kind: Mapped[str] = mapped_column(String(40))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), nullable=True)
    summary: Mapped[str] = mapped_column(String(500), default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    case = relationship("Case", back_populates="events")
    actor = relationship("User")
    task = relationship("Task")


@event.listens_for(db.session, "before_flush")
def _copy_employer(session, _flush_context, _instances):
    """Keep Case.employer_* in step with the case's employer party, whoever changes it (the engine
    when it opens a case, a transfer, support binding the role to another organisation)."""
    from app.models.organisations import Organisation

    with session.no_autoflush:
        for party in [*session.new, *session.dirty]:
            if not isinstance(party, CaseParty) or party.role != "employer" or party.case is None:
                continue
            organisation = session.get(Organisation, party.organisation_id) if party.organisation_id else None
            case = party.case
            case.employer_id = organisation.id if organisation else None
            case.employer_department = organisation.department if organisation else ""
            case.employer_kind = organisation.kind if organisation else ""


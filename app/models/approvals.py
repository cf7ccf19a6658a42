"""PASS IAE (DOMAIN §7), their hires, suspensions (§8), prolongations and prolongation requests (§9).

The rules live in app/domain/approvals; these rows are the facts they read. The database
enforces what it can: a unique number, end ≥ start, no two suspensions (or prolongations)
of one PASS overlapping (an exclusion constraint on PostgreSQL, triggers on SQLite: see the
migration), one pending prolongation request per PASS (a partial unique index).
"""
from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class PassNumberCounter(db.Model):
    """One row holding the last PASS sequence handed out.

    Taking a number is `UPDATE … SET last_value = last_value + 1 RETURNING last_value` in the
    hire's transaction: the row stays locked until it commits (SQLite: the write lock), so two
    hires never share a number, and a rolled-back hire gives its number back instead of leaving
    a gap (DOMAIN §7.1: unique, never reused).
    """
    __tablename__ = "pass_number_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Approval(db.Model):
    """A PASS IAE: one person's right to an IAE path, 730 days pushed by suspensions and prolongations."""
    __tablename__ = "approvals"
    __table_args__ = (
        CheckConstraint("end_on >= start_on", name="dates"),
        CheckConstraint("base_end_on >= start_on", name="base_dates"),
        # A person's PASS by end date: the valid one, the last one (waiting period).
        Index("ix_approvals_job_seeker_end", "job_seeker_id", "end_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(12), unique=True, nullable=False)
    job_seeker_id: Mapped[int] = mapped_column(ForeignKey("job_seekers.id"), nullable=False)
    start_on = mapped_column(Date, nullable=False)
    # End before any suspension or prolongation (start + 729 for a PASS issued here).
    base_end_on = mapped_column(Date, nullable=False)
    # Current end: base end pushed by every suspension and prolongation (kept in step by
    # app/services/approvals.py whenever one changes; lists and dashboards read it).
    end_on = mapped_column(Date, nullable=False, index=True)
    # "issued" by a hire, "manual" when support delivered it (person without NIR).
    origin: Mapped[str] = mapped_column(String(20), default="issued")
    # Set when the only hire on it was cancelled (DOMAIN §5 step 7): it no longer counts.
    cancelled_at = mapped_column(UTCDateTime(), nullable=True)
    created_at = mapped_column(UTCDateTime(), default=utcnow, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    # Optimistic lock: an action on a PASS that changed meanwhile is refused.
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    job_seeker = relationship("JobSeeker")
    created_by = relationship("User")
    hires = relationship("ApprovalHire", back_populates="approval", order_by="ApprovalHire.hiring_start_on")
    suspensions = relationship("Suspension", back_populates="approval", order_by="Suspension.start_on",
                               cascade="all, delete-orphan")
    prolongations = relationship("Prolongation", back_populates="approval", order_by="Prolongation.start_on")
    prolongation_requests = relationship("ProlongationRequest", back_populates="approval",
                                         order_by="ProlongationRequest.id")


class ApprovalHire(db.Model):
    """A hire made on a PASS: which company, from which hire case, when the contract starts."""
    __tablename__ = "approval_hires"
    __table_args__ = (
        CheckConstraint("hiring_end_on IS NULL OR hiring_end_on >= hiring_start_on", name="dates"),
        Index("ix_approval_hires_company", "company_id", "approval_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    approval_id: Mapped[int] = mapped_column(ForeignKey("approvals.id"), nullable=False, index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    # The hire case (bpmn/hire.bpmn) that made it.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, unique=True)
    hiring_start_on = mapped_column(Date, nullable=False)
    hiring_end_on = mapped_column(Date, nullable=True)
    cancelled_at = mapped_column(UTCDateTime(), nullable=True)
    created_at = mapped_column(UTCDateTime(), default=utcnow)

    approval = relationship("Approval", back_populates="hires")
    company = relationship("Organisation")
    case = relationship("Case")


class Suspension(db.Model):
    """A suspension of a PASS (DOMAIN §8); its days push the PASS end."""
    __tablename__ = "suspensions"
    __table_args__ = (CheckConstraint("end_on >= start_on", name="dates"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    approval_id: Mapped[int] = mapped_column(ForeignKey("approvals.id"), nullable=False, index=True)
    start_on = mapped_column(Date, nullable=False)
    end_on = mapped_column(Date, nullable=False)
    # "End unknown" was ticked: end_on is then the maximum (start + 36 months − 1 day).
    end_unknown: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(String(40), nullable=False)
    explanation: Mapped[str] = mapped_column(Text, default="")
    # The SIAE (or the authorized prescriber's organisation) that suspended it.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    updated_at = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    approval = relationship("Approval", back_populates="suspensions")
    organisation = relationship("Organisation")
    created_by = relationship("User", foreign_keys=[created_by_id])


class Prolongation(db.Model):
    """A prolongation of a PASS (DOMAIN §9): declared directly, or granted on a request."""
    __tablename__ = "prolongations"
    __table_args__ = (CheckConstraint("end_on >= start_on", name="dates"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    approval_id: Mapped[int] = mapped_column(ForeignKey("approvals.id"), nullable=False, index=True)
    start_on = mapped_column(Date, nullable=False)
    end_on = mapped_column(Date, nullable=False)
    reason: Mapped[str] = mapped_column(String(40), nullable=False)
    explanation: Mapped[str] = mapped_column(Text, default="")
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    declared_by_company_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    # The authorized prescriber who granted it (reasons that need one).
    validated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    validated_by_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"),
                                                                     nullable=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("prolongation_requests.id"), nullable=True,
                                                   unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    created_at = mapped_column(UTCDateTime(), default=utcnow)

    approval = relationship("Approval", back_populates="prolongations")
    declared_by = relationship("User", foreign_keys=[declared_by_id])
    declared_by_company = relationship("Organisation", foreign_keys=[declared_by_company_id])
    validated_by = relationship("User", foreign_keys=[validated_by_id])
    validated_by_organisation = relationship("Organisation", foreign_keys=[validated_by_organisation_id])


class ProlongationRequest(db.Model):
    """A prolongation asked of an authorized prescriber (RQTH, SENIOR, PARTICULAR_DIFFICULTIES)."""
    __tablename__ = "prolongation_requests"
    __table_args__ = (
        CheckConstraint("end_on >= start_on", name="dates"),
        # DOMAIN §9: one pending request per PASS.
        Index("uq_prolongation_requests_pending", "approval_id", unique=True,
              postgresql_where=text("status = 'pending'"), sqlite_where=text("status = 'pending'")),
        Index("ix_prolongation_requests_prescriber", "prescriber_organisation_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    approval_id: Mapped[int] = mapped_column(ForeignKey("approvals.id"), nullable=False, index=True)
    # pending / granted / denied (PROLONGATION_REQUEST_STATES)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="pending")
    reason: Mapped[str] = mapped_column(String(40), nullable=False)
    explanation: Mapped[str] = mapped_column(Text, default="")
    start_on = mapped_column(Date, nullable=False)
    end_on = mapped_column(Date, nullable=False)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    # The authorized prescriber chosen by the employer, and their organisation (any authorized
    # member of it may decide).
    prescriber_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    prescriber_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    # Optional phone interview contact and report file (the three prescriber reasons).
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    report_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), nullable=True)
    deny_reason: Mapped[str] = mapped_column(String(20), default="")
    deny_explanation: Mapped[str] = mapped_column(Text, default="")
    deny_proposed_actions: Mapped[list] = mapped_column(JSON, default=list)
    decided_at = mapped_column(UTCDateTime(), nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    created_at = mapped_column(UTCDateTime(), default=utcnow)

    approval = relationship("Approval", back_populates="prolongation_requests")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    company = relationship("Organisation", foreign_keys=[company_id])
    prescriber = relationship("User", foreign_keys=[prescriber_id])
    prescriber_organisation = relationship("Organisation", foreign_keys=[prescriber_organisation_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

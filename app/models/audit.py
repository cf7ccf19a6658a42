"""The audit log of changes made outside any case (DOMAIN §13: every change is logged with its author).

A case keeps its own history in its event log (app/models/cases.Event). What has no
case — an admin editing a job description or closing spontaneous applications, a
nightly job deactivating stale job descriptions — is recorded here instead:

    from app.models.audit import record
    record("job_description_updated", actor=user, organisation=company,
           summary="Fiche « Maçon » modifiée", data={"changes": {...}})

The row joins the caller's transaction: it is committed (or rolled back) with the change.
"""
from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # None: the platform itself (a scheduled job).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), nullable=True, index=True)
    # What happened, as a stable code: job_description_created, applications_blocked...
    action: Mapped[str] = mapped_column(String(60), index=True)
    # The same in French, for the people who read the log.
    summary: Mapped[str] = mapped_column(String(500), default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    actor = relationship("User")
    organisation = relationship("Organisation")

    @property
    def actor_name(self):
        return self.actor.full_name if self.actor is not None else "Plateforme"


def record(action, actor=None, organisation=None, summary="", data=None):
    """Add an audit row to the current session (no commit) and return it."""
    entry = AuditEntry(action=action, summary=summary[:500], data=data or {},
                       actor_id=getattr(actor, "id", actor),
                       organisation_id=getattr(organisation, "id", organisation))
    db.session.add(entry)
    return entry

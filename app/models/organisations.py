"""Organisations (prescribers, companies, institutions) and memberships (DOMAIN §2)."""
from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # "prescriber", "company" or "institution"
    category: Mapped[str] = mapped_column(String(20), index=True)
    # Prescriber kind (FT, ML, ...), company kind (ACI, EI, ...) or institution kind (DDETS, ...)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(255))
    siret: Mapped[str | None] = mapped_column(String(14), unique=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    postcode: Mapped[str] = mapped_column(String(5), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    department: Mapped[str] = mapped_column(String(3), default="", index=True)
    email: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    # Prescribers: not_set / validated / refused / not_required (DOMAIN §2)
    authorization_status: Mapped[str] = mapped_column(String(20), default="not_set")
    # Companies: refuse every application from outside (DOMAIN §3 step 4)
    block_job_applications: Mapped[bool] = mapped_column(Boolean, default=False)
    spontaneous_applications_open_until: Mapped["Date | None"] = mapped_column(Date, nullable=True)
    created_at = mapped_column(UTCDateTime(), default=utcnow)

    memberships = relationship("Membership", back_populates="organisation", lazy="dynamic")

    @property
    def is_authorized_prescriber(self):
        return self.category == "prescriber" and self.authorization_status == "validated"

    @property
    def is_siae(self):
        from app.domain.vocabularies import SIAE_KINDS
        return self.category == "company" and self.kind in SIAE_KINDS

    @property
    def display_name(self):
        return f"{self.name} ({self.kind})" if self.category == "company" else self.name

    def active_members(self):
        from app.models.people import User
        return (User.query.join(Membership, Membership.user_id == User.id)
                .filter(Membership.organisation_id == self.id, Membership.is_active.is_(True),
                        User.is_active.is_(True))
                .order_by(User.last_name, User.first_name).all())



# Support's search by organisation name ("contains", app/services/case_search.py) reads this trigram
# index on PostgreSQL instead of every name; SQLite, for small databases, scans (the migration
# creates it on PostgreSQL only).
Index("ix_organisations_name_trgm", func.lower(Organisation.name).label("name_lower"), postgresql_using="gin",
      postgresql_ops={"name_lower": "gin_trgm_ops"})

class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User", back_populates="memberships")
    organisation = relationship("Organisation", back_populates="memberships")


class Invitation(db.Model):
    """An organisation admin invites a colleague by email (seed 003, Fiche 6)."""
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(255), index=True)
    # Only a hash of the link's token is stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at = mapped_column(UTCDateTime(), default=utcnow)
    expires_at = mapped_column(UTCDateTime())
    accepted_at = mapped_column(UTCDateTime(), nullable=True)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    revoked_at = mapped_column(UTCDateTime(), nullable=True)

    organisation = relationship("Organisation")
    invited_by = relationship("User", foreign_keys=[invited_by_id])

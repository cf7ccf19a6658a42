"""Eligibility diagnoses: who validated IAE eligibility, when, with which criteria (DOMAIN §6.2)."""
from sqlalchemy import JSON, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class Diagnosis(db.Model):
    __tablename__ = "diagnoses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_seeker_id: Mapped[int] = mapped_column(ForeignKey("job_seekers.id"), index=True)
    # "prescriber" or "employer"
    author_kind: Mapped[str] = mapped_column(String(20))
    author_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    author_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    criteria: Mapped[list] = mapped_column(JSON, default=list)
    # The prescriber's socio-professional grid {dimension: level} and support needs (DOMAIN §6.3).
    socio_professional: Mapped[dict] = mapped_column(JSON, default=dict)
    support_needs: Mapped[list] = mapped_column(JSON, default=list)
    created_on = mapped_column(Date)
    expires_on = mapped_column(Date)
    created_at = mapped_column(UTCDateTime(), default=utcnow)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)

    job_seeker = relationship("JobSeeker")
    author_organisation = relationship("Organisation")
    author_user = relationship("User")

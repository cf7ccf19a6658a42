"""Job descriptions (fiches de poste) published by companies (DOMAIN §10)."""
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class JobDescription(db.Model):
    __tablename__ = "job_descriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    rome_code: Mapped[str] = mapped_column(String(5))
    appellation: Mapped[str] = mapped_column(String(255))
    custom_name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # Codes of vocabularies.JOB_CONTRACT_TYPES
    contract_type: Mapped[str] = mapped_column(String(40), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    postcode: Mapped[str] = mapped_column(String(5), default="")
    department: Mapped[str] = mapped_column(String(3), default="", index=True)
    hours_per_week: Mapped[int | None] = mapped_column(Integer, nullable=True)
    open_positions: Mapped[int] = mapped_column(Integer, default=1)
    cv_required: Mapped[bool] = mapped_column(Boolean, default=False)
    # "Recrutement ouvert": inactive jobs receive no application (DOMAIN §10).
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    created_at = mapped_column(UTCDateTime(), default=utcnow)
    updated_at = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    company = relationship("Organisation")

    @property
    def display_name(self):
        return self.custom_name or self.appellation

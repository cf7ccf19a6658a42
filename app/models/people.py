"""People: user accounts, job seekers, API tokens (DOMAIN §2)."""
from flask_login import UserMixin
from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    first_name: Mapped[str] = mapped_column(String(120), default="")
    last_name: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    # "professional", "job_seeker" or "staff"
    kind: Mapped[str] = mapped_column(String(20), default="professional")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_support: Mapped[bool] = mapped_column(Boolean, default=False)
    is_process_owner: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at = mapped_column(UTCDateTime(), nullable=True)

    memberships = relationship("Membership", back_populates="user")

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def active_memberships(self):
        return [m for m in self.memberships if m.is_active]


class JobSeeker(db.Model):
    """The person a case is about; may or may not have a user account."""
    __tablename__ = "job_seekers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True, nullable=True)
    first_name: Mapped[str] = mapped_column(String(120))
    last_name: Mapped[str] = mapped_column(String(120))
    birth_date = mapped_column(Date, nullable=True)
    # Birth place, completed at hire (DOMAIN §5 step 1): a commune in France, else a country.
    birth_place: Mapped[str] = mapped_column(String(120), default="")
    birth_country: Mapped[str] = mapped_column(String(80), default="")
    email: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)
    phone: Mapped[str] = mapped_column(String(20), default="")
    nir: Mapped[str | None] = mapped_column(String(15), unique=True, nullable=True)
    nir_missing_reason: Mapped[str] = mapped_column(String(40), default="")
    # France Travail identifier, or the person declared not registered there: either lets a
    # PASS IAE be issued without a NIR (DOMAIN §5 step 5).
    france_travail_id: Mapped[str] = mapped_column(String(11), default="")
    france_travail_not_registered: Mapped[bool] = mapped_column(Boolean, default=False)
    address: Mapped[str] = mapped_column(String(255), default="")
    postcode: Mapped[str] = mapped_column(String(5), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    department: Mapped[str] = mapped_column(String(3), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User", foreign_keys=[user_id])

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name.upper()}"


# Case search (app/services/case_search.py): names by prefix and e-mail, whatever the case typed.
Index("ix_job_seekers_last_name_lower", func.lower(JobSeeker.last_name).label("last_name_lower"),
      postgresql_ops={"last_name_lower": "text_pattern_ops"})
Index("ix_job_seekers_first_name_lower", func.lower(JobSeeker.first_name).label("first_name_lower"),
      postgresql_ops={"first_name_lower": "text_pattern_ops"})
Index("ix_job_seekers_email_lower", func.lower(JobSeeker.email))


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Only a hash is stored: a leaked database does not leak usable tokens.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), nullable=True)
    created_at = mapped_column(UTCDateTime(), default=utcnow)
    expires_at = mapped_column(UTCDateTime())

    user = relationship("User")

"""The notification outbox (DOMAIN §11): shown in the app, mailed when SMTP is set."""
from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    # Job seekers without an account are reached by email only.
    recipient_email: Mapped[str] = mapped_column(String(255), default="")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    template: Mapped[str] = mapped_column(String(80))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    # pending (waiting for the mail job), sent, failed, in_app (no SMTP configured)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at = mapped_column(UTCDateTime(), default=utcnow)
    sent_at = mapped_column(UTCDateTime(), nullable=True)
    read_at = mapped_column(UTCDateTime(), nullable=True)

    recipient = relationship("User")
    case = relationship("Case")

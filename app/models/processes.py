"""Process versions: the BPMN XML each case runs, stored once (DESIGN: app/engine)."""
from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class ProcessVersion(db.Model):
    __tablename__ = "process_versions"
    __table_args__ = (UniqueConstraint("process_key", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_key: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255), default="")
    # Deferred: a running case needs only the version's id, its spec comes from the cache.
    xml: Mapped[str] = deferred(mapped_column(Text, nullable=False))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    # "file" (loaded from bpmn/ at start) or "published" (by a process owner)
    source: Mapped[str] = mapped_column(String(20), default="file")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    created_by = relationship("User")

    @classmethod
    def latest(cls, process_key):
        return (cls.query.filter_by(process_key=process_key)
                .order_by(cls.version.desc()).first())

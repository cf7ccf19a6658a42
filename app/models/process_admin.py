"""What process owners edit in the browser: one draft per process, and published form specs.

A draft is the diagram (and the form specs edited with it) being prepared; publishing
turns it into a new ProcessVersion (app/models/processes.py) and deletes it. `lock`
counts the saves: a save names the lock it started from, so two process owners never
overwrite each other's work (optimistic concurrency, app/services/process_admin.py).
"""
from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class ProcessDraft(db.Model):
    __tablename__ = "process_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_key: Mapped[str] = mapped_column(String(80), unique=True)
    xml: Mapped[str] = mapped_column(Text)
    # Form specs edited with the diagram: {form_key: YAML text}; published with it.
    forms: Mapped[dict] = mapped_column(JSON, default=dict)
    # The published version number the draft started from.
    base_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    lock: Mapped[int] = mapped_column(Integer, default=1)
    created_at = mapped_column(UTCDateTime(), default=utcnow)
    updated_at = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    updated_by = relationship("User")


class FormSpecVersion(db.Model):
    """A form spec published from the browser; the newest one wins over forms/<form_key>.yaml."""
    __tablename__ = "form_spec_versions"
    __table_args__ = (UniqueConstraint("form_key", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_key: Mapped[str] = mapped_column(String(120), index=True)
    version: Mapped[int] = mapped_column(Integer)
    yaml: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    # The process publication that carried it.
    process_key: Mapped[str] = mapped_column(String(80), default="")
    process_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    created_by = relationship("User")

    @classmethod
    def latest(cls, form_key):
        return cls.query.filter_by(form_key=form_key).order_by(cls.version.desc()).first()

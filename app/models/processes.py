"""Immutable process and form versions, as deployed."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

process_version_form = Table(
    "process_version_form",
    db.metadata,
    Column("process_version_id", ForeignKey("process_version.id"), primary_key=True),
    Column("form_version_id", ForeignKey("form_version.id"), primary_key=True),
)


class FormVersion(db.Model):
    """One published version of a form (JSON Schema plus UI hints)."""

    __tablename__ = "form_version"
    __table_args__ = (
        UniqueConstraint("name", "number"),
        Index("ix_form_version_name_hash", "name", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class ProcessVersion(db.Model):
    """One published version of a BPMN process; instances run on the version they started on."""

    __tablename__ = "process_version"
    __table_args__ = (
        UniqueConstraint("process_id", "number"),
        Index("ix_process_version_pid_hash", "process_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    number: Mapped[int] = mapped_column(Integer)
    xml: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(200))
    decisions: Mapped[str | None] = mapped_column(Text)  # JSON {file name: DMN XML} it calls
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    forms: Mapped[list[FormVersion]] = relationship(secondary=process_version_form)

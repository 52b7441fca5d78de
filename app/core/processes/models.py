"""Immutable process and form versions, as deployed."""

from datetime import datetime

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.core.columns import UTCDateTime
from app.extensions import db

process_version_form = Table(
    "process_version_form",
    db.metadata,
    Column("process_version_id", ForeignKey("process_version.id"), primary_key=True),
    Column("form_version_id", ForeignKey("form_version.id"), primary_key=True),
)

# The published processes a version's call activities call, pinned (like its forms) to the
# version current when it was published: a later version of the callee changes neither it nor
# its running instances.
process_version_call = Table(
    "process_version_call",
    db.metadata,
    Column("caller_version_id", ForeignKey("process_version.id"), primary_key=True),
    Column("callee_version_id", ForeignKey("process_version.id"), primary_key=True),
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

    created_by = relationship("User")


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
    calls: Mapped[list["ProcessVersion"]] = relationship(
        secondary=process_version_call,
        primaryjoin=lambda: ProcessVersion.id == process_version_call.c.caller_version_id,
        secondaryjoin=lambda: ProcessVersion.id == process_version_call.c.callee_version_id,
        order_by=lambda: ProcessVersion.process_id,
    )
    created_by = relationship("User")


class ProcessDraft(db.Model):
    """A process owner's unpublished edit of a process: saved as is, even with errors."""

    __tablename__ = "process_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), unique=True)
    xml: Mapped[str] = mapped_column(Text)
    # None for a new process that has no published version yet (opened from a file).
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("process_version.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The conversion report (JSON) of the file the draft was opened from; kept until publishing.
    report: Mapped[str | None] = mapped_column(Text)

    base_version: Mapped[ProcessVersion | None] = relationship()
    updated_by = relationship("User")


class MigrationBatch(db.Model):
    """One bulk migration of running instances to a process version (or its dry run)."""

    __tablename__ = "migration_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    to_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    dry_run: Mapped[bool] = mapped_column(default=False)
    migrated: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    to_version: Mapped[ProcessVersion] = relationship()
    created_by = relationship("User")
    items: Mapped[list["InstanceMigration"]] = relationship(
        back_populates="batch", order_by="InstanceMigration.id"
    )


class InstanceMigration(db.Model):
    """What a batch did (or would do) to one instance, with the old state kept for a revert."""

    __tablename__ = "instance_migration"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("migration_batch.id"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    from_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    to_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    # "eligible" (dry run), "migrated", "refused", "reverted"
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    old_state: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The instance's lock_version right after the migration: a revert needs it unchanged.
    lock_version_after: Mapped[int | None] = mapped_column(Integer)
    reverted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reverted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    batch: Mapped[MigrationBatch] = relationship(back_populates="items")
    instance = relationship("ProcessInstance")
    from_version: Mapped[ProcessVersion] = relationship(foreign_keys=[from_version_id])
    to_version: Mapped[ProcessVersion] = relationship(foreign_keys=[to_version_id])

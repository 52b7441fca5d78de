"""Running process instances and the inbox of human tasks."""

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.core.columns import UTCDateTime
from app.core.processes.models import ProcessVersion
from app.core.subjects.models import AboutSubject, Subject
from app.core.users.models import Department, User
from app.extensions import db


def _subject_card(model: str):
    """The row's subject card, read-only (app/core/subjects/services.py writes it)."""
    return relationship(
        Subject,
        primaryjoin=f"and_(foreign({model}.subject_type) == Subject.type,"
        f" foreign({model}.subject_key) == Subject.key)",
        viewonly=True,
        uselist=False,
    )


INSTANCE_STATUSES = ("running", "completed", "error", "cancelled")
TASK_STATES = ("ready", "completed", "cancelled")


class ProcessInstance(AboutSubject, db.Model):
    """One run of a process version: engine state (spec excluded) and a version counter."""

    __tablename__ = "process_instance"
    __table_args__ = (Index("ix_process_instance_subject", "subject_type", "subject_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    # What the instance is for ("order_lifecycle", "change", "rush", ...), named by whoever
    # started it: the key of its handlers in app/core/tasks/registry.py.
    kind: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(20), default="running", index=True)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    error_kind: Mapped[str | None] = mapped_column(String(40))
    error_message: Mapped[str | None] = mapped_column(Text)
    error_detail: Mapped[str | None] = mapped_column(Text)
    error_element: Mapped[str | None] = mapped_column(String(200))
    error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    version: Mapped[ProcessVersion] = relationship()
    subject: Mapped[Subject | None] = _subject_card("ProcessInstance")

    __mapper_args__ = {"version_id_col": lock_version}


class HumanTask(AboutSubject, db.Model):
    """One user task as the inbox sees it; written in the same transaction as the engine state."""

    __tablename__ = "human_task"
    __table_args__ = (
        UniqueConstraint("instance_id", "task_id"),
        Index("ix_human_task_dept_state", "department_id", "state"),
        Index("ix_human_task_assignee_state", "assignee_id", "state"),
        Index("ix_human_task_subject", "subject_type", "subject_key"),
        # Inbox tabs and pages count and list open work only: a partial index keeps them from
        # reading the ever-growing history of completed tasks.
        Index(
            "ix_human_task_open",
            "department_id",
            "due_at",
            postgresql_where=text("state = 'ready'"),
            sqlite_where=text("state = 'ready'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(64))
    spec_name: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    role: Mapped[str | None] = mapped_column(String(20))
    form_name: Mapped[str | None] = mapped_column(String(100))
    form_version_id: Mapped[int | None] = mapped_column(ForeignKey("form_version.id"))
    state: Mapped[str] = mapped_column(String(20), default="ready")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    data: Mapped[str | None] = mapped_column(Text)
    context: Mapped[str | None] = mapped_column(
        Text
    )  # JSON: e.g. the line a per-line task is about

    instance: Mapped[ProcessInstance] = relationship()
    department: Mapped[Department | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])
    subject: Mapped[Subject | None] = _subject_card("HumanTask")

    def display_name(self, locale: str) -> str:
        """The step's name in the reader's language (the BPMN name when no translation exists)."""
        return self.name_zh if locale.startswith("zh") and self.name_zh else self.name


class InboxView(db.Model):
    """A named inbox filter set a user saved (search, step, customer, due, sort …)."""

    __tablename__ = "inbox_view"
    # Unique per user: a name sent twice at once is stored once (saved_views.py).
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    query: Mapped[str] = mapped_column(String(1000))  # the inbox query string it reopens
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

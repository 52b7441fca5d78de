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
# "waiting": the task is open but not actionable: it waits for its before-co-signers or its
# delegate (app/core/tasks/cosign.py, actions.py), or its completion is held until the
# after-co-signers agree. The engine still holds it as ready.
TASK_STATES = ("ready", "waiting", "completed", "cancelled")
OPEN_STATES = ("ready", "waiting")


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
            postgresql_where=text("state IN ('ready', 'waiting')"),
            sqlite_where=text("state IN ('ready', 'waiting')"),
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
    # A co-sign or delegation task made by the tasks core (not by the BPMN) for this original.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"), index=True)
    # A completion held until the after-co-signers agree: the form as submitted, and by whom.
    held_form: Mapped[str | None] = mapped_column(Text)
    held_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    instance: Mapped[ProcessInstance] = relationship()
    department: Mapped[Department | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])
    parent: Mapped["HumanTask | None"] = relationship(remote_side=[id], foreign_keys=[parent_id])
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


# --- Approval actions (app/core/tasks/actions.py, cosign.py; docs/TASK_ACTIONS.md) -----------

COSIGN_POSITIONS = ("before", "after")
# pending: an after-co-signer not yet asked (the original is not completed yet); active: their
# task is in their inbox; agreed/disagreed: answered; cancelled: withdrawn or the task ended.
COSIGN_STATES = ("pending", "active", "agreed", "disagreed", "cancelled")
DELEGATION_STATES = ("active", "answered", "recalled", "cancelled")


class TaskCosign(db.Model):
    """加签: a co-signer added to a task, who answers before or after its holder."""

    __tablename__ = "task_cosign"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id"), index=True)
    child_task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"), index=True)
    cosigner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    position: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(20), default="pending")
    note: Mapped[str | None] = mapped_column(Text)
    opinion: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    task: Mapped[HumanTask] = relationship(foreign_keys=[task_id])
    cosigner: Mapped[User] = relationship(foreign_keys=[cosigner_id])
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])


class TaskDelegation(db.Model):
    """委派: the holder asks another user to answer; the task then returns to the holder."""

    __tablename__ = "task_delegation"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id"), index=True)
    child_task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"), index=True)
    delegator_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    delegate_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default="active")
    note: Mapped[str | None] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    task: Mapped[HumanTask] = relationship(foreign_keys=[task_id])
    delegator: Mapped[User] = relationship(foreign_keys=[delegator_id])
    delegate: Mapped[User] = relationship(foreign_keys=[delegate_id])


class TaskCopy(AboutSubject, db.Model):
    """抄送: a task (and its subject) shown read-only to a recipient, for information."""

    __tablename__ = "task_copy"
    __table_args__ = (Index("ix_task_copy_recipient_read", "recipient_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    task: Mapped[HumanTask | None] = relationship()
    recipient: Mapped[User] = relationship(foreign_keys=[recipient_id])
    by: Mapped[User] = relationship(foreign_keys=[by_id])

"""Notes on tasks: comments (with @mentions and files) and the reasons of sends back and
withdrawals, each about the task's subject so the subject's timeline lists them."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.core.columns import UTCDateTime
from app.core.subjects.models import AboutSubject
from app.core.tasks.models import HumanTask, ProcessInstance
from app.core.users.models import User
from app.extensions import db

# comment: written by a user on a task; sendback: why a task was sent back (shown to whoever
# receives it); withdraw: why a requester withdrew their request.
NOTE_KINDS = ("comment", "sendback", "withdraw")


class TaskNote(AboutSubject, db.Model):
    """One note on a task (or on an instance, for a withdrawal)."""

    __tablename__ = "task_note"
    __table_args__ = (Index("ix_task_note_subject", "subject_type", "subject_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"), index=True)
    # A send back: the task it was sent back from (task_id is the task that received it).
    from_task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(20), default="comment")
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()
    task: Mapped[HumanTask | None] = relationship(foreign_keys=[task_id])
    from_task: Mapped[HumanTask | None] = relationship(foreign_keys=[from_task_id])
    instance: Mapped[ProcessInstance | None] = relationship()
    files: Mapped[list["NoteFile"]] = relationship(back_populates="note", order_by="NoteFile.id")
    mentions: Mapped[list["NoteMention"]] = relationship(order_by="NoteMention.id")


class NoteFile(db.Model):
    """A file attached to a comment, stored under the storage directory by a random name."""

    __tablename__ = "note_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("task_note.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)

    note: Mapped[TaskNote] = relationship(back_populates="files")


class NoteMention(db.Model):
    """A user @mentioned in a comment (notified once)."""

    __tablename__ = "note_mention"
    __table_args__ = (UniqueConstraint("note_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("task_note.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)

    user: Mapped[User] = relationship()

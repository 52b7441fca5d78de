"""The audit trail: one row per state change or refused attempt."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.core.columns import UTCDateTime
from app.core.subjects.models import AboutSubject
from app.core.users.models import User
from app.extensions import db


class AuditEvent(AboutSubject, db.Model):
    """Who did what, when, to which object, with the data they submitted."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_object", "object_type", "object_id"),
        Index("ix_audit_event_subject", "subject_type", "subject_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    data: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User | None] = relationship()

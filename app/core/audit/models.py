"""The audit trail: one row per state change or refused attempt, and the seals that chain the
rows together (app/core/audit/chain/).

Both tables are append-only: nothing in the application updates or deletes a row, and on
PostgreSQL triggers refuse it (migration a9e3c5d7f102). The seals live in their own table so
that sealing never writes to an audit row.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
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
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    data: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User | None] = relationship()


class AuditSeal(db.Model):
    """One link of the chain: the HMAC of an audit row chained to the link before it.

    `id` is the order of sealing; `prev_audit_id` names the audit row sealed just before (0 for
    the first link), so a link whose predecessor vanished is found even though audit ids have
    gaps (a rolled-back insert uses up an id). Both are unique: the chain cannot fork.
    `key_id` names the key (a digest of it, not the key) so a key change is told from tampering.
    """

    __tablename__ = "audit_seal"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(Integer, unique=True)
    prev_audit_id: Mapped[int] = mapped_column(Integer, unique=True)
    hmac: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(16))
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

"""Notifications: one message to one user, rendered in the reader's language; each user's
choice of channel per kind; and the outbox of mail written in the notifying transaction."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.core.columns import UTCDateTime
from app.core.subjects.models import AboutSubject
from app.extensions import db

# How a user wants to hear of one kind of event. The bell always shows it; "email" also mails
# it at once, "digest" gathers it into one mail a day.
CHANNELS = ("in_app", "email", "digest")
DEFAULT_CHANNEL = "in_app"
EMAIL_LENGTH = 254  # the longest address SMTP carries (RFC 5321 path limit)


class Notification(AboutSubject, db.Model):
    """An in-app message to one user, rendered in the reader's language from kind + params."""

    __tablename__ = "notification"
    __table_args__ = (
        # The bell's unread count reads only this index's (user, unread) range, never history.
        Index("ix_notification_unread", "user_id", "read_at"),
        # The list pages a user's newest first: read in index order, never a sort of all their
        # rows (a sales member had 8,408 of them, issue 14). Also serves lookups by user.
        Index("ix_notification_user_newest", "user_id", "id"),
        # The daily digest finds what waits for it without reading delivered rows.
        Index("ix_notification_digest", "channel", "mailed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The channel the user had chosen when it was sent (CHANNELS), and when it went by mail
    # (at once, or in a digest).
    channel: Mapped[str] = mapped_column(String(10), default=DEFAULT_CHANNEL)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationPreference(db.Model):
    """One user's channel for one kind of notification (no row: DEFAULT_CHANNEL)."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))


class MailOutbox(db.Model):
    """A mail to send, written in the transaction that caused it; the worker sends it after commit.

    status: pending (waiting or between attempts), sent, failed (gave up after the last attempt).
    A sender claims a row by moving next_attempt_at past its send (a lease), so another worker
    leaves it alone; if the sender dies, the row is tried again once that time has come.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recipient: Mapped[str] = mapped_column(String(EMAIL_LENGTH))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))

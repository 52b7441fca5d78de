"""The daily digest (worker job "mail.digest"): each digest reader's notifications in one mail."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from app.core import clock
from app.core.notifications.mail.queueing import enabled, locale_of, mail_readers, outbox
from app.core.notifications.mail_render import render_digest
from app.core.notifications.models import (
    Notification,
)
from app.extensions import db


def digest_cutoff(now: datetime) -> datetime:
    """The last digest time at or before `now`: MAIL_DIGEST_HOUR in the factory's time zone."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    local = now.astimezone(zone)
    hour = int(current_app.config.get("MAIL_DIGEST_HOUR", 8))
    cutoff = datetime.combine(local.date(), time(hour), tzinfo=zone)
    if cutoff > local:
        cutoff -= timedelta(days=1)
    return cutoff.astimezone(now.tzinfo)


def send_digests(now: datetime | None = None) -> int:
    """Queue one digest mail per digest reader for what they were told before today's digest
    time; returns how many mails were queued. What arrives later waits for tomorrow's."""
    if not enabled():
        return 0
    now = now or clock.utcnow()
    cutoff = digest_cutoff(now)
    stmt = db.select(Notification).where(
        Notification.channel == "digest",
        Notification.mailed_at.is_(None),
        Notification.created_at <= cutoff,
    )
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    by_user: dict[int, list[Notification]] = {}
    for note in db.session.scalars(stmt.order_by(Notification.id)):
        by_user.setdefault(note.user_id, []).append(note)
    readers = mail_readers(list(by_user)) if by_user else {}
    queued = 0
    for user_id, notes in by_user.items():
        # Conditional: rows another worker digested first (SQLite has no row locks; SKIP LOCKED
        # keeps PostgreSQL workers apart) are not mailed twice.
        done = db.session.execute(
            db.update(Notification)
            .where(Notification.id.in_([n.id for n in notes]), Notification.mailed_at.is_(None))
            .values(mailed_at=now)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount == 0:
            continue
        unread = [note for note in notes if note.read_at is None]
        user = readers.get(user_id)
        if user is None or not unread:
            continue  # no address any more, or everything was read in the app already
        locale = locale_of(user)
        subject, text, html = render_digest(user, unread, locale)
        db.session.add(outbox(user, locale, subject, text, html, now))
        queued += 1
    db.session.commit()
    return queued

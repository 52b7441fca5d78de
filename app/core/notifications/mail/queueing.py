"""Queueing notification mail: one outbox row per reader, in the notifying transaction."""

from flask import current_app

from app.core import clock
from app.core.notifications.mail_render import render_one
from app.core.notifications.models import (
    DEFAULT_CHANNEL,
    MailOutbox,
    Notification,
    NotificationPreference,
)
from app.core.users.models import User
from app.extensions import db

SUBJECT_LENGTH = 300


def enabled() -> bool:
    """Whether this installation sends mail at all (MAIL_HOST is set)."""
    return bool(current_app.config.get("MAIL_HOST"))


def mail_readers(user_ids: list[int]) -> dict[int, User]:
    """The active users among `user_ids` who have an address."""
    return {
        user.id: user
        for user in db.session.scalars(
            db.select(User).where(
                User.id.in_(user_ids), User.active.is_(True), User.email.is_not(None)
            )
        )
    }


def channels_for(user_ids: list[int], kind: str) -> dict[int, str]:
    """Each user's channel for `kind`, where it is a mail channel they can receive."""
    if not enabled():
        return {}
    chosen = dict(
        db.session.execute(
            db.select(NotificationPreference.user_id, NotificationPreference.channel).where(
                NotificationPreference.kind == kind,
                NotificationPreference.user_id.in_(user_ids),
                NotificationPreference.channel != DEFAULT_CHANNEL,
            )
        ).all()
    )
    if not chosen:
        return {}
    readers = mail_readers(list(chosen))
    return {uid: channel for uid, channel in chosen.items() if uid in readers}


def queue_immediate(notes: list[Notification], params: dict) -> int:
    """Add one outbox mail per notification (all of one kind and subject), in this transaction."""
    if not notes:
        return 0
    db.session.flush()  # the notifications' ids and defaults, for the links in the mail
    readers = mail_readers([note.user_id for note in notes])
    rendered: dict[str, tuple[str, str, str]] = {}  # one rendering per language
    now = clock.utcnow()
    for note in notes:
        user = readers.get(note.user_id)
        if user is None:
            continue
        locale = locale_of(user)
        if locale not in rendered:
            rendered[locale] = render_one(note, params, locale)
        subject, text, html = rendered[locale]
        db.session.add(outbox(user, locale, subject, text, html, now))
        note.mailed_at = now
    return len(notes)


def outbox(user: User, locale: str, subject: str, text: str, html: str, now) -> MailOutbox:
    """A pending outbox row to the user, due now."""
    return _pending(user.id, user.email, locale, subject, text, html, now)


def queue_external(recipient: str, subject: str, text: str, locale: str) -> MailOutbox | None:
    """Add a mail to someone outside the company (a customer) to the outbox, in this
    transaction; None when this installation sends no mail (no MAIL_HOST)."""
    if not enabled():
        return None
    row = _pending(None, recipient, locale, subject, text, None, clock.utcnow())
    db.session.add(row)
    return row


def _pending(
    user_id: int | None, recipient: str, locale: str, subject: str, text: str, html, now
) -> MailOutbox:
    return MailOutbox(
        user_id=user_id,
        recipient=recipient,
        subject=subject[:SUBJECT_LENGTH],
        body_text=text,
        body_html=html,
        locale=locale,
        created_at=now,
        status="pending",
        attempts=0,
        next_attempt_at=now,
    )


def locale_of(user: User) -> str:
    """The language the user reads mail in: theirs if offered, else the default."""
    languages = current_app.config["LANGUAGES"]
    return user.locale if user.locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]

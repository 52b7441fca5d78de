"""In-app notifications, stored per user and rendered in the reader's language; each user's
choice of channel per kind decides whether one also goes by mail, at once or in a daily digest
(app/core/notifications/mail/)."""

import json
import re

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.notifications.models import (
    CHANNELS,
    DEFAULT_CHANNEL,
    EMAIL_LENGTH,
    Notification,
    NotificationPreference,
)
from app.core.subjects.services import SubjectRef
from app.core.submissions import uniqueness
from app.core.users.models import User
from app.errors import InvalidInput, NotFound
from app.extensions import db

# kind -> the template that renders one notification of that kind (with `n` and `p`), owned by
# the domain that sends it; the core's pages and messages know no kind by name.
_KINDS: dict[str, str] = {}
# kind -> what a reader calls that kind of event (a lazy string, e.g. on the preferences page).
_LABELS: dict[str, object] = {}
PAGE_SIZE = 50


def register_kind(kind: str, template: str, label: object | None = None) -> None:
    """A domain declares a kind of notification it sends, the template that shows one and,
    as a lazy translated string, the name a reader knows that event by."""
    _KINDS[kind] = template
    _LABELS[kind] = label if label is not None else kind


def template_for(kind: str) -> str | None:
    """The template that renders a notification of `kind` (None for a kind nobody registered)."""
    return _KINDS.get(kind)


def registered_kinds() -> dict[str, object]:
    """Every registered kind with its label, in registration order."""
    return dict(_LABELS)


def label_for(kind: str) -> object:
    """What a reader calls `kind` (the kind itself if nobody registered it)."""
    return _LABELS.get(kind, kind)


def unread_select(user: User):
    """SQL: how many notifications the user has not read (reads ix_notification_unread only)."""
    return (
        db.select(db.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def unread_count(user: User) -> int:
    """How many notifications the user has not read."""
    return db.session.scalar(unread_select(user)) or 0


def for_user(
    user: User, limit: int = PAGE_SIZE, before: int | None = None
) -> list[tuple[Notification, dict]]:
    """The user's newest notifications (older than id `before`) with their parameters decoded."""
    stmt = db.select(Notification).where(Notification.user_id == user.id)
    if before is not None:
        stmt = stmt.where(Notification.id < before)
    rows = db.session.scalars(stmt.order_by(Notification.id.desc()).limit(limit))
    return [(row, json.loads(row.params)) for row in rows]


def params_of(note: Notification) -> dict:
    """A notification's parameters, decoded."""
    return json.loads(note.params)


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications as read (someone else's is not found)."""
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        raise NotFound()
    if note.read_at is None:
        note.read_at = utcnow()
    return note


def mark_all_read(user: User) -> None:
    """Mark every notification of the user as read."""
    db.session.execute(
        db.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


def notify_users(user_ids, subject: SubjectRef | None, kind: str, params: dict) -> int:
    """One notification of `kind` per distinct user (the reader's page renders it).

    Whoever chose email for this kind (and has an address) also gets a mail written to the
    outbox in this same transaction: a change that is rolled back never mails. Digest readers'
    notifications wait for the daily digest.
    """
    from app.core.notifications import mail

    text = json.dumps(params, ensure_ascii=False, default=str)
    ids = list(dict.fromkeys(uid for uid in user_ids if uid is not None))
    # --- out of office (app/core/users/away.py): a user away today is reached through their
    # substitute as well. Kept by the notifications module as a separate step.
    from app.core.users import away

    ids = away.with_substitutes(ids)
    # --- end out of office
    if not ids:
        return 0
    channels = mail.channels_for(ids, kind)
    notes = [
        Notification(
            user_id=uid,
            subject_type=subject.type if subject else None,
            subject_key=subject.key if subject else None,
            kind=kind,
            params=text,
            channel=channels.get(uid, DEFAULT_CHANNEL),
        )
        for uid in ids
    ]
    db.session.add_all(notes)
    mail.queue_immediate([note for note in notes if note.channel == "email"], params)
    return len(ids)


def department_member_ids(key: str) -> list[int]:
    """The active members of a department (by its key)."""
    from app.core.users.models import Department

    return list(
        db.session.scalars(
            db.select(User.id)
            .join(Department, Department.id == User.department_id)
            .where(Department.key == key, User.active.is_(True))
        )
    )


# --- the user's own settings: mail address and a channel per kind ---------------------------

# One address: no spaces or control characters, one @, a dotted domain. Deliverability is the
# mail server's business; this refuses typos and anything that could break a mail header.
_EMAIL = re.compile(r"[^\s@<>()\[\],;:\"\\]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def clean_email(text: str | None, errors: dict, key: str = "email") -> str | None:
    """The typed address (stripped; empty means none), else an error under `key`."""
    value = (text or "").strip()
    if not value:
        return None
    if len(value) > EMAIL_LENGTH:
        errors[key] = _(
            "An email address has at most %(n)s characters (this has %(count)s).",
            n=EMAIL_LENGTH,
            count=len(value),
        )
        return None
    if not value.isascii() or not _EMAIL.fullmatch(value) or len(value.split("@")[0]) > 64:
        errors[key] = _("Enter an email address such as name@example.com.")
        return None
    return value


def preferences_of(user: User) -> dict[str, str]:
    """The user's channel for every registered kind (the default where they chose nothing)."""
    chosen = dict(
        db.session.execute(
            db.select(NotificationPreference.kind, NotificationPreference.channel).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    return {kind: chosen.get(kind, DEFAULT_CHANNEL) for kind in _LABELS}


def save_settings(
    user: User, email_text: str | None, choices: dict[str, str], ip: str | None = None
) -> None:
    """Store the user's address and their channel per registered kind; bad input changes nothing.

    Mail channels need an address. Two saves at once are both applied, the later winning per
    kind (the unique (user, kind) row is updated, never doubled).
    """
    errors: dict[str, str] = {}
    email = clean_email(email_text, errors)
    wanted: dict[str, str] = {}
    for kind in _LABELS:
        channel = choices.get(kind) or DEFAULT_CHANNEL
        if channel not in CHANNELS:
            errors[f"channel-{kind}"] = _("Choose one of the offered ways.")
            continue
        wanted[kind] = channel
    if "email" not in errors and email is None and any(c != "in_app" for c in wanted.values()):
        errors["email"] = _("Enter an email address to receive notifications by email.")
    if errors:
        raise InvalidInput(errors=errors)
    before = {"email": user.email, **preferences_of(user)}
    user.email = email
    for kind, channel in wanted.items():
        _set_channel(user.id, kind, channel)
    after = {"email": email, **wanted}
    changed = {key: after[key] for key in after if before.get(key) != after[key]}
    if changed:
        # The address itself is personal data: the audit row says only that it changed.
        if "email" in changed:
            changed["email"] = "changed" if email else "removed"
        audit.record(user, "notifications.settings", "user", user.id, data=changed, ip=ip)


def _set_channel(user_id: int, kind: str, channel: str) -> None:
    def current() -> NotificationPreference | None:
        return db.session.scalar(
            db.select(NotificationPreference).where(
                NotificationPreference.user_id == user_id, NotificationPreference.kind == kind
            )
        )

    row = current()
    if row is None:
        if channel == DEFAULT_CHANNEL:
            return
        try:
            with uniqueness.savepoint():
                db.session.add(NotificationPreference(user_id=user_id, kind=kind, channel=channel))
                db.session.flush()
            return
        except IntegrityError as exc:  # a save at the same moment inserted it first
            if not uniqueness.is_unique_violation(exc):
                raise
            row = current()
    row.channel = channel

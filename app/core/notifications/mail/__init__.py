"""Notification mail: written to the outbox in the notifying transaction, sent by the worker.

- `queue_immediate` (called by notify_users) renders one mail per email reader in that reader's
  language and adds it to `mail_outbox`: the row commits or rolls back with the change itself.
- `send_pending` (worker job "mail.send") claims due rows (FOR UPDATE SKIP LOCKED on
  PostgreSQL, a conditional update everywhere), sends them over SMTP and marks each sent the
  moment the server accepted it; a failure waits an exponentially growing delay, and after
  MAIL_MAX_ATTEMPTS the row is given up (status "failed", its last error kept).
- `send_digests` (worker job "mail.digest") once a day, from MAIL_DIGEST_HOUR in the factory's
  time zone, gathers each digest reader's notifications of the day before into one mail.

Settings (app config): MAIL_HOST (empty: no mail is queued or sent), MAIL_PORT, MAIL_TLS
(SMTPS), MAIL_STARTTLS, MAIL_USER, MAIL_PASSWORD, MAIL_FROM, MAIL_BASE_URL (links in mail),
MAIL_TIMEOUT, MAIL_MAX_ATTEMPTS, MAIL_RETRY_SECONDS, MAIL_DIGEST_HOUR.
"""

import logging
import smtplib
import ssl
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr
from zoneinfo import ZoneInfo

from flask import current_app

from app.core import clock
from app.core.notifications.mail_render import render_digest, render_one
from app.core.notifications.models import (
    DEFAULT_CHANNEL,
    MailOutbox,
    Notification,
    NotificationPreference,
)
from app.core.users.models import User
from app.extensions import db

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=6)
SUBJECT_LENGTH = 300


def enabled() -> bool:
    """Whether this installation sends mail at all (MAIL_HOST is set)."""
    return bool(current_app.config.get("MAIL_HOST"))


def _mail_readers(user_ids: list[int]) -> dict[int, User]:
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
    readers = _mail_readers(list(chosen))
    return {uid: channel for uid, channel in chosen.items() if uid in readers}


def queue_immediate(notes: list[Notification], params: dict) -> int:
    """Add one outbox mail per notification (all of one kind and subject), in this transaction."""
    if not notes:
        return 0
    db.session.flush()  # the notifications' ids and defaults, for the links in the mail
    readers = _mail_readers([note.user_id for note in notes])
    rendered: dict[str, tuple[str, str, str]] = {}  # one rendering per language
    now = clock.utcnow()
    for note in notes:
        user = readers.get(note.user_id)
        if user is None:
            continue
        locale = _locale_of(user)
        if locale not in rendered:
            rendered[locale] = render_one(note, params, locale)
        subject, text, html = rendered[locale]
        db.session.add(_outbox(user, locale, subject, text, html, now))
        note.mailed_at = now
    return len(notes)


def _outbox(user: User, locale: str, subject: str, text: str, html: str, now) -> MailOutbox:
    return MailOutbox(
        user_id=user.id,
        recipient=user.email,
        subject=subject[:SUBJECT_LENGTH],
        body_text=text,
        body_html=html,
        locale=locale,
        created_at=now,
        status="pending",
        attempts=0,
        next_attempt_at=now,
    )


def queue_external(recipient: str, subject: str, text: str, locale: str) -> MailOutbox | None:
    """Add a mail to someone outside the company (a customer) to the outbox, in this
    transaction; None when this installation sends no mail (no MAIL_HOST)."""
    if not enabled():
        return None
    now = clock.utcnow()
    row = MailOutbox(
        user_id=None,
        recipient=recipient,
        subject=subject[:SUBJECT_LENGTH],
        body_text=text,
        body_html=None,
        locale=locale,
        created_at=now,
        status="pending",
        attempts=0,
        next_attempt_at=now,
    )
    db.session.add(row)
    return row


def _locale_of(user: User) -> str:
    languages = current_app.config["LANGUAGES"]
    return user.locale if user.locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


# --- sending ---------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: doubling, at most six hours."""
    base = timedelta(seconds=int(current_app.config.get("MAIL_RETRY_SECONDS", 60)))
    return min(base * (2 ** max(0, attempts - 1)), MAX_BACKOFF)


def _claim(now: datetime, batch: int) -> list[int]:
    """Take up to `batch` due rows for this sender: each one's next try moves past this send."""
    stmt = (
        db.select(MailOutbox.id, MailOutbox.attempts)
        .where(MailOutbox.status == "pending", MailOutbox.next_attempt_at <= now)
        .order_by(MailOutbox.next_attempt_at, MailOutbox.id)
        .limit(batch)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)  # other workers take other rows
    claimed = []
    for row_id, attempts in db.session.execute(stmt).all():
        # Conditional: on SQLite (no row locks) a row another sender claimed first is skipped.
        done = db.session.execute(
            db.update(MailOutbox)
            .where(
                MailOutbox.id == row_id,
                MailOutbox.status == "pending",
                MailOutbox.attempts == attempts,
            )
            .values(attempts=attempts + 1, next_attempt_at=now + backoff(attempts + 1))
        )
        if done.rowcount == 1:
            claimed.append(row_id)
    db.session.commit()
    return claimed


def _message(row: MailOutbox) -> EmailMessage:
    config = current_app.config
    sender = config.get("MAIL_FROM") or "ordergate@localhost"
    msg = EmailMessage()
    msg["Subject"] = row.subject
    msg["From"] = sender
    msg["To"] = formataddr(("", row.recipient))
    msg["Message-ID"] = make_msgid(
        idstring=f"outbox{row.id}", domain=parseaddr(sender)[1].rpartition("@")[2] or None
    )
    msg.set_content(row.body_text)
    if row.body_html:
        msg.add_alternative(row.body_html, subtype="html")
    # After the bodies: setting content replaces every Content-* header.
    msg["Content-Language"] = "zh-CN" if row.locale.startswith("zh") else row.locale
    return msg


def _connect() -> smtplib.SMTP:
    config = current_app.config
    host, port = config["MAIL_HOST"], int(config.get("MAIL_PORT") or 25)
    timeout = float(config.get("MAIL_TIMEOUT") or 20)
    if config.get("MAIL_TLS"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if config.get("MAIL_STARTTLS"):
            smtp.starttls(context=ssl.create_default_context())
    if config.get("MAIL_USER"):
        smtp.login(config["MAIL_USER"], config.get("MAIL_PASSWORD") or "")
    return smtp


def _permanent(exc: Exception) -> bool:
    """A refusal the server will give again (5xx): retrying cannot help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    code = getattr(exc, "smtp_code", None)
    return (
        isinstance(code, int)
        and 500 <= code < 600
        and not isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPAuthenticationError)
    )


def send_pending(now: datetime | None = None, batch: int = 20) -> int:
    """Send the outbox rows that are due; returns how many the server accepted.

    Runs after the notifying transactions committed (a worker job). Each row is marked sent in
    its own commit right after the server accepted it, so a later failure never sends it again.
    A row the server refused waits its back-off (its claim already moved its next try); when
    the server cannot be reached, every claimed row waits and this round stops.
    """
    if not enabled():
        return 0
    now = now or clock.utcnow()
    ids = _claim(now, batch)
    if not ids:
        return 0
    sent = 0
    smtp: smtplib.SMTP | None = None
    try:
        for position, row_id in enumerate(ids):
            row = db.session.get(MailOutbox, row_id)
            try:
                if smtp is None:
                    smtp = _connect()
                smtp.send_message(_message(row))
            except _MESSAGE_REFUSED as exc:  # this mail only; the connection goes on
                _failed([row_id], exc)
                continue
            except (OSError, smtplib.SMTPException) as exc:  # the server, not the mail
                _failed(ids[position:], exc)
                break
            row.status, row.sent_at, row.last_error = "sent", clock.utcnow(), None
            db.session.commit()
            sent += 1
    finally:
        if smtp is not None:
            _quit(smtp)
    return sent


# Refusals of one message (sender, recipients, content) on a connection that stays usable.
_MESSAGE_REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


def _failed(ids: list[int], exc: Exception) -> None:
    """Record the failure on the rows; a permanent refusal or the last attempt gives up."""
    max_attempts = int(current_app.config.get("MAIL_MAX_ATTEMPTS", 8))
    error = f"{type(exc).__name__}: {exc}"[:500]
    for row_id in ids:
        row = db.session.get(MailOutbox, row_id)
        row.last_error = error
        if _permanent(exc) or row.attempts >= max_attempts:
            row.status = "failed"
        log.warning("mail %s to %s failed: %s", row.id, row.recipient, error)
    db.session.commit()


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


# --- the daily digest ------------------------------------------------------------------------


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
    readers = _mail_readers(list(by_user)) if by_user else {}
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
        locale = _locale_of(user)
        subject, text, html = render_digest(user, unread, locale)
        db.session.add(_outbox(user, locale, subject, text, html, now))
        queued += 1
    db.session.commit()
    return queued


def register_jobs() -> None:
    """Plug the sender and the digest into the worker (after each round's timers)."""
    from app import worker

    worker.register_job("mail.digest", send_digests)
    worker.register_job("mail.send", send_pending)

"""Sending the outbox (worker job "mail.send"): claim due rows, connect, send, back off."""

import logging
import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr

from flask import current_app

from app.core import clock
from app.core.notifications.mail.queueing import enabled
from app.core.notifications.models import (
    MailOutbox,
)
from app.extensions import db

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=6)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: doubling, at most six hours."""
    base = timedelta(seconds=int(current_app.config.get("MAIL_RETRY_SECONDS", 60)))
    return min(base * (2 ** max(0, attempts - 1)), MAX_BACKOFF)


def claim(now: datetime, batch: int) -> list[int]:
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
    ids = claim(now, batch)
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

"""Notification mail: written to the outbox in the notifying transaction, sent by the worker.

queueing.py, sending.py and digest.py, one use case each; callers import the names from here.

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

from app.core.notifications.mail.digest import digest_cutoff, send_digests
from app.core.notifications.mail.queueing import (
    SUBJECT_LENGTH,
    channels_for,
    enabled,
    queue_external,
    queue_immediate,
)
from app.core.notifications.mail.sending import MAX_BACKOFF, backoff, send_pending

__all__ = [
    "MAX_BACKOFF",
    "SUBJECT_LENGTH",
    "backoff",
    "channels_for",
    "digest_cutoff",
    "enabled",
    "queue_external",
    "queue_immediate",
    "register_jobs",
    "send_digests",
    "send_pending",
]


def register_jobs() -> None:
    """Plug the sender and the digest into the worker (after each round's timers)."""
    from app import worker

    worker.register_job("mail.digest", send_digests)
    worker.register_job("mail.send", send_pending)

"""Notification mail through a real local SMTP server (aiosmtpd): what arrives, to whom, in
which language; never for a rolled-back change; retried with back-off when the server is down,
delivered once; the daily digest."""

import socket
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from app.core.notifications import mail
from app.core.notifications import services as notifications
from app.core.notifications.mail import sending
from app.core.notifications.models import MailOutbox, Notification, NotificationPreference
from app.core.subjects.services import SubjectRef
from app.extensions import db
from tests.races import results, run_together

KIND = "order_released"  # registered by the orders domain, with its template
PARAMS = {"number": "SO-2026-00042", "customer": "ACME", "requirements": ["Salt spray 48 h"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Received:
    """The aiosmtpd handler: keeps every message the server accepted."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(app, monkeypatch):
    """A real SMTP server on a free local port; the app's mail settings point at it."""
    handler = Received()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_FROM", "OrderGate <ordergate@factory.test>")
    monkeypatch.setitem(app.config, "MAIL_BASE_URL", "https://og.factory.test")
    monkeypatch.setitem(app.config, "MAIL_RETRY_SECONDS", 60)
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    handler.port = port
    handler.controller = controller
    yield handler
    controller.stop()


def _reader(make_user, channel="email", locale="zh_CN", email="reader@factory.test", kind=KIND):
    user = make_user("quality", email=email, locale=locale)
    if channel != "in_app":
        db.session.add(NotificationPreference(user_id=user.id, kind=kind, channel=channel))
        db.session.commit()
    return user


def _text(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def test_a_committed_notification_is_mailed_once_in_the_readers_language(smtp, make_user):
    zh = _reader(make_user, locale="zh_CN", email="zh@factory.test")
    en = _reader(make_user, locale="en", email="en@factory.test")
    bell_only = _reader(make_user, channel="in_app", email="bell@factory.test")
    notifications.notify_users([zh.id, en.id, bell_only.id], SubjectRef("order", 42), KIND, PARAMS)
    db.session.commit()

    assert mail.send_pending() == 2
    assert mail.send_pending() == 0  # nothing is sent twice
    got = {rcpt[0]: msg for rcpt, msg in smtp.messages}
    assert set(got) == {"zh@factory.test", "en@factory.test"}
    assert got["en@factory.test"]["Subject"] == (
        "OrderGate: Order released to production — SO-2026-00042"
    )
    assert "Order SO-2026-00042 for ACME is released to production." in _text(
        got["en@factory.test"]
    )
    assert "Salt spray 48 h" in _text(got["en@factory.test"])
    assert got["zh@factory.test"]["Subject"].startswith("OrderGate：订单已下达生产")
    assert "SO-2026-00042" in _text(got["zh@factory.test"])
    assert "已下达生产" in _text(got["zh@factory.test"])
    assert got["zh@factory.test"]["Content-Language"] == "zh-CN"
    assert got["en@factory.test"]["From"] == "OrderGate <ordergate@factory.test>"
    # links point at the installation, not at a path
    assert "https://og.factory.test/notifications/settings" in _text(got["en@factory.test"])
    # everyone still has the bell
    assert db.session.scalar(db.select(db.func.count()).select_from(Notification)) == 3
    rows = db.session.scalars(db.select(MailOutbox)).all()
    assert [(r.status, r.attempts) for r in rows] == [("sent", 1), ("sent", 1)]


def test_a_rolled_back_change_never_mails(smtp, make_user):
    reader = _reader(make_user)
    notifications.notify_users([reader.id], SubjectRef("order", 42), KIND, PARAMS)
    db.session.rollback()

    assert mail.send_pending() == 0
    assert smtp.messages == []
    assert db.session.scalar(db.select(db.func.count()).select_from(MailOutbox)) == 0


def test_a_down_server_is_retried_with_backoff_and_the_mail_delivered_once(
    smtp, make_user, app, monkeypatch
):
    reader = _reader(make_user, locale="en")
    notifications.notify_users([reader.id], SubjectRef("order", 42), KIND, PARAMS)
    db.session.commit()
    monkeypatch.setitem(app.config, "MAIL_PORT", _free_port())  # nothing listens there
    t0 = datetime(2027, 3, 1, 1, 0, tzinfo=UTC)

    assert mail.send_pending(now=t0) == 0
    row = db.session.scalar(db.select(MailOutbox))
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == t0 + timedelta(seconds=60)
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()

    assert mail.send_pending(now=t0 + timedelta(seconds=30)) == 0  # not due yet
    db.session.refresh(row)
    assert row.attempts == 1
    assert mail.send_pending(now=t0 + timedelta(seconds=61)) == 0  # second failure
    db.session.refresh(row)
    assert row.attempts == 2
    assert row.next_attempt_at == t0 + timedelta(seconds=61 + 120)  # the delay doubled

    monkeypatch.setitem(app.config, "MAIL_PORT", smtp.port)  # the server is back
    assert mail.send_pending(now=t0 + timedelta(seconds=200)) == 1
    assert mail.send_pending(now=t0 + timedelta(hours=10)) == 0
    assert [rcpt for rcpt, _msg in smtp.messages] == [["reader@factory.test"]]
    db.session.refresh(row)
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)


def test_after_the_last_attempt_the_mail_is_given_up(smtp, make_user, app, monkeypatch):
    reader = _reader(make_user)
    notifications.notify_users([reader.id], None, KIND, PARAMS)
    db.session.commit()
    monkeypatch.setitem(app.config, "MAIL_PORT", _free_port())
    now = datetime(2027, 3, 1, 1, 0, tzinfo=UTC)
    for _ in range(5):
        mail.send_pending(now=now)
        now += timedelta(days=1)
    row = db.session.scalar(db.select(MailOutbox))
    assert (row.status, row.attempts) == ("failed", 3)
    assert row.last_error


def test_two_senders_at_once_send_each_mail_once(smtp, make_user):
    reader = _reader(make_user)
    for n in range(3):
        notifications.notify_users([reader.id], None, KIND, {**PARAMS, "number": f"SO-{n}"})
    db.session.commit()
    now = datetime.now(UTC)
    first = sending.claim(now, 2)
    second = sending.claim(now, 10)  # the first sender's rows are not due for this one
    assert len(first) == 2 and len(second) == 1 and not set(first) & set(second)


def test_the_daily_digest_gathers_the_days_notifications_into_one_mail(
    smtp, make_user, app, monkeypatch
):
    reader = _reader(make_user, channel="digest", locale="en")
    monkeypatch.setitem(app.config, "MAIL_DIGEST_HOUR", 8)  # Asia/Shanghai: 00:00 UTC
    notifications.notify_users([reader.id], None, KIND, {**PARAMS, "number": "SO-1"})
    notifications.notify_users([reader.id], None, KIND, {**PARAMS, "number": "SO-2"})
    db.session.commit()
    notes = db.session.scalars(db.select(Notification)).all()
    assert {n.channel for n in notes} == {"digest"}
    created = notes[0].created_at
    assert mail.send_pending() == 0  # no immediate mail for a digest reader

    # before the next digest hour nothing goes
    cutoff = mail.digest_cutoff(created) + timedelta(days=1)
    assert mail.send_digests(now=cutoff - timedelta(minutes=1)) == 0
    assert mail.send_digests(now=cutoff + timedelta(minutes=1)) == 1
    assert mail.send_digests(now=cutoff + timedelta(minutes=2)) == 0  # once a day, not twice
    assert mail.send_pending(now=cutoff + timedelta(minutes=3)) == 1
    ((rcpt, msg),) = smtp.messages
    assert rcpt == ["reader@factory.test"]
    assert msg["Subject"] == "OrderGate: your daily summary (2)"
    body = _text(msg)
    assert "Order SO-1 for ACME" in body and "Order SO-2 for ACME" in body


def test_the_digest_hour_is_in_the_factory_time_zone(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DIGEST_HOUR", 8)
    # 23:59 UTC on 28 Feb is 07:59 on 1 Mar in Shanghai: the last digest was 28 Feb 08:00 local
    assert mail.digest_cutoff(datetime(2027, 2, 28, 23, 59, tzinfo=UTC)) == datetime(
        2027, 2, 28, 0, 0, tzinfo=UTC
    )
    assert mail.digest_cutoff(datetime(2027, 3, 1, 0, 0, tzinfo=UTC)) == datetime(
        2027, 3, 1, 0, 0, tzinfo=UTC
    )


def test_no_mail_server_configured_queues_nothing(make_user, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_HOST", "")
    reader = _reader(make_user)
    notifications.notify_users([reader.id], None, KIND, PARAMS)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(MailOutbox)) == 0
    assert db.session.scalar(db.select(Notification.channel)) == "in_app"


def test_the_worker_round_sends_the_outbox(smtp, make_user):
    from app import worker

    reader = _reader(make_user)
    notifications.notify_users([reader.id], None, KIND, PARAMS)
    db.session.commit()
    done = worker.run_jobs()
    assert done["mail.send"] == 1
    assert len(smtp.messages) == 1


def test_email_addresses_are_checked():
    errors: dict = {}
    assert notifications.clean_email("  a.b+c@mail.example.cn ", errors) == "a.b+c@mail.example.cn"
    assert notifications.clean_email("", errors) is None
    assert not errors
    for bad in (
        "no-at-sign",
        "a@b",
        "a b@c.com",
        "a@b.com\nBcc: x@y.com",
        "张@例子.中国",
        "<a@b.com>",
    ):
        errors = {}
        assert notifications.clean_email(bad, errors) is None
        assert "email" in errors, bad
    errors = {}
    notifications.clean_email("a" * 250 + "@b.com", errors)
    assert "254" in errors["email"]


@pytest.mark.postgres
def test_two_workers_at_once_deliver_each_mail_exactly_once(smtp, make_user, app):
    readers = [_reader(make_user, email=f"r{n}@factory.test") for n in range(4)]
    for n in range(3):
        notifications.notify_users(
            [r.id for r in readers], None, KIND, {**PARAMS, "number": f"SO-{n}"}
        )
    db.session.commit()

    def deliver() -> int:
        return sum(mail.send_pending(batch=2) for _ in range(6))

    sent = results(run_together(app, [deliver, deliver], timeout=60))
    assert sum(sent) == 12
    delivered = sorted((rcpt[0], msg["Subject"]) for rcpt, msg in smtp.messages)
    assert len(delivered) == 12 and len(set(delivered)) == 12  # each once
    db.session.expire_all()
    assert set(db.session.scalars(db.select(MailOutbox.status))) == {"sent"}

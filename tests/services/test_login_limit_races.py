"""Failed log-ins sent at once by many clients (as by several web processes) are all counted."""

import threading

import pytest

from app.core.audit.models import AuditEvent
from app.core.users.models import LoginThrottle
from app.extensions import db
from tests.reliability import record, scale

pytestmark = [pytest.mark.postgres, pytest.mark.reliability]


def burst(app, count: int, username: str) -> list[int]:
    """`count` wrong-password posts for one name from one address, released together."""
    barrier = threading.Barrier(count)
    statuses = [0] * count

    def attempt(index: int) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post("/login", data={"username": username, "password": "wrong"})
        statuses[index] = response.status_code

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


def test_simultaneous_failures_lose_no_count(app, client, make_user):
    user = make_user("sales")
    rounds, clients = scale(2, 20), 8
    all_statuses: list[int] = []
    for _ in range(rounds):
        db.session.execute(db.delete(LoginThrottle))
        db.session.commit()
        # The audit trail is append-only (PostgreSQL refuses DELETE): count this round's rows.
        before = db.session.scalar(db.select(db.func.coalesce(db.func.max(AuditEvent.id), 0)))
        statuses = burst(app, clients, user.username)
        all_statuses += statuses
        assert set(statuses) <= {401, 429}, statuses  # never a 500
        checked = db.session.scalar(
            db.select(db.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "login.failed", AuditEvent.id > before)
        )
        locks = db.session.scalar(
            db.select(db.func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "login.locked",
                AuditEvent.object_type == "user",
                AuditEvent.id > before,
            )
        )
        row = db.session.scalar(
            db.select(LoginThrottle).where(
                LoginThrottle.scope == "account", LoginThrottle.key == user.username
            )
        )
        # Every checked password was counted exactly once: each lock-out took five of them.
        assert locks >= 1
        assert checked == locks * 5 + row.failures
        assert row.locked_until is not None
    record(
        "accounts",
        "simultaneous failed log-ins",
        rounds=rounds,
        clients=clients,
        refused=all_statuses.count(429),
        failures=0,
    )

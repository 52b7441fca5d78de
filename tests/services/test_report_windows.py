"""The approvals and rush reports count the last 12 factory months, not every request ever made
(issue 14): their cost follows a year's requests, however long the history."""

from datetime import UTC, date, datetime

from app.core import clock
from app.extensions import db
from app.modules.changes.models import ChangeRequest
from app.modules.changes.services import reading as change_reading
from app.modules.rush.models import RushRequest
from app.modules.rush.services import reading as rush_reading
from tests.clocks import SHANGHAI


def test_a_month_starts_at_factory_midnight(fake_clock):
    # 20:00 UTC on 31 January is already 1 February in Shanghai.
    fake_clock.set(datetime(2026, 1, 31, 20, 0, tzinfo=UTC))
    assert clock.month_start(0) == datetime(2026, 2, 1, tzinfo=SHANGHAI)
    assert clock.month_start(1) == datetime(2026, 1, 1, tzinfo=SHANGHAI)
    assert clock.month_start(11) == datetime(2025, 3, 1, tzinfo=SHANGHAI)
    assert clock.month_start(13) == datetime(2025, 1, 1, tzinfo=SHANGHAI)
    assert clock.month_start(0).tzinfo is UTC


def _rush(order, at: datetime, status: str) -> None:
    db.session.add(
        RushRequest(
            order_id=order.id,
            required_by=date(2027, 1, 1),
            reason="VIP",
            department="sales",
            status=status,
            requested_at=at,
            preview="{}",
            base_fingerprint="x" * 64,
        )
    )


def _change(order, at: datetime, status: str) -> None:
    db.session.add(
        ChangeRequest(
            order_id=order.id,
            base_revision=1,
            draft="{}",
            diff="[]",
            reason_category="quantity",
            reason="customer asked",
            status=status,
            department="sales",
            raised_at=at,
        )
    )


def test_counts_leave_out_requests_older_than_twelve_months(fake_clock, make_order):
    order = make_order()
    fake_clock.set(datetime(2026, 6, 15, 12, 0, tzinfo=SHANGHAI))
    first_day = datetime(2025, 7, 1, tzinfo=SHANGHAI)  # 11 months before June, June included
    for at, status in (
        (datetime(2025, 6, 30, 23, 59, tzinfo=SHANGHAI), "rejected"),  # a minute too old
        (first_day, "applied"),
        (datetime(2026, 6, 1, 8, 0, tzinfo=SHANGHAI), "rejected"),
    ):
        _rush(order, at, status)
        _change(order, at, status)
    db.session.commit()

    rush = rush_reading.counts()
    assert rush["since"] == first_day and rush["months"] == 12
    assert rush["month"] == [("2026-06", {"rejected": 1}), ("2025-07", {"applied": 1})]
    assert rush["customer"] == [("ACME", {"applied": 1, "rejected": 1})]
    changes = change_reading.counts()
    assert changes["since"] == first_day
    assert sorted(changes["customer"]) == [("ACME", "applied", 1), ("ACME", "rejected", 1)]
    assert sorted(changes["reason"]) == [("quantity", "applied", 1), ("quantity", "rejected", 1)]
    # Asked from the start of history, the old ones are there: only the window left them out.
    everything = rush_reading.counts(since=datetime(2000, 1, 1, tzinfo=UTC))
    assert ("2025-06", {"rejected": 1}) in everything["month"]
    all_changes = change_reading.counts(datetime(2000, 1, 1, tzinfo=UTC))["customer"]
    assert sum(n for *_key, n in all_changes) == 3

"""A clock a test moves by hand: due dates, BPMN timers and the worker all read it.

Use the `fake_clock` fixture (registered in tests/conftest.py):

    def test_something(fake_clock):
        fake_clock.set(datetime(2026, 9, 30, 9, 0, tzinfo=SHANGHAI))
        ...
        fake_clock.advance(hours=5)
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.core import clock
from app.engine import timers

SHANGHAI = ZoneInfo("Asia/Shanghai")


class FakeClock:
    """The time `clock.utcnow()` reports while the test runs; it stands still until moved."""

    def __init__(self, start: datetime) -> None:
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> datetime:
        """Jump to `moment` (aware)."""
        assert moment.tzinfo is not None, "give the clock an aware time"
        self.now = moment.astimezone(UTC)
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move on by timedelta(**delta)."""
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def fake_clock() -> Iterator[FakeClock]:
    """A stopped clock at the real current time; the real clock is back after the test."""
    fake = FakeClock(datetime.now(UTC))
    clock.set_now(fake)
    timers.set_clock(fake)  # the engine's own tests run without the app that connects the two
    try:
        yield fake
    finally:
        clock.set_now(None)
        timers.set_clock(clock.utcnow)

"""The date and duration helpers restricted code may use: `datetime`, `date` and `timedelta`.

Process owners write timers such as `datetime.now() + timedelta(days=2)` or
`datetime.fromisoformat(promised) - timedelta(days=3)`. The classes themselves are never handed
to restricted code (their attributes lead to `__class__`, `__subclasses__` and so on): `datetime`
and `date` are small stand-ins that build values and offer a few named constructors, and only
the names listed in `methods.ALLOWED` are readable on them. `timedelta` is the class itself,
only called (attributes of a class are refused by the guards). `now()`/`today()` read the
timers' clock (`timers.set_clock`), so tests and the worker agree on the time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from datetime import UTC
from typing import Any

_clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(UTC)  # noqa: E731 - set_clock


def set_clock(clock: Callable[[], dt.datetime] | None) -> None:
    """Let `datetime.now()` and `date.today()` read `clock()` (set with the timers' clock)."""
    global _clock
    _clock = clock or (lambda: dt.datetime.now(UTC))


class DateTimeHelper:
    """`datetime` in restricted code: `datetime(2026, 3, 1, 9)`, `.now()`, `.fromisoformat()`,
    `.combine()`."""

    __slots__ = ()
    kind = dt.datetime

    def __call__(self, *args: Any, **kwargs: Any) -> dt.datetime:
        """A datetime from its parts."""
        return dt.datetime(*args, **kwargs)

    def now(self) -> dt.datetime:
        """The current time (aware, UTC) on the timers' clock."""
        return _clock().astimezone(UTC)

    def fromisoformat(self, text: str) -> dt.datetime:
        """A datetime from ISO 8601 text."""
        return dt.datetime.fromisoformat(str(text))

    def combine(self, day: dt.date, time: dt.time) -> dt.datetime:
        """A datetime from a date and a time."""
        return dt.datetime.combine(day, time)


class DateHelper:
    """`date` in restricted code: `date(2026, 3, 1)`, `.today()`, `.fromisoformat()`."""

    __slots__ = ()
    kind = dt.date

    def __call__(self, *args: Any, **kwargs: Any) -> dt.date:
        """A date from its parts."""
        return dt.date(*args, **kwargs)

    def today(self) -> dt.date:
        """Today's date (UTC) on the timers' clock."""
        return _clock().astimezone(UTC).date()

    def fromisoformat(self, text: str) -> dt.date:
        """A date from ISO 8601 text."""
        return dt.date.fromisoformat(str(text))


HELPER_METHODS = {
    DateTimeHelper: frozenset({"now", "fromisoformat", "combine"}),
    DateHelper: frozenset({"today", "fromisoformat"}),
}
HELPERS = {"datetime": DateTimeHelper(), "date": DateHelper(), "timedelta": dt.timedelta}


def iso_duration(value: dt.timedelta) -> str:
    """A timedelta as an ISO 8601 duration SpiffWorkflow reads (days, then seconds)."""
    if value < dt.timedelta(0):
        raise ValueError(f"a timer cannot wait a negative time ({value})")
    seconds = value.seconds + value.microseconds / 1_000_000
    return f"P{value.days}DT{seconds:g}S"


def timer_text(value: Any) -> str:
    """What a timer expression gave, as the ISO 8601 text the timers parse."""
    if isinstance(value, dt.timedelta):
        return iso_duration(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value).strip()

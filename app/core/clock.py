"""The one seam for "now" and "today": every module asks here, so a test moves time in one place.

Call `clock.today()` through the module, never import `today` by name, or a test that moves the
date would miss the caller. `utcnow` may be imported by name: it asks `set_now`'s source itself.
The engine's timers read the same clock (app/core/__init__.py hands it `utcnow`), so a test that
moves time here moves BPMN timers, due dates and the worker together (tests/clocks.py).
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

_source: Callable[[], datetime] | None = None


def set_now(source: Callable[[], datetime] | None) -> None:
    """Make `source()` the current time (an aware datetime), or go back to the real clock."""
    global _source
    _source = source


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    if _source is not None:
        return _source().astimezone(UTC)
    return datetime.now(UTC)


def zone() -> ZoneInfo:
    """The factory's time zone (config TIMEZONE)."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def today() -> date:
    """The factory's date now (in the factory's time zone, config TIMEZONE)."""
    return utcnow().astimezone(zone()).date()


def month_start(months_back: int = 0) -> datetime:
    """The first moment of the factory month `months_back` months before this one, as aware UTC
    (0: the start of this month). Reports counted "over the last 12 months" start at
    `month_start(11)`."""
    now = utcnow().astimezone(zone())
    index = now.year * 12 + now.month - 1 - months_back
    start = datetime(index // 12, index % 12 + 1, 1, tzinfo=zone())
    return start.astimezone(UTC)

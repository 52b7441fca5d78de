"""The one seam for "now" and "today": every module asks here, so a test moves time in one place.

Call `clock.today()` through the module, never import `today` by name, or a test that moves the
date would miss the caller.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def today() -> date:
    """The factory's date now (in the factory's time zone, config TIMEZONE)."""
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()

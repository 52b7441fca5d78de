"""ISO 8601 durations: a user task's `due` property and timer durations.

Calendar time (`due_after`) is what SpiffWorkflow computes; working time (office hours on the
factory calendar) is computed by the core (app/core/calendar/working_time.py) from `parse`.
"""

from dataclasses import dataclass
from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

# The longest duration the working-time calendar accepts: about a year of working time. A
# longer one is refused when the process is validated, so no due date is searched for forever.
MAX_MONTHS = 12
MAX_WORKING_DAYS = 260
MAX_WORKING_HOURS = 260 * 8


@dataclass(frozen=True)
class Duration:
    """A parsed ISO 8601 duration: calendar months, (working) days, and hours as seconds."""

    months: float = 0
    days: float = 0  # weeks count 5 working days in working time, 7 days in calendar time
    weeks: float = 0
    seconds: float = 0


def parse(text: str) -> Duration:
    """Parse an ISO 8601 duration (PT8H, P1D, P1Y2M, P2W); raises ValueError with the reason."""
    try:
        parts = TimerEventDefinition.parse_iso_duration(text.strip())
    except Exception:  # noqa: BLE001 - SpiffWorkflow raises a bare Exception
        problem = f"'{text}' is not an ISO 8601 duration (for example PT8H or P2D)"
        raise ValueError(problem) from None
    return Duration(
        months=parts.get("years", 0) * 12 + parts.get("months", 0),
        days=parts.get("days", 0),
        weeks=parts.get("weeks", 0),
        seconds=parts.get("hours", 0) * 3600
        + parts.get("minutes", 0) * 60
        + parts.get("seconds", 0),
    )


def working_problem(text: str) -> str | None:
    """Why `text` cannot be a working-time duration (bad, or longer than about a year), or None."""
    try:
        duration = parse(text)
    except ValueError as exc:
        return str(exc)
    if (
        duration.months > MAX_MONTHS
        or duration.days + duration.weeks * 5 > MAX_WORKING_DAYS
        or duration.seconds > MAX_WORKING_HOURS * 3600
    ):
        return (
            f"'{text}' is longer than OrderGate's working calendar reaches (at most "
            f"P{MAX_MONTHS}M, P{MAX_WORKING_DAYS}D or PT{MAX_WORKING_HOURS}H)"
        )
    return None


def due_after(duration: str | None, start: datetime) -> datetime | None:
    """The moment `duration` of calendar time after `start`, or None for no or a bad duration."""
    if not duration:
        return None
    try:
        parsed = TimerEventDefinition.parse_iso_duration(duration.strip())
        return start + TimerEventDefinition.get_timedelta_from_start(parsed, start)
    except Exception:  # noqa: BLE001 - SpiffWorkflow raises a bare Exception for a bad duration
        return None

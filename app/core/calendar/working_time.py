"""Working time: adding a duration to an instant on the factory calendar (docs/DEADLINES.md).

Working time runs only inside office hours (config OFFICE_HOURS, in the factory's zone) on the
factory's working days: Monday to Friday, minus China's public holidays, plus the make-up
working days (调休), with the factory's own closures and extra days from the schedule page on
top (app/core/calendar/services.py).

PT8H is eight working hours; P1D is one working day, that is one day's office hours: it ends at
the same working-time position on the next working day. PnW is n times five working days.
Months and years move the calendar date, then roll on to a working day.
"""

from __future__ import annotations

import logging
from calendar import monthrange
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from flask import current_app, has_app_context

from app.core import clock
from app.core.calendar import services
from app.engine import durations
from app.planning import CalendarError, WorkCalendar

log = logging.getLogger(__name__)

Hours = tuple[tuple[time, time], ...]


@lru_cache(maxsize=8)
def parse_office_hours(text: str) -> Hours:
    """'08:00-12:00,13:00-17:30' as ordered (start, end) pairs; raises ValueError with why."""
    spans = []
    for part in text.split(","):
        try:
            start_text, end_text = part.strip().split("-")
            start = time.fromisoformat(start_text.strip())
            end = time.fromisoformat(end_text.strip())
        except ValueError:
            raise ValueError(
                f"Office hours '{text}' must read like 08:00-12:00,13:00-17:30"
            ) from None
        if start >= end or (spans and start < spans[-1][1]):
            raise ValueError(f"Office hours '{text}' must be ascending and must not overlap")
        spans.append((start, end))
    return tuple(spans)


def office_hours() -> Hours:
    """The configured office hours (config OFFICE_HOURS)."""
    return parse_office_hours(current_app.config["OFFICE_HOURS"])


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def day_length(hours: Hours) -> int:
    """Seconds of office hours in one working day."""
    return sum(_seconds(end) - _seconds(start) for start, end in hours)


def _position(calendar: WorkCalendar, hours: Hours, local: datetime) -> tuple[date, float]:
    """The working day and the working seconds already passed in it at `local`.

    Before office hours that is 0, after them the whole day; a day off counts as the start of
    the next working day.
    """
    day = local.date()
    if not calendar.is_workday(day):
        return calendar.next_workday(day), 0
    now = _seconds(local.time()) + local.microsecond / 1e6
    passed = sum(max(0, min(now, _seconds(end)) - _seconds(start)) for start, end in hours)
    return day, passed


def _wall(day: date, position: float, hours: Hours, zone) -> datetime:
    """The local time at `position` working seconds into `day` (an interval's end, not the next
    one's start, when it falls exactly between two)."""
    for start, end in hours:
        length = _seconds(end) - _seconds(start)
        if position <= length:
            return datetime.combine(day, start, tzinfo=zone) + timedelta(seconds=position)
        position -= length
    start, end = hours[-1]
    return datetime.combine(day, end, tzinfo=zone)


def _plus_months(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def add(start: datetime, duration: str) -> datetime:
    """`start` (aware) plus the working-time `duration`, as an aware UTC datetime.

    Raises ValueError for a bad or too long duration and CalendarError when the calendar has
    no working day to reach (a misconfigured factory calendar); never searches unbounded.
    """
    problem = durations.working_problem(duration)
    if problem:
        raise ValueError(problem)
    parsed = durations.parse(duration)
    hours = office_hours()
    length = day_length(hours)
    zone = clock.zone()
    local = start.astimezone(zone)
    # A day before the start, so that a start on 1 January still knows the year's holidays.
    calendar = services.calendar(local.date() - timedelta(days=1))
    day, position = _position(calendar, hours, local)
    if parsed.months:
        day = calendar.roll_forward(_plus_months(day, int(parsed.months)))
    total = position + (parsed.days + parsed.weeks * 5) * length + parsed.seconds
    whole_days, rest = divmod(total, length)
    if rest == 0 and whole_days > 0:  # ends at the close of a day, not the next one's opening
        whole_days, rest = whole_days - 1, length
    day = calendar.add_workdays(day, int(whole_days))
    return _wall(day, rest, hours, zone).astimezone(UTC)


def due_after(duration: str | None, start: datetime) -> datetime | None:
    """When a user task created at `start` with the `due` property `duration` falls due, in
    working time; None without a (valid) duration.

    A calendar that cannot be searched (every day closed) falls back to calendar time, logged:
    a task then still has a due date, and creating it never fails.
    """
    if not duration or not duration.strip():
        return None
    try:
        return add(start, duration)
    except ValueError:
        return None
    except CalendarError:
        log.exception("working time for %s from %s failed; using calendar time", duration, start)
        return durations.due_after(duration, start)


def engine_working_time(start: datetime, duration: str) -> datetime | None:
    """The engine's hook for boundary timers on user tasks (app/engine/timers.py): working
    time when the app is there to ask, None (calendar time) otherwise."""
    if not has_app_context():
        return None
    try:
        return add(start, duration)
    except (ValueError, CalendarError):
        return None


def engine_zone():
    """Where the engine reads a timer date written without an offset: the factory's zone."""
    return clock.zone() if has_app_context() else UTC


def install(app) -> None:
    """Check the configured office hours (a bad value stops the start, rather than leaving
    every task without a due date), and hand the engine's timers the app's clock and the
    factory's working time."""
    from app.engine import timers

    try:
        parse_office_hours(app.config["OFFICE_HOURS"])
    except ValueError as exc:
        raise RuntimeError(f"OFFICE_HOURS (ORDERGATE_OFFICE_HOURS): {exc}") from None

    timers.set_clock(clock.utcnow)
    timers.set_working_time(engine_working_time, engine_zone)

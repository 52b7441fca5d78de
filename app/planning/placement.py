"""Place jobs on lines: in sequence, filling each line's capacity (see PLANNING.md).

The cost of placing a job does not depend on its hours: its finish is counted with the calendar's
working-day arithmetic, and a job that would end after the planning horizon is not placed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from app.planning.calendars import WorkCalendar
from app.planning.errors import (
    ConflictingPlacement,
    DuplicateLine,
    DuplicateOrder,
    NoCapableLine,
    NotCapable,
    UnknownLine,
    UnknownOrder,
)
from app.planning.jobs import Job, Line, exact
from app.planning.schedules import Schedule, ScheduledJob, Unplaced

# How far ahead a plan reaches: a job that would finish later is reported, not placed. Five
# years keeps any real backlog inside (the benchmark's 500 orders end after 3.2 years).
HORIZON_YEARS = 5


@dataclass
class _Cursor:
    """Where a line's next job can start: a working day and the hours already used on it."""

    capacity: Fraction
    day: date
    used: Fraction


@dataclass(frozen=True)
class _Fill:
    """Where a job goes: the rest of its start day, then `whole_days` more working days."""

    start: date
    finish: date
    used: Fraction  # hours used on the finish day
    first: Fraction  # hours on the start day
    whole_days: int  # working days after the start day, the finish day included
    last: Fraction  # hours on the finish day, when it is not the start day


def _fill(cursor: _Cursor, hours: Fraction, calendar: WorkCalendar, horizon: date) -> _Fill | None:
    """Where `hours` would go after the cursor, or None if that ends after `horizon`."""
    day, used, capacity = cursor.day, cursor.used, cursor.capacity
    if used >= capacity:
        day, used = calendar.next_workday(day), Fraction(0)
    if day > horizon:
        return None
    first = min(capacity - used, hours)
    left = hours - first
    if not left:
        return _Fill(day, day, used + first, first, 0, Fraction(0))
    if left > capacity * calendar.workdays_between(day, horizon):
        return None
    days = math.ceil(left / capacity)
    last = left - (days - 1) * capacity
    return _Fill(day, calendar.add_workdays(day, days), last, first, days, last)


def _allocations(fill: _Fill, capacity: Fraction, calendar: WorkCalendar) -> tuple:
    """The hours of each working day of a fill (only placed jobs, all before the horizon)."""
    day, allocations = fill.start, [(fill.start, fill.first)]
    for number in range(1, fill.whole_days + 1):
        day = calendar.next_workday(day)
        allocations.append((day, capacity if number < fill.whole_days else fill.last))
    return tuple(allocations)


def _index_lines(lines: Iterable[Line]) -> dict[str, Line]:
    by_code: dict[str, Line] = {}
    for line in lines:
        if line.code in by_code:
            raise DuplicateLine(f"Line code {line.code} is given twice; line codes must be unique.")
        by_code[line.code] = line
    return by_code


def _index_jobs(jobs: Iterable[Job], lines: Mapping[str, Line]) -> dict[int, Job]:
    by_id: dict[int, Job] = {}
    for job in jobs:
        if job.order_id in by_id:
            raise DuplicateOrder(f"Order {job.order_number} (id {job.order_id}) is given twice.")
        if not any(code in lines for code in job.hours_by_line):
            known = ", ".join(lines) or "none"
            raise NoCapableLine(
                f"No line can make order {job.order_number}: it has hours on "
                f"{', '.join(job.hours_by_line) or 'no line'}, the lines are {known}."
            )
        by_id[job.order_id] = job
    return by_id


def _check_capable(job: Job, code: str, lines: Mapping[str, Line]) -> None:
    if code not in lines:
        raise UnknownLine(f"Line {code} (for order {job.order_number}) is not among the lines.")
    if code not in job.hours_by_line:
        raise NotCapable(
            f"Order {job.order_number} cannot be made on line {code}; "
            f"it can be made on {', '.join(sorted(job.hours_by_line))}."
        )


def _fixed_lines(
    jobs: Mapping[int, Job],
    lines: Mapping[str, Line],
    sequence: Mapping[str, Sequence[int]],
    assignment: Mapping[int, str],
) -> dict[int, str]:
    """The line each sequenced or assigned order must go on, after checking both inputs."""
    fixed: dict[int, str] = {}
    for code, order_ids in sequence.items():
        if code not in lines:
            raise UnknownLine(f"The sequence names line {code}, which is not among the lines.")
        for order_id in order_ids:
            if order_id not in jobs:
                raise UnknownOrder(
                    f"The sequence of line {code} names unknown order id {order_id}."
                )
            if order_id in fixed:
                raise DuplicateOrder(
                    f"Order {jobs[order_id].order_number} is listed twice in the sequences "
                    f"({fixed[order_id]} and {code})."
                )
            _check_capable(jobs[order_id], code, lines)
            fixed[order_id] = code
    for order_id, code in assignment.items():
        if order_id not in jobs:
            raise UnknownOrder(f"The assignment names unknown order id {order_id}.")
        if fixed.get(order_id, code) != code:
            raise ConflictingPlacement(
                f"Order {jobs[order_id].order_number} is assigned to line {code} but "
                f"sequenced on line {fixed[order_id]}; move it in one place only."
            )
        _check_capable(jobs[order_id], code, lines)
        fixed[order_id] = code
    return fixed


class _Planner:
    """The lines' cursors, the jobs placed so far and those past the horizon."""

    def __init__(
        self, lines: Mapping[str, Line], calendar: WorkCalendar, first_day: date, horizon: date
    ):
        self.calendar, self.horizon = calendar, horizon
        self.cursors = {
            code: _Cursor(exact(line.daily_hours), first_day, Fraction(0))
            for code, line in lines.items()
        }
        self.placed: dict[str, list[ScheduledJob]] = {code: [] for code in lines}
        self.beyond: list[Unplaced] = []

    def fill(self, job: Job, code: str) -> _Fill | None:
        """Where the job would go if appended to the line now (None: past the horizon)."""
        hours = exact(job.hours_by_line[code])
        return _fill(self.cursors[code], hours, self.calendar, self.horizon)

    def earliest(self, job: Job) -> str:
        """The capable line that finishes the job earliest; ties go to the line listed first."""
        options = []
        for index, code in enumerate(self.cursors):
            if code in job.hours_by_line:
                fill = self.fill(job, code)
                options.append((fill is None, fill.finish if fill else None, index, code))
        return min(options)[3]

    def append(self, job: Job, code: str) -> None:
        """Put the job at the end of the line, or report it if it ends past the horizon."""
        fill = self.fill(job, code)
        if fill is None:
            # Like an order without hours, it takes no capacity: the others are planned as usual.
            self.beyond.append(Unplaced(job.order_id, job.order_number, code))
            return
        cursor = self.cursors[code]
        cursor.day, cursor.used = fill.finish, fill.used
        allocations = _allocations(fill, cursor.capacity, self.calendar)
        self.placed[code].append(
            ScheduledJob(
                order_id=job.order_id,
                order_number=job.order_number,
                line=code,
                position=len(self.placed[code]) + 1,
                hours=float(exact(job.hours_by_line[code])),
                start=fill.start,
                finish=fill.finish,
                promised=job.promised,
                allocations=tuple((day, float(hours)) for day, hours in allocations),
            )
        )


def horizon_of(start: date, years: int = HORIZON_YEARS) -> date:
    """The last day a plan starting on `start` reaches: the same date `years` later."""
    if start.year + years > date.max.year:
        return date.max
    if (start.month, start.day) == (2, 29):
        return date(start.year + years, 2, 28)
    return start.replace(year=start.year + years)


def schedule(
    jobs: Iterable[Job],
    lines: Sequence[Line],
    calendar: WorkCalendar,
    start: date,
    sequence: Mapping[str, Sequence[int]] | None = None,
    assignment: Mapping[int, str] | None = None,
    horizon: date | None = None,
) -> Schedule:
    """Plan every job from `start`: sequenced jobs first, then the rest in queue order.

    A job that would finish after `horizon` (default: `HORIZON_YEARS` after `start`) is not
    placed; it is listed in `Schedule.beyond_horizon` and takes no capacity.
    """
    by_code = _index_lines(lines)
    by_id = _index_jobs(jobs, by_code)
    sequence, assignment = sequence or {}, assignment or {}
    fixed = _fixed_lines(by_id, by_code, sequence, assignment)
    horizon = horizon or horizon_of(start)
    planner = _Planner(by_code, calendar, calendar.roll_forward(start), horizon)
    for code, order_ids in sequence.items():
        for order_id in order_ids:
            planner.append(by_id[order_id], code)
    sequenced = {order_id for order_ids in sequence.values() for order_id in order_ids}
    for job in sorted(by_id.values(), key=Job.queue_key):
        if job.order_id not in sequenced:
            planner.append(job, fixed.get(job.order_id) or planner.earliest(job))
    planned = tuple(job for code in by_code for job in planner.placed[code])
    return Schedule(
        start=start,
        lines=tuple(by_code.values()),
        jobs=planned,
        horizon=horizon,
        beyond_horizon=tuple(planner.beyond),
    )

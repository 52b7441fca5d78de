"""Place jobs on lines: in sequence, filling each line's capacity (see PLANNING.md).

The cost of placing a job does not depend on its hours: its finish is counted with the calendar's
working-day arithmetic, and a job that would end after the planning horizon is not placed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from app.planning.bylines import lines_kept
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
from app.planning.gaps import Cursor, Gaps
from app.planning.jobs import Job, Line, exact
from app.planning.schedules import Schedule, ScheduledJob, Unplaced

# How far ahead a plan reaches: a job that would finish later is reported, not placed. Five
# years keeps any real backlog inside (the benchmark's 500 orders end after 3.2 years).
HORIZON_YEARS = 5


@dataclass(frozen=True)
class _Fill:
    """Where a job goes: the rest of its start day, then `whole_days` more working days."""

    start: date
    finish: date
    used: Fraction  # hours used on the finish day
    first: Fraction  # hours on the start day
    whole_days: int  # working days after the start day, the finish day included
    last: Fraction  # hours on the finish day, when it is not the start day
    offset: Fraction = Fraction(0)  # hours the line did on the start day before this job


def _fill(cursor: Cursor, hours: Fraction, calendar: WorkCalendar, horizon: date) -> _Fill | None:
    """Where `hours` would go after the cursor, or None if that ends after `horizon`."""
    day, used, capacity = cursor.day, cursor.used, cursor.capacity
    if used >= capacity:
        day, used = calendar.next_workday(day), Fraction(0)
    if day > horizon:
        return None
    first = min(capacity - used, hours)
    left = hours - first
    if not left:
        return _Fill(day, day, used + first, first, 0, Fraction(0), used)
    if left > capacity * calendar.workdays_between(day, horizon):
        return None
    days = math.ceil(left / capacity)
    last = left - (days - 1) * capacity
    return _Fill(day, calendar.add_workdays(day, days), last, first, days, last, used)


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


@dataclass(frozen=True)
class _Spot:
    """Where a job would go on a line: its fill (None: past the horizon), the gap it fills
    (None: the end of the line), and the day its material date holds it to (None: not held;
    the line had capacity earlier)."""

    fill: _Fill | None
    gap: int | None = None
    held: date | None = None


@dataclass
class _Place:
    """A job placed on a line, before positions are numbered."""

    job: Job
    fill: _Fill

    @property
    def key(self) -> tuple[date, Fraction]:
        """Time order on the line: two jobs never start at the same hour of the same day."""
        return self.fill.start, self.fill.offset


class _Planner:
    """The lines' cursors and gaps, the jobs placed so far and those past the horizon.

    `codes` are all the plan's lines in order; one not in `lines` was taken from a base plan,
    and no job offered to it fits there (`bylines.lines_kept`).
    """

    def __init__(
        self,
        lines: Mapping[str, Line],
        calendar: WorkCalendar,
        first_day: date,
        horizon: date,
        codes: list[str],
    ):
        self.calendar, self.horizon, self.first_day = calendar, horizon, first_day
        self.codes = codes
        self.cursors = {
            code: Cursor(exact(line.daily_hours), first_day, Fraction(0))
            for code, line in lines.items()
        }
        self.placed: dict[str, list[_Place]] = {code: [] for code in lines}
        self.beyond: list[Unplaced] = []
        # Made for a line when a job first waits for its material there.
        self.gaps: dict[str, Gaps] = {}

    def _free(self, cursor: Cursor) -> date:
        """The first day the cursor has capacity left."""
        if cursor.used < cursor.capacity:
            return cursor.day
        return self.calendar.next_workday(cursor.day)

    def _room(self, cursor: Cursor, end: date) -> Fraction:
        """Hours a line can do from the cursor up to the day before `end` (a working day)."""
        if self._free(cursor) >= end:
            return Fraction(0)
        first = max(cursor.capacity - cursor.used, Fraction(0))
        return first + cursor.capacity * (self.calendar.workdays_between(cursor.day, end) - 1)

    def where(self, job: Job, code: str) -> _Spot:
        """Where the job would go if added to the line now: the first gap it fits in on or
        after its material date, else the end of the line, on or after its material date."""
        if code not in self.cursors:  # a line taken as it was: the job cannot fit there
            return _Spot(None)
        hours = exact(job.hours_by_line[code])
        ready = self.calendar.roll_forward(job.not_before) if job.not_before else None
        gaps = self.gaps.get(code)
        if gaps is not None:
            after = self.first_day - timedelta(days=1)
            if ready is not None:
                # The gap open before the material date and still open after it: start on the date.
                after = self.calendar.previous_workday(ready)
                end = gaps.first(after, Fraction(0))
                if end is not None and self._free(gaps.cursors[end]) < ready:
                    inside = Cursor(gaps.cursors[end].capacity, ready, Fraction(0))
                    if hours <= self._room(inside, end):
                        fill = _fill(inside, hours, self.calendar, self.horizon)
                        return _Spot(fill, end, ready)
                    after = end
            end = gaps.first(after, hours)
            if end is not None:
                return _Spot(_fill(gaps.cursors[end], hours, self.calendar, self.horizon), end)
        cursor = self.cursors[code]
        if ready is not None and ready > self._free(cursor):
            start = Cursor(cursor.capacity, ready, Fraction(0))
            return _Spot(_fill(start, hours, self.calendar, self.horizon), None, ready)
        return _Spot(_fill(cursor, hours, self.calendar, self.horizon))

    def earliest(self, job: Job) -> str:
        """The capable line that finishes the job earliest; ties go to the line listed first."""
        options = []
        for index, code in enumerate(self.codes):
            if code in job.hours_by_line:
                fill = self.where(job, code).fill
                options.append((fill is None, fill.finish if fill else None, index, code))
        return min(options)[3]

    def _take_gap(self, code: str, end: date, fill: _Fill) -> None:
        """The job fills part of the gap ending on `end`: the part after it stays a gap, and so
        does the part before it when it started later than the gap opens (its material date)."""
        gaps = self.gaps[code]
        at = gaps.cursors[end]
        after = Cursor(at.capacity, fill.finish, fill.used)
        if fill.start > self._free(at):
            gaps.set(fill.start, at, self._room(at, fill.start))
        gaps.set(end, after, self._room(after, end))

    def append(self, job: Job, code: str) -> None:
        """Put the job where `where` says; report it if it ends past the horizon."""
        spot = self.where(job, code)
        if spot.fill is None:
            # Like an order without hours, it takes no capacity: the others are planned as usual.
            self.beyond.append(Unplaced(job.order_id, job.order_number, code))
            return
        cursor = self.cursors[code]
        if spot.gap is not None:
            self._take_gap(code, spot.gap, spot.fill)
        else:
            if spot.held is not None:
                gaps = self.gaps.get(code) or self.gaps.setdefault(
                    code, Gaps(self.first_day, self.horizon)
                )
                held = Cursor(cursor.capacity, cursor.day, cursor.used)
                gaps.set(spot.held, held, self._room(cursor, spot.held))
            cursor.day, cursor.used = spot.fill.finish, spot.fill.used
        self.placed[code].append(_Place(job, spot.fill))

    def _waits(self, place: _Place) -> bool:
        """True if the job starts on its material date, after the plan's first day: the date
        holds it (the line may have filled up to it since). Read from where the job is, not
        from how it got there, so that the plan's own sequence placed again gives the same
        flags (docs/PLANNING.md, "Plans computed line by line")."""
        start, not_before = place.fill.start, place.job.not_before
        return (
            not_before is not None
            and start > self.first_day
            and self.calendar.roll_forward(not_before) == start
        )

    def scheduled(self, code: str) -> list[ScheduledJob]:
        """The line's jobs in time order, numbered."""
        capacity = self.cursors[code].capacity
        ordered = sorted(self.placed[code], key=lambda place: place.key)
        return [
            ScheduledJob(
                order_id=place.job.order_id,
                order_number=place.job.order_number,
                line=code,
                position=position,
                hours=float(exact(place.job.hours_by_line[code])),
                start=place.fill.start,
                finish=place.fill.finish,
                promised=place.job.promised,
                allocations=tuple(
                    (day, float(hours))
                    for day, hours in _allocations(place.fill, capacity, self.calendar)
                ),
                not_before=place.job.not_before,
                waits=self._waits(place),
            )
            for position, place in enumerate(ordered, start=1)
        ]


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
    base: Schedule | None = None,
) -> Schedule:
    """Plan every job from `start`: sequenced jobs first, then the rest in queue order.

    A job that would finish after `horizon` (default: `HORIZON_YEARS` after `start`) is not
    placed; it is listed in `Schedule.beyond_horizon` and takes no capacity. `base`, a plan of
    the same jobs on the same calendar: the lines it would give unchanged are taken from it
    (`bylines.lines_kept`), not placed again; the result is the same.
    """
    by_code = _index_lines(lines)
    by_id = _index_jobs(jobs, by_code)
    sequence, assignment = sequence or {}, assignment or {}
    fixed = _fixed_lines(by_id, by_code, sequence, assignment)
    horizon = horizon or horizon_of(start)
    kept = lines_kept(
        base, by_id, list(by_code.values()), start, horizon, sequence, calendar, assignment
    )
    placing = {code: line for code, line in by_code.items() if code not in kept}
    planner = _Planner(placing, calendar, calendar.roll_forward(start), horizon, list(by_code))
    for code, order_ids in sequence.items():
        for order_id in order_ids if code in placing else ():
            planner.append(by_id[order_id], code)
    sequenced = {order_id for order_ids in sequence.values() for order_id in order_ids}
    for job in sorted(by_id.values(), key=Job.queue_key):
        if job.order_id not in sequenced:  # on a kept line it is beyond the horizon
            planner.append(job, fixed.get(job.order_id) or planner.earliest(job))
    planned = tuple(
        job
        for code in by_code
        for job in (planner.scheduled(code) if code in placing else base.on_line(code))
    )
    lines_in = tuple(by_code.values())
    return Schedule(start, lines_in, planned, horizon, beyond_horizon=tuple(planner.beyond))

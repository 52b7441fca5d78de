"""Which lines of an earlier plan a new plan may take as they are, instead of placing them again.

When every job has its line (sequenced, as PMC's plan and a rush preview give them), the lines
do not depend on each other: a job's place on a line depends only on that line's jobs before
it, the calendar, the line's capacity and the job's own hours and material date. A line whose
sequence is then exactly the earlier plan's (its jobs in time order) comes out as it was:
placing a line's jobs again in the order they were planned puts each one where it was
(docs/PLANNING.md, "Plans computed line by line"). A job that chooses its line (no slot: the
queue gives it the line that finishes it first) ties the lines together, unless it cannot fit
on a line at all (more hours than the line has free from its material date to the horizon, an
order beyond the horizon): such a line is taken, and the job is beyond the horizon there.
Otherwise nothing is taken and every line is placed.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from datetime import date
from itertools import accumulate

from app.planning.calendars import WorkCalendar
from app.planning.jobs import Job, Line, exact
from app.planning.schedules import Schedule, ScheduledJob


def _same_job(planned: ScheduledJob, job: Job) -> bool:
    """The job as it was when planned (its exact hours are in the float the plan records)."""
    return (
        planned.order_number == job.order_number
        and planned.hours == float(job.hours_by_line[planned.line])
        and planned.promised == job.promised
        and planned.not_before == job.not_before
    )


# Hours by which a job must exceed a line's free hours to be sure it cannot fit there: the
# booked hours are summed from the plan's floats, exact to far better than this.
_MARGIN = 1e-3


class _FreeHours:
    """The hours a planned line has free from a day to the horizon (the plan as it stands)."""

    def __init__(self, line: Line, planned: list[ScheduledJob], calendar: WorkCalendar):
        self.capacity = float(exact(line.daily_hours))
        self.calendar = calendar
        booked = [(day, hours) for job in planned for day, hours in job.allocations]
        self.days = [day for day, _hours in booked]  # in order: jobs and their days are
        self.booked = [0.0, *accumulate(hours for _day, hours in booked)]

    def after(self, first: date, horizon: date) -> float:
        """Free hours on the working days from `first` (a working day) to `horizon`."""
        days = self.calendar.workdays_between(first, horizon) + 1
        booked = self.booked[-1] - self.booked[bisect_left(self.days, first)]
        return self.capacity * days - booked


def _never_fits(job: Job, free: _FreeHours, code: str, first_day: date, horizon: date) -> bool:
    """True if the job has more hours on the line than the line has free from its material
    date (or the first day) to the horizon: wherever it looked, it would end past it."""
    ready = first_day
    if job.not_before is not None:
        ready = max(ready, free.calendar.roll_forward(job.not_before))
    if ready > horizon:
        return True
    return float(job.hours_by_line[code]) > free.after(ready, horizon) + _MARGIN


def lines_kept(
    base: Schedule | None,
    jobs: Mapping[int, Job],
    lines: Sequence[Line],
    start: date,
    horizon: date,
    sequence: Mapping[str, Sequence[int]],
    calendar: WorkCalendar,
    assignment: Mapping[int, str],
) -> set[str]:
    """The lines of `base` (if any) a plan of `jobs` in `sequence` (checked) would place exactly as
    `base` did: none unless `base` was planned from the same start, horizon and lines; else
    each line whose sequence is `base`'s own, job for job, if every job the sequence leaves
    to the queue cannot fit on it (else none: the queue may choose it). No job may be in
    `assignment` without a slot.

    The calendar is not in a plan: `base` must have been computed on the same one.
    """
    if base is None or (base.start, base.horizon, base.lines) != (start, horizon, tuple(lines)):
        return set()
    sequenced = {order_id for order_ids in sequence.values() for order_id in order_ids}
    queued = [job for order_id, job in jobs.items() if order_id not in sequenced]
    if any(job.order_id in assignment for job in queued):
        return set()
    kept = set()
    for line in lines:
        planned = base.on_line(line.code)
        order_ids = sequence.get(line.code, ())
        if len(order_ids) == len(planned) and all(
            order_id == old.order_id and _same_job(old, jobs[order_id])
            for order_id, old in zip(order_ids, planned, strict=True)
        ):
            kept.add(line.code)
    if queued:
        first_day = calendar.roll_forward(start)
        for line in lines:
            if line.code in kept:
                free = _FreeHours(line, base.on_line(line.code), calendar)
                if not all(
                    _never_fits(job, free, line.code, first_day, horizon)
                    for job in queued
                    if line.code in job.hours_by_line
                ):
                    return set()  # the queue may choose this line: none is independent
    return kept

"""Rush orders (插单): place one job ahead of the plan and preview the impact before approval."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from app.planning.calendars import WorkCalendar
from app.planning.errors import BeyondHorizon, NoCapableLine, NotCapable, UnknownLine
from app.planning.jobs import Job, Line
from app.planning.loads import WeekLoad, weekly_load
from app.planning.placement import horizon_of, schedule
from app.planning.schedules import Schedule, ScheduledJob, Unplaced


@dataclass(frozen=True)
class Slip:
    """A scheduled order that finishes later once the rush job is inserted."""

    order_id: int
    order_number: str
    line: str
    old_finish: date
    new_finish: date
    working_days: int
    promised: date | None
    late: bool


@dataclass(frozen=True)
class Preview:
    """The impact of a rush insertion, tied to the fingerprint of the schedule it changes."""

    rush: ScheduledJob
    required_by: date
    meets_required_date: bool
    days_past_required: int
    before: Schedule
    after: Schedule
    slips: list[Slip]
    newly_late: list[Slip]
    max_slip_days: int
    load: dict[str, list[WeekLoad]]
    base_fingerprint: str
    newly_beyond: tuple[Unplaced, ...] = ()  # planned before, past the horizon after

    @property
    def line(self) -> str:
        """The line the rush job is placed on."""
        return self.rush.line

    def is_current(self, schedule_now: Schedule) -> bool:
        """True if `schedule_now` is the schedule this preview was computed on."""
        return schedule_now.fingerprint == self.base_fingerprint


def slips_between(
    before: Schedule, after: Schedule, calendar: WorkCalendar, ignore: Iterable[int] = ()
) -> list[Slip]:
    """Orders of `before` that finish later in `after`, in `before`'s line order.

    Orders missing from `after`, and those in `ignore` (a rushed order), are not slips.
    """
    ignored, planned = set(ignore), {job.order_id for job in after.jobs}
    slips = []
    for old in before.jobs:
        if old.order_id in ignored or old.order_id not in planned:
            continue
        new = after.job(old.order_id)
        if new.finish > old.finish:
            slips.append(
                Slip(
                    order_id=old.order_id,
                    order_number=old.order_number,
                    line=new.line,
                    old_finish=old.finish,
                    new_finish=new.finish,
                    working_days=calendar.workdays_between(old.finish, new.finish),
                    promised=new.promised,
                    late=new.late,
                )
            )
    return slips


def _candidate_lines(rush_job: Job, lines: Sequence[Line], line: str | None) -> list[str]:
    codes = [known.code for known in lines]
    if line is not None:
        if line not in codes:
            raise UnknownLine(f"Rush line {line} is not among the lines.")
        if line not in rush_job.hours_by_line:
            raise NotCapable(f"Rush order {rush_job.order_number} cannot be made on line {line}.")
        return [line]
    capable = [code for code in codes if code in rush_job.hours_by_line]
    if not capable:
        raise NoCapableLine(f"No line can make rush order {rush_job.order_number}.")
    return capable


@dataclass(frozen=True)
class _Insertion:
    """One rush request against one base schedule."""

    lines: Sequence[Line]
    calendar: WorkCalendar
    before: Schedule
    sequence: Mapping[str, list[int]]  # the order ids of `before` per line, in time order
    rush_job: Job
    others: list[Job]
    required_by: date
    horizon_weeks: int

    def on(self, code: str) -> Preview:
        """The preview with the rush job first on line `code`, every other job kept in place.

        Only the lines that change are placed again (`code`, and the line a rushed order leaves),
        the others taken from `before`, unless a job of `before` is beyond the horizon: with no
        slot, it chooses its line among all of them again (`bylines.lines_kept`).
        """
        rush_id, calendar = self.rush_job.order_id, self.calendar
        sequence = {
            line: [order_id for order_id in ids if order_id != rush_id]
            for line, ids in self.sequence.items()
        }
        sequence[code] = [rush_id, *sequence[code]]
        jobs = [self.rush_job, *self.others]
        after = schedule(
            jobs,
            self.lines,
            calendar,
            self.before.start,
            sequence=sequence,
            horizon=self.before.horizon,
            base=self.before,
        )
        if any(job.order_id == rush_id for job in after.beyond_horizon):
            raise BeyondHorizon(
                f"Rush order {self.rush_job.order_number} would finish after the planning "
                f"horizon ({after.horizon}) on line {code}."
            )
        rush = after.job(rush_id)
        planned_before = {job.order_id for job in self.before.jobs}
        slips = slips_between(self.before, after, calendar, ignore=(rush_id,))
        return Preview(
            rush=rush,
            required_by=self.required_by,
            meets_required_date=rush.finish <= self.required_by,
            days_past_required=max(0, calendar.workdays_between(self.required_by, rush.finish)),
            before=self.before,
            after=after,
            slips=slips,
            newly_late=[s for s in slips if s.late and not self.before.job(s.order_id).late],
            max_slip_days=max((slip.working_days for slip in slips), default=0),
            load=weekly_load(after, calendar, self.horizon_weeks),
            base_fingerprint=self.before.fingerprint,
            newly_beyond=tuple(u for u in after.beyond_horizon if u.order_id in planned_before),
        )


def _planned_from(
    before: Schedule, jobs: list[Job], lines: Sequence[Line], start: date, horizon: date | None
) -> bool:
    """True if `before` can be the plan of these inputs: same start, horizon, lines and orders."""
    planned = [job.order_id for job in before.jobs]
    planned += [unplaced.order_id for unplaced in before.beyond_horizon]
    return (
        (before.start, before.lines) == (start, tuple(lines))
        and before.horizon == (horizon or horizon_of(start))
        and len(planned) == len(jobs)
        and set(planned) == {job.order_id for job in jobs}
    )


def _rank(preview: Preview, index: int) -> tuple:
    """Meeting the date with least disruption first; else the earliest finish of the rush job."""
    newly_late = len(preview.newly_late) + len(preview.newly_beyond)
    disruption = (newly_late, sum(slip.working_days for slip in preview.slips))
    if preview.meets_required_date:
        return (0, *disruption, preview.rush.finish, index)
    return (1, preview.rush.finish, *disruption, index)


def insert_rush(
    jobs: Iterable[Job],
    lines: Sequence[Line],
    calendar: WorkCalendar,
    start: date,
    rush_job: Job,
    required_by: date,
    line: str | None = None,
    sequence: Mapping[str, Sequence[int]] | None = None,
    assignment: Mapping[int, str] | None = None,
    horizon_weeks: int = 8,
    horizon: date | None = None,
    before: Schedule | None = None,
) -> Preview:
    """Preview inserting `rush_job` first on `line` (or the best capable line) of the plan.

    `horizon` is the planning horizon of both plans (see `schedule`). `before`: the plan of
    exactly these inputs when the caller has it (the plan it shows), so it is not placed again.
    """
    jobs = list(jobs)
    if before is None or not _planned_from(before, jobs, lines, start, horizon):
        before = schedule(
            jobs, lines, calendar, start, sequence=sequence, assignment=assignment, horizon=horizon
        )
    # A rushed existing order leaves its old place; the rush job replaces it.
    others = [job for job in jobs if job.order_id != rush_job.order_id]
    insertion = _Insertion(
        lines, calendar, before, before.sequence(), rush_job, others, required_by, horizon_weeks
    )
    previews = []
    for code in _candidate_lines(rush_job, lines, line):
        try:
            previews.append(insertion.on(code))
        except BeyondHorizon:
            continue
    if not previews:
        raise BeyondHorizon(
            f"Rush order {rush_job.order_number} would finish after the planning horizon "
            f"({before.horizon}) on every line it may go on; check its quantity and hours."
        )
    return min(zip(previews, range(len(previews)), strict=True), key=lambda p: _rank(*p))[0]

"""Which lines of an earlier plan a new plan may take as they are, instead of placing them again.

When every job has its line (sequenced, as PMC's plan and a rush preview give them), the lines
do not depend on each other: a job's place on a line depends only on that line's jobs before
it, the calendar, the line's capacity and the job's own hours and material date. A line whose
sequence is then exactly the earlier plan's (its jobs in time order) comes out as it was:
placing a line's jobs again in the order they were planned puts each one where it was
(docs/PLANNING.md, "Plans computed line by line"). Only a job that chooses its line (no slot:
the queue gives it the line that finishes it first) ties the lines together; then nothing is
taken and every line is placed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from app.planning.jobs import Job, Line
from app.planning.schedules import Schedule, ScheduledJob


def _same_job(planned: ScheduledJob, job: Job) -> bool:
    """The job as it was when planned (its exact hours are in the float the plan records)."""
    return (
        planned.order_number == job.order_number
        and planned.hours == float(job.hours_by_line[planned.line])
        and planned.promised == job.promised
        and planned.not_before == job.not_before
    )


def lines_kept(
    base: Schedule | None,
    jobs: Mapping[int, Job],
    lines: Sequence[Line],
    start: date,
    horizon: date,
    sequence: Mapping[str, Sequence[int]],
) -> set[str]:
    """The lines of `base` (if any) a plan of `jobs` in `sequence` (checked) would place exactly as
    `base` did: none unless every job is in the sequence and `base` was planned from the same
    start, horizon and lines; then each line whose sequence is `base`'s own, job for job.

    The calendar is not in a plan: `base` must have been computed on the same one.
    """
    if base is None or (base.start, base.horizon, base.lines) != (start, horizon, tuple(lines)):
        return set()
    if sum(len(order_ids) for order_ids in sequence.values()) != len(jobs):
        return set()  # a job without a slot chooses among the lines: they are not independent
    kept = set()
    for line in lines:
        planned = base.on_line(line.code)
        order_ids = sequence.get(line.code, ())
        if len(order_ids) == len(planned) and all(
            order_id == old.order_id and _same_job(old, jobs[order_id])
            for order_id, old in zip(order_ids, planned, strict=True)
        ):
            kept.add(line.code)
    return kept

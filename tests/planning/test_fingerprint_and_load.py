"""The schedule fingerprint changes with the plan and only with it; load per ISO week."""

from dataclasses import replace
from datetime import date

import pytest

from app.planning import Job, Line, PlanningError, WorkCalendar, schedule, weekly_load

D = date.fromisoformat
LINES = [Line("A", 8), Line("B", 8)]
START = D("2026-06-01")
JOBS = [
    Job(1, "SO-1", {"A": 12, "B": 12}, promised=D("2026-06-05")),
    Job(2, "SO-2", {"A": 8}, promised=D("2026-06-08")),
    Job(3, "SO-3", {"B": 6}, promised=D("2026-06-09")),
]


def fingerprint(jobs=JOBS, calendar=None, **options) -> str:
    """The fingerprint of the schedule of `jobs`."""
    return schedule(jobs, LINES, calendar or WorkCalendar(), START, **options).fingerprint


def test_same_plan_same_fingerprint():
    base = fingerprint()
    assert len(base) == 64 and int(base, 16) >= 0
    assert fingerprint(list(reversed(JOBS))) == base
    assert fingerprint([replace(job, order_number=job.order_number) for job in JOBS]) == base
    plan = schedule(JOBS, LINES, WorkCalendar(), START)
    assert fingerprint(sequence=plan.sequence()) == base  # the same plan, written out
    assert fingerprint(calendar=WorkCalendar(holidays={D("2026-07-01")})) == base  # after the end
    # SO-1 is made on A: its hours on B do not change the plan.
    assert fingerprint([replace(JOBS[0], hours_by_line={"A": 12, "B": 13}), *JOBS[1:]]) == base


def test_any_change_of_the_plan_changes_the_fingerprint():
    base = fingerprint()
    changed = [
        fingerprint([replace(JOBS[0], hours_by_line={"A": 13, "B": 12}), *JOBS[1:]]),
        fingerprint([*JOBS[:2], replace(JOBS[2], promised=D("2026-06-10"))]),
        fingerprint([*JOBS, Job(4, "SO-4", {"A": 1})]),
        fingerprint(JOBS[:2]),
        fingerprint(sequence={"A": [2, 1]}),
        fingerprint(assignment={1: "B"}),
        fingerprint(calendar=WorkCalendar(holidays={D("2026-06-02")})),
    ]
    assert base not in changed
    assert len(set(changed)) == len(changed)


def test_load_across_national_day_and_a_makeup_saturday(cn_2026):
    plan = schedule([Job(1, "SO-1", {"A": 40})], [Line("A", 8)], cn_2026, D("2026-09-28"))
    load = weekly_load(plan, cn_2026, weeks=3)["A"]
    assert [(w.week, w.monday, w.booked_hours, w.capacity_hours) for w in load] == [
        ("2026-W40", D("2026-09-28"), 24.0, 24.0),  # Thursday to Sunday are off
        ("2026-W41", D("2026-10-05"), 16.0, 24.0),  # Thu, Fri and the make-up Saturday
        ("2026-W42", D("2026-10-12"), 0.0, 40.0),
    ]
    assert load[1].free_hours == 8.0 and load[1].utilisation == pytest.approx(2 / 3)


def test_load_counts_capacity_from_the_start_day(plain):
    plan = schedule(
        [Job(1, "SO-1", {"A": 2.5}), Job(2, "SO-2", {"A": 0.1})],
        [Line("A", 7.5)],
        plain,
        D("2026-06-03"),
    )
    (week,) = weekly_load(plan, plain, weeks=1)["A"]
    assert (week.week, week.booked_hours, week.capacity_hours) == ("2026-W23", 2.6, 22.5)
    with pytest.raises(PlanningError, match="at least one week"):
        weekly_load(plan, plain, weeks=0)

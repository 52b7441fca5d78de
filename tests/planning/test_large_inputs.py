"""Huge quantities: the planner's work does not grow with a job's hours, and past the horizon
a job is reported instead of placed; the other jobs are planned as if it were not there."""

from datetime import date, timedelta
from unittest import mock

import pytest

from app.planning import (
    HORIZON_YEARS,
    BeyondHorizon,
    InvalidHours,
    Job,
    Line,
    WorkCalendar,
    horizon_of,
    insert_rush,
    order_hours,
    schedule,
    weekly_load,
)

D = date.fromisoformat
START = D("2026-09-28")
LINES = [Line("A", 8), Line("B", 8)]
NORMAL = [
    Job(1, "SO-1", {"A": 20}, promised=D("2026-10-09")),
    Job(2, "SO-2", {"A": 12, "B": 16}, promised=D("2026-10-12")),
    Job(3, "SO-3", {"B": 30}, promised=D("2026-10-20")),
]


def _hours(quantity: int) -> dict[str, float]:
    return order_hours("SO-9", [(quantity, {"A": "0.5"})])


def _day_steps(jobs, calendar) -> int:
    """How many single days the planner looked at (every day-by-day loop asks is_workday)."""
    with mock.patch.object(
        WorkCalendar, "is_workday", autospec=True, side_effect=WorkCalendar.is_workday
    ) as spy:
        schedule(jobs, LINES, calendar, START)
    return spy.call_count


@pytest.mark.parametrize("line_hours", [8, 0.5])
def test_the_work_does_not_grow_with_the_quantity(cn_2026, line_hours):
    lines = [Line("A", line_hours)]
    counts = {}
    for quantity in (10, 10**9):
        job = Job(9, "SO-9", _hours(quantity), promised=D("2026-12-01"))
        with mock.patch.object(
            WorkCalendar, "is_workday", autospec=True, side_effect=WorkCalendar.is_workday
        ) as spy:
            plan = schedule([job], lines, cn_2026, START)
        counts[quantity] = spy.call_count
        assert bool(plan.jobs) is (quantity == 10)
    assert counts[10**9] <= counts[10]


def test_a_long_job_inside_the_horizon_costs_its_days_not_its_hours(cn_2026):
    # Two years of work: the days are listed (they are the plan), but the finish is counted.
    many = Job(9, "SO-9", {"A": 8 * 480})
    steps = _day_steps([many], cn_2026)
    (job,) = schedule([many], LINES, cn_2026, START).jobs
    assert len(job.allocations) == 480
    assert job.finish == cn_2026.add_workdays(START, 479)
    assert steps < 3 * 480


def test_a_billion_units_is_reported_past_the_horizon_and_the_rest_is_planned(cn_2026):
    huge = Job(9, "SO-9", _hours(10**9), promised=D("2026-10-01"))
    normal = schedule(NORMAL, LINES, cn_2026, START)
    plan = schedule([huge, *NORMAL], LINES, cn_2026, START)
    assert [(u.order_id, u.order_number) for u in plan.beyond_horizon] == [(9, "SO-9")]
    assert plan.horizon == START.replace(year=START.year + HORIZON_YEARS) == D("2031-09-28")
    assert plan.jobs == normal.jobs  # it takes no capacity
    assert plan.fingerprint != normal.fingerprint  # but the plan says it is missing
    assert normal.beyond_horizon == ()
    assert weekly_load(plan, cn_2026) == weekly_load(normal, cn_2026)


def test_a_sequenced_job_past_the_horizon_keeps_the_others_in_their_order(plain):
    huge = Job(9, "SO-9", {"A": 10**12})
    plan = schedule([huge, *NORMAL], LINES, plain, START, sequence={"A": [2, 9, 1]})
    assert [job.order_id for job in plan.on_line("A")] == [2, 1]
    assert [u.line for u in plan.beyond_horizon] == ["A"]
    assert plan.sequence() == {"A": [2, 1], "B": [3]}


def test_the_default_horizon_is_the_same_date_five_years_on():
    assert horizon_of(D("2027-03-01")) == D("2032-03-01")
    assert horizon_of(D("2028-02-29")) == D("2033-02-28")
    assert horizon_of(D("9998-01-01")) == date.max


def test_the_horizon_is_a_parameter(plain):
    jobs = [Job(1, "SO-1", {"A": 16}), Job(2, "SO-2", {"A": 8})]
    plan = schedule(jobs, [Line("A", 8)], plain, D("2026-06-01"), horizon=D("2026-06-02"))
    assert [job.order_id for job in plan.jobs] == [1]
    assert [u.order_id for u in plan.beyond_horizon] == [2]
    # Finishing on the horizon's day is inside it.
    plan = schedule(jobs[:1], [Line("A", 8)], plain, D("2026-06-01"), horizon=D("2026-06-02"))
    assert plan.jobs[0].finish == D("2026-06-02")


def test_a_rush_past_the_horizon_is_refused_with_a_reason(cn_2026):
    huge = Job(9, "SO-9", _hours(10**9))
    with pytest.raises(BeyondHorizon, match="SO-9 would finish after the planning horizon"):
        insert_rush(NORMAL, LINES, cn_2026, START, huge, D("2026-10-30"))


def test_a_rush_that_pushes_an_order_past_the_horizon_says_so(plain):
    jobs = [Job(1, "SO-1", {"A": 8 * 20}), Job(2, "SO-2", {"A": 8 * 10})]
    rush = Job(7, "SO-7", {"A": 8 * 20})
    preview = insert_rush(
        jobs, [Line("A", 8)], plain, D("2026-10-01"), rush, D("2026-10-30"), horizon=D("2026-11-30")
    )
    assert preview.before.beyond_horizon == ()
    assert [(u.order_id, u.order_number) for u in preview.newly_beyond] == [(2, "SO-2")]
    assert [slip.order_id for slip in preview.slips] == [1]


def test_hours_too_large_to_count_are_refused():
    with pytest.raises(InvalidHours, match="more hours than can be counted"):
        order_hours("SO-1", [(10**300, {"A": 10**300})])


def test_working_day_arithmetic_matches_walking_day_by_day(cn_2026):
    calendars = [cn_2026, WorkCalendar(weekend=(6,)), WorkCalendar(weekend=())]
    for calendar in calendars:
        start = D("2026-09-01")
        day, walked = start, 0
        for _ in range(200):
            day += timedelta(days=1)
            walked += calendar.is_workday(day)
            assert calendar.workdays_between(start, day) == walked
            assert calendar.workdays_between(day, start) == -walked
            if calendar.is_workday(day):
                assert calendar.add_workdays(start, walked) == day


def test_far_dates_are_counted_in_a_few_steps(cn_2026):
    with mock.patch.object(
        WorkCalendar, "is_workday", autospec=True, side_effect=WorkCalendar.is_workday
    ) as spy:
        assert cn_2026.workdays_between(D("2026-01-01"), D("9000-01-01")) > 1_000_000
        far = cn_2026.add_workdays(D("2026-01-01"), 1_000_000)
    assert spy.call_count == 0
    assert far.year > 5000 and cn_2026.is_workday(far)

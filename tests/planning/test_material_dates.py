"""Material dates (issue 13), hand-checked: an order does not start before its materials are
expected; later orders on its line pass it until then, filling the line; a rush honours it too.

Plain calendar (Saturday and Sunday off), line A of 8 h a day, Monday 2026-06-01 the start.
"""

from datetime import date

import pytest

from app.planning import InvalidHours, Job, Line, insert_rush, schedule

D = date.fromisoformat
A8, B8 = Line("A", 8), Line("B", 8)
MONDAY = D("2026-06-01")


def rows(plan):
    """(order id, line, position, start, finish, waits) in line order."""
    return [
        (job.order_id, job.line, job.position, job.start, job.finish, job.waits)
        for job in plan.jobs
    ]


def replayed(plan, jobs, lines, calendar):
    return schedule(jobs, lines, calendar, plan.start, sequence=plan.sequence())


def test_a_waiting_order_starts_on_its_date_and_later_orders_fill_the_line_before(plain):
    jobs = [
        Job(1, "SO-1", {"A": 16}, promised=D("2026-06-05"), not_before=D("2026-06-04")),
        Job(2, "SO-2", {"A": 8}, promised=D("2026-06-10")),
        Job(3, "SO-3", {"A": 12}, promised=D("2026-06-11")),
        Job(4, "SO-4", {"A": 8}, promised=D("2026-06-12")),
    ]
    plan = schedule(jobs, [A8], plain, MONDAY)
    # 1 holds Thu-Fri; Mon-Wed (24 h) is a gap: 2 takes Monday, 3 Tuesday and 4 h of Wednesday;
    # 4 (8 h) no longer fits the 4 h left and goes after 1, on Monday 06-08.
    assert rows(plan) == [
        (2, "A", 1, D("2026-06-01"), D("2026-06-01"), False),
        (3, "A", 2, D("2026-06-02"), D("2026-06-03"), False),
        (1, "A", 3, D("2026-06-04"), D("2026-06-05"), True),
        (4, "A", 4, D("2026-06-08"), D("2026-06-08"), False),
    ]
    assert plan.job(3).allocations == ((D("2026-06-02"), 8.0), (D("2026-06-03"), 4.0))
    assert plan.job(1).not_before == D("2026-06-04") and plan.late_jobs == []
    assert replayed(plan, jobs, [A8], plain).fingerprint == plan.fingerprint


def test_the_line_idles_when_nothing_fits_before_the_material_date(plain):
    jobs = [
        Job(1, "SO-1", {"A": 16}, promised=D("2026-06-04"), not_before=D("2026-06-03")),
        Job(2, "SO-2", {"A": 24}, promised=D("2026-06-10")),
    ]
    plan = schedule(jobs, [A8], plain, MONDAY)
    assert rows(plan) == [
        (1, "A", 1, D("2026-06-03"), D("2026-06-04"), True),
        (2, "A", 2, D("2026-06-05"), D("2026-06-09"), False),  # 24 h > the 16 h of Mon-Tue
    ]


def test_a_material_date_on_a_weekend_rolls_to_monday_and_a_past_one_holds_nothing(plain):
    jobs = [
        Job(1, "SO-1", {"A": 8}, promised=D("2026-06-20"), not_before=D("2026-06-06")),  # Sat
        Job(2, "SO-2", {"B": 8}, promised=D("2026-06-20"), not_before=D("2026-05-20")),
    ]
    plan = schedule(jobs, [A8, B8], plain, MONDAY)
    assert rows(plan) == [
        (1, "A", 1, D("2026-06-08"), D("2026-06-08"), True),
        (2, "B", 1, D("2026-06-01"), D("2026-06-01"), False),
    ]


def test_an_order_whose_material_comes_inside_a_gap_starts_there(plain):
    jobs = [
        Job(1, "SO-1", {"A": 8}, promised=D("2026-06-08"), not_before=D("2026-06-08")),
        Job(2, "SO-2", {"A": 8}, promised=D("2026-06-09"), not_before=D("2026-06-03")),
        Job(3, "SO-3", {"A": 8}, promised=D("2026-06-10")),
    ]
    plan = schedule(jobs, [A8], plain, MONDAY)
    # 1 waits for Monday 06-08: Mon-Fri before it is a 40 h gap. 2's material comes on
    # Wednesday: it starts then, inside the gap, splitting it in two (Mon-Tue, Thu-Fri); 3 takes
    # the first day of the first one.
    assert rows(plan) == [
        (3, "A", 1, D("2026-06-01"), D("2026-06-01"), False),
        (2, "A", 2, D("2026-06-03"), D("2026-06-03"), True),
        (1, "A", 3, D("2026-06-08"), D("2026-06-08"), True),
    ]
    assert replayed(plan, jobs, [A8], plain).fingerprint == plan.fingerprint


def test_both_parts_of_a_split_gap_stay_open(plain):
    jobs = [
        Job(1, "SO-1", {"A": 8}, promised=D("2026-06-12"), not_before=D("2026-06-12")),
        Job(2, "SO-2", {"A": 16}, promised=D("2026-06-12"), not_before=D("2026-06-09")),
        Job(3, "SO-3", {"A": 40}, promised=D("2026-06-30")),
        Job(4, "SO-4", {"A": 8}, promised=D("2026-07-01")),
        Job(5, "SO-5", {"A": 8}, promised=D("2026-07-02")),
        Job(6, "SO-6", {"A": 8}, promised=D("2026-07-03")),
    ]
    plan = schedule(jobs, [A8], plain, MONDAY)
    # 1 waits for Friday 06-12 (a 72 h gap before it); 2 waits for Tuesday 06-09 and takes
    # Tue-Wed, leaving 48 h before it (06-01..06-08) and 8 h after it (Thursday 06-11). 3 fills
    # the first week, 4 the Monday 06-08, 5 the Thursday; 6 finds no room and follows 1.
    assert rows(plan) == [
        (3, "A", 1, D("2026-06-01"), D("2026-06-05"), False),
        (4, "A", 2, D("2026-06-08"), D("2026-06-08"), False),
        (2, "A", 3, D("2026-06-09"), D("2026-06-10"), True),
        (5, "A", 4, D("2026-06-11"), D("2026-06-11"), False),
        (1, "A", 5, D("2026-06-12"), D("2026-06-12"), True),
        (6, "A", 6, D("2026-06-15"), D("2026-06-15"), False),
    ]
    assert replayed(plan, jobs, [A8], plain).fingerprint == plan.fingerprint


def test_a_sequenced_waiting_order_is_passed_by_the_next_one_in_the_sequence(plain):
    jobs = [
        Job(1, "SO-1", {"A": 16}, promised=D("2026-06-30"), not_before=D("2026-06-03")),
        Job(2, "SO-2", {"A": 8}, promised=D("2026-06-30")),
    ]
    plan = schedule(jobs, [A8], plain, MONDAY, sequence={"A": [1, 2]})
    assert rows(plan) == [
        (2, "A", 1, D("2026-06-01"), D("2026-06-01"), False),
        (1, "A", 2, D("2026-06-03"), D("2026-06-04"), True),
    ]
    assert plan.sequence() == {"A": [2, 1]}


def test_the_earliest_finish_counts_the_gaps(plain):
    jobs = [
        Job(1, "SO-1", {"A": 8}, promised=D("2026-06-05"), not_before=D("2026-06-05")),
        Job(2, "SO-2", {"B": 8}, promised=D("2026-06-06")),
        Job(3, "SO-3", {"A": 16, "B": 16}, promised=D("2026-06-07")),
    ]
    plan = schedule(jobs, [A8, B8], plain, MONDAY)
    # On B, 3 would run Tue-Wed; in A's gap (Mon-Thu) it runs Mon-Tue: A finishes it earlier.
    assert rows(plan) == [
        (3, "A", 1, D("2026-06-01"), D("2026-06-02"), False),
        (1, "A", 2, D("2026-06-05"), D("2026-06-05"), True),
        (2, "B", 1, D("2026-06-01"), D("2026-06-01"), False),
    ]


def test_a_rush_waiting_for_material_lets_the_plan_run_until_then(plain):
    jobs = [Job(1, "SO-1", {"A": 16}, promised=D("2026-06-10"))]
    rush = Job(9, "SO-9", {"A": 8}, promised=D("2026-06-05"), not_before=D("2026-06-03"))
    preview = insert_rush(jobs, [A8], plain, MONDAY, rush, required_by=D("2026-06-05"))
    # First on line A, but its material comes on Wednesday: 1 keeps Mon-Tue, nothing slips.
    assert rows(preview.after) == [
        (1, "A", 1, D("2026-06-01"), D("2026-06-02"), False),
        (9, "A", 2, D("2026-06-03"), D("2026-06-03"), True),
    ]
    assert preview.slips == [] and preview.meets_required_date


def test_a_material_date_past_the_horizon_leaves_the_order_unplaced(plain):
    jobs = [Job(1, "SO-1", {"A": 8}, not_before=D("2026-08-01")), Job(2, "SO-2", {"A": 8})]
    plan = schedule(jobs, [A8], plain, MONDAY, horizon=D("2026-07-01"))
    assert [u.order_id for u in plan.beyond_horizon] == [1]
    assert rows(plan) == [(2, "A", 1, MONDAY, MONDAY, False)]


def test_a_material_date_changes_the_fingerprint_only_when_given(plain):
    base = schedule([Job(1, "SO-1", {"A": 8})], [A8], plain, MONDAY)
    past = schedule([Job(1, "SO-1", {"A": 8}, not_before=D("2026-05-01"))], [A8], plain, MONDAY)
    assert rows(base) == rows(past)
    assert base.fingerprint != past.fingerprint
    assert '"2026-05-01"' in past.canonical() and "2026-05-01" not in base.canonical()


def test_a_material_date_must_be_a_date():
    with pytest.raises(InvalidHours):
        Job(1, "SO-1", {"A": 8}, not_before="2026-06-01")


@pytest.mark.parametrize("seed", range(40))
def test_random_plans_keep_the_rules_and_replay_exactly(plain, seed):
    """Seeded random plans: no job starts before its material date, no day is booked past
    capacity, a waiting job starts on its material date, and the plan's own sequence gives the
    same plan back (what the stored plan relies on)."""
    import random

    rng = random.Random(seed)
    lines = [Line("A", 8), Line("B", 6)]
    jobs = []
    for n in range(1, 25):
        capable = rng.choice([{"A"}, {"B"}, {"A", "B"}])
        hours = {code: rng.choice([2, 4, 6, 8, 12, 16, 30]) for code in capable}
        waits = rng.random() < 0.4
        jobs.append(
            Job(
                n,
                f"SO-{n}",
                hours,
                promised=MONDAY.fromordinal(MONDAY.toordinal() + rng.randint(0, 40)),
                not_before=MONDAY.fromordinal(MONDAY.toordinal() + rng.randint(-3, 30))
                if waits
                else None,
            )
        )
    plan = schedule(jobs, lines, plain, MONDAY)
    capacity = {line.code: line.daily_hours for line in lines}
    booked: dict[tuple[str, date], float] = {}
    for job in plan.jobs:
        if job.not_before is not None:
            assert job.start >= job.not_before
        if job.waits:
            assert job.start == plain.roll_forward(job.not_before)
        for day, hours in job.allocations:
            booked[job.line, day] = booked.get((job.line, day), 0) + hours
    assert all(hours <= capacity[code] + 1e-9 for (code, _day), hours in booked.items())
    assert len(plan.jobs) == len(jobs)
    assert replayed(plan, jobs, lines, plain).fingerprint == plan.fingerprint

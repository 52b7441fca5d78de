"""Plans computed line by line (a rush preview, a re-plan) equal the full computation.

Random plans: 2 to 7 lines of whole and fractional capacities, jobs capable on 1 to 3 of them,
calendars with random holidays, make-up days and weekends, material dates (some on closed days),
PMC sequences naming some of the jobs, and short horizons that push some jobs beyond them.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.planning import (
    BeyondHorizon,
    Job,
    Line,
    WorkCalendar,
    horizon_of,
    insert_rush,
    schedule,
    slips_between,
    weekly_load,
)
from app.planning.bylines import lines_kept

START = date(2027, 1, 4)
CASES = 120


def _calendar(rng: random.Random) -> WorkCalendar:
    days = [START + timedelta(days=n) for n in range(-10, 400)]
    weekend = rng.choice([(5, 6), (6,), (0, 6), ()])
    closed = set(rng.sample(days, rng.randint(0, 60)))
    extra = {day for day in rng.sample(days, rng.randint(0, 10)) if day.weekday() in weekend}
    return WorkCalendar(holidays=closed - extra, workdays=extra, weekend=weekend)


def _plan(rng: random.Random) -> dict:
    """Lines, jobs, calendar, horizon and a sequence naming some jobs (some on no line)."""
    lines = [
        Line(f"L{n}", rng.choice([8, 16, 7.5, Decimal("6.4"), 20]))
        for n in range(rng.randint(2, 7))
    ]
    codes = [line.code for line in lines]
    jobs = []
    for order_id in range(1, rng.randint(2, 45)):
        capable = rng.sample(codes, rng.randint(1, min(3, len(codes))))
        wait = rng.random() < 0.3
        jobs.append(
            Job(
                order_id,
                f"SO-{order_id}",
                {code: rng.choice([2, 5, 8, 12.5, 30, 61, Decimal("3.3")]) for code in capable},
                promised=START + timedelta(days=rng.randint(0, 60)) if rng.random() < 0.9 else None,
                not_before=START + timedelta(days=rng.randint(-3, 50)) if wait else None,
            )
        )
    sequence: dict[str, list[int]] = {}
    for job in rng.sample(jobs, rng.randint(0, len(jobs))):
        sequence.setdefault(rng.choice(list(job.hours_by_line)), []).append(job.order_id)
    short = rng.random() < 0.25  # some jobs past the horizon
    horizon = START + timedelta(days=rng.randint(10, 40)) if short else horizon_of(START)
    return {
        "jobs": jobs,
        "lines": lines,
        "calendar": _calendar(rng),
        "start": START,
        "sequence": sequence,
        "horizon": horizon,
    }


def _moved(rng: random.Random, base, jobs: list[Job]) -> dict[str, list[int]]:
    """PMC's re-plan: the plan's own sequence with a few orders moved between or within lines."""
    sequence = base.sequence()
    by_id = {job.order_id: job for job in jobs}
    for _ in range(rng.randint(0, 3)):
        order_id = rng.choice(jobs).order_id
        for ids in sequence.values():
            if order_id in ids:
                ids.remove(order_id)
        line = sequence[rng.choice(list(by_id[order_id].hours_by_line))]
        line.insert(rng.randint(0, len(line)), order_id)
    return sequence


@pytest.mark.parametrize("seed", range(CASES))
def test_placing_a_plan_again_in_its_own_order_gives_it_back(seed):
    """Why a line can be taken as it was: its jobs placed again in time order land where they
    were, whatever sequence, queue and material dates placed them the first time."""
    plan = {**_plan(random.Random(seed)), "horizon": None}  # every job placed
    base = schedule(**plan)
    assert not base.beyond_horizon
    assert schedule(**{**plan, "sequence": base.sequence()}) == base


@pytest.mark.parametrize("seed", range(CASES))
def test_a_replan_by_line_equals_the_full_one(seed):
    rng = random.Random(seed)
    plan = _plan(rng)
    base = schedule(**plan)
    sequence = _moved(rng, base, plan["jobs"])
    full = schedule(**{**plan, "sequence": sequence})
    by_line = schedule(**{**plan, "sequence": sequence}, base=base)
    assert by_line == full
    assert [(j.order_id, j.line, j.position, j.start, j.finish) for j in by_line.jobs] == [
        (j.order_id, j.line, j.position, j.start, j.finish) for j in full.jobs
    ]
    kept = lines_kept(
        base,
        {job.order_id: job for job in plan["jobs"]},
        plan["lines"],
        START,
        plan["horizon"],
        sequence,
        plan["calendar"],
        {},
    )
    unchanged = {code for code, ids in base.sequence().items() if sequence[code] == ids}
    # Every unchanged line is taken as it was when every order has a slot; with orders left to
    # the queue (beyond the horizon), all of them or none.
    every = sum(len(ids) for ids in sequence.values()) == len(plan["jobs"])
    assert kept == unchanged if every else kept in (unchanged, set())


def _rush(rng: random.Random, plan: dict) -> Job:
    """A new order, or one of the plan's own orders rushed (it leaves its place)."""
    codes = [line.code for line in plan["lines"]]
    capable = rng.sample(codes, rng.randint(1, min(3, len(codes))))
    hours = {code: rng.choice([4, 9.5, 24, 40]) for code in capable}
    order_id = rng.choice([0, rng.choice(plan["jobs"]).order_id])
    wait = START + timedelta(days=rng.randint(0, 20)) if rng.random() < 0.3 else None
    return Job(order_id, f"SO-{order_id}", hours, START + timedelta(days=5), not_before=wait)


@pytest.mark.parametrize("seed", range(CASES))
def test_a_rush_preview_by_line_equals_the_full_one(seed):
    rng = random.Random(seed)
    plan = _plan(rng)
    rush = _rush(rng, plan)
    required = START + timedelta(days=rng.randint(0, 20))
    before = schedule(**plan)
    others = [job for job in plan["jobs"] if job.order_id != rush.order_id]
    for code in rush.hours_by_line:
        sequence = {
            line: [order_id for order_id in ids if order_id != rush.order_id]
            for line, ids in before.sequence().items()
        }
        sequence[code] = [rush.order_id, *sequence[code]]
        full = schedule(**{**plan, "jobs": [rush, *others], "sequence": sequence})
        try:
            preview = insert_rush(rush_job=rush, required_by=required, line=code, **plan)
        except BeyondHorizon:
            assert any(unplaced.order_id == rush.order_id for unplaced in full.beyond_horizon)
            continue
        given = insert_rush(rush_job=rush, required_by=required, line=code, before=before, **plan)
        assert given == preview
        assert preview.before == before
        assert preview.after == full
        assert preview.slips == slips_between(before, full, plan["calendar"], (rush.order_id,))
        assert preview.load == weekly_load(full, plan["calendar"], 8)
        placed = {job.order_id for job in before.jobs}
        assert preview.newly_beyond == tuple(
            unplaced for unplaced in full.beyond_horizon if unplaced.order_id in placed
        )


def test_a_plan_of_other_inputs_is_not_taken_as_it_was(plain):
    lines = [Line("A", 8), Line("B", 8)]
    jobs = [Job(1, "SO-1", {"A": 16}), Job(2, "SO-2", {"A": 8, "B": 8})]
    rush = Job(9, "SO-9", {"A": 8})
    stale = schedule(jobs[:1], lines, plain, START)  # before order 2 was released
    preview = insert_rush(jobs, lines, plain, START, rush, START, before=stale)
    assert preview.before == schedule(jobs, lines, plain, START)
    # Order 1 now takes 12 hours, not 16: line A is placed again, B is taken as it was.
    base = preview.before
    changed = [Job(1, "SO-1", {"A": 12}), jobs[1]]
    by_id = {job.order_id: job for job in changed}
    sequence = base.sequence()
    assert lines_kept(base, by_id, lines, START, base.horizon, sequence, plain, {}) == {"B"}
    again = schedule(changed, lines, plain, START, sequence=sequence, base=base)
    assert again == schedule(changed, lines, plain, START, sequence=sequence)
    assert again.job(1).finish == START + timedelta(days=1)


def test_an_order_beyond_the_horizon_leaves_the_other_lines_independent(plain):
    """A quantity typed wrong (a million hours) is beyond the horizon on every line: it has no
    slot, but it cannot fit anywhere, so a rush on A still places only A."""
    lines = [Line("A", 8), Line("B", 8), Line("C", 8)]
    jobs = [
        Job(1, "SO-1", {"A": 16}, promised=START),
        Job(2, "SO-2", {"B": 8, "C": 8}, promised=START, not_before=START + timedelta(days=3)),
        Job(3, "SO-3", {"A": 1_000_000, "B": 1_000_000}, promised=START),
        Job(4, "SO-4", {"C": 30}),
    ]
    before = schedule(jobs, lines, plain, START)
    assert [unplaced.order_id for unplaced in before.beyond_horizon] == [3]
    rush = Job(9, "SO-9", {"A": 8})
    sequence = {**before.sequence(), "A": [9, *before.sequence()["A"]]}
    by_id = {job.order_id: job for job in [rush, *jobs]}
    horizon = before.horizon
    assert lines_kept(before, by_id, lines, START, horizon, sequence, plain, {}) == {"B", "C"}
    preview = insert_rush(jobs, lines, plain, START, rush, START, line="A", before=before)
    assert preview.after == schedule([rush, *jobs], lines, plain, START, sequence=sequence)
    assert preview.after.beyond_horizon == before.beyond_horizon
    # An order that could fit on a line ties that line to the queue again: every line placed.
    small = Job(3, "SO-3", {"A": 1_000_000, "B": 8})
    assert (
        lines_kept(before, {**by_id, 3: small}, lines, START, horizon, sequence, plain, {}) == set()
    )

"""Hand-checked schedules: weekends, holidays, make-up days, carry-over, line choice, sequences."""

from datetime import date, datetime
from decimal import Decimal

from app.planning import Job, Line, order_hours, schedule

D = date.fromisoformat
A8 = Line("A", 8)


def dates(plan):
    """order_id -> (line, start, finish) of every planned job."""
    return {job.order_id: (job.line, job.start, job.finish) for job in plan.jobs}


def test_weekends_are_skipped(plain):
    plan = schedule([Job(1, "SO-1", {"A": 20})], [A8], plain, D("2026-03-06"))  # a Friday
    (job,) = plan.jobs
    assert (job.start, job.finish) == (D("2026-03-06"), D("2026-03-10"))
    assert job.allocations == (
        (D("2026-03-06"), 8.0),
        (D("2026-03-09"), 8.0),
        (D("2026-03-10"), 4.0),
    )


def test_a_start_on_a_weekend_rolls_to_monday(plain):
    plan = schedule([Job(1, "SO-1", {"A": 8})], [A8], plain, D("2026-03-07"))
    assert dates(plan) == {1: ("A", D("2026-03-09"), D("2026-03-09"))}
    assert plan.start == D("2026-03-07")


def test_national_day_and_the_makeup_saturday(cn_2026):
    jobs = [
        Job(3, "SO-3", {"A": 12}, promised=D("2026-10-10")),
        Job(1, "SO-1", {"A": 24}, promised=D("2026-09-30")),
        Job(2, "SO-2", {"A": 16}, promised=D("2026-10-09")),
    ]
    plan = schedule(jobs, [A8], cn_2026, D("2026-09-28"))
    assert dates(plan) == {
        1: ("A", D("2026-09-28"), D("2026-09-30")),
        2: ("A", D("2026-10-08"), D("2026-10-09")),  # 10-01..10-07 are off
        3: ("A", D("2026-10-10"), D("2026-10-12")),  # 8 h on the make-up Saturday, 4 h on Monday
    }
    assert [job.order_id for job in plan.late_jobs] == [3]
    assert plan.finish == D("2026-10-12")


def test_partial_days_carry_over(plain):
    jobs = [Job(n, f"SO-{n}", {"A": hours}) for n, hours in ((1, 5), (2, 5), (3, 6), (4, 2))]
    plan = schedule(jobs, [A8], plain, D("2026-06-01"))
    assert dates(plan) == {
        1: ("A", D("2026-06-01"), D("2026-06-01")),
        2: ("A", D("2026-06-01"), D("2026-06-02")),  # starts on the day the previous one ends
        3: ("A", D("2026-06-02"), D("2026-06-02")),  # fills Tuesday exactly
        4: ("A", D("2026-06-03"), D("2026-06-03")),
    }
    assert plan.job(2).allocations == ((D("2026-06-01"), 3.0), (D("2026-06-02"), 2.0))
    assert [job.position for job in plan.jobs] == [1, 2, 3, 4]


def test_decimal_hours_fill_a_day_exactly(plain):
    jobs = [Job(n, f"SO-{n}", {"A": 2.4}) for n in (1, 2, 3)] + [
        Job(4, "SO-4", {"A": Decimal("1")})
    ]
    plan = schedule(jobs, [Line("A", Decimal("7.2"))], plain, D("2026-06-01"))
    assert plan.job(3).finish == D("2026-06-01")
    assert plan.job(4).start == D("2026-06-02")


def test_two_lines_take_the_earliest_finish(plain):
    jobs = [
        Job(1, "SO-1", {"A": 16}, promised=D("2026-06-10")),
        Job(2, "SO-2", {"A": 8, "B": 16}, promised=D("2026-06-11")),
        Job(3, "SO-3", {"A": 8, "B": 8}, promised=D("2026-06-12")),
        Job(4, "SO-4", {"A": 4, "B": 4}, promised=D("2026-06-13")),
    ]
    plan = schedule(jobs, [A8, Line("B", 8)], plain, D("2026-06-01"))
    assert dates(plan) == {
        1: ("A", D("2026-06-01"), D("2026-06-02")),
        2: ("B", D("2026-06-01"), D("2026-06-02")),  # A would finish Wednesday
        3: ("A", D("2026-06-03"), D("2026-06-03")),  # a tie: the line listed first
        4: ("B", D("2026-06-03"), D("2026-06-03")),
    }


def test_three_lines_with_different_rates(plain):
    jobs = [
        Job(1, "SO-1", {"A": 16, "B": 12, "C": 30}, promised=D("2026-06-10")),
        Job(2, "SO-2", {"A": 8, "B": 6, "C": 10}, promised=D("2026-06-11")),
        Job(3, "SO-3", {"B": 6, "C": 10}, promised=D("2026-06-12")),
        Job(4, "SO-4", {"A": 4, "B": 3, "C": 5}, promised=D("2026-06-13")),
    ]
    lines = [A8, Line("B", 6), Line("C", 10)]
    plan = schedule(jobs, lines, plain, D("2026-06-01"))
    assert dates(plan) == {
        1: ("A", D("2026-06-01"), D("2026-06-02")),
        2: ("B", D("2026-06-01"), D("2026-06-01")),
        3: ("C", D("2026-06-01"), D("2026-06-01")),
        4: ("B", D("2026-06-02"), D("2026-06-02")),
    }
    assert plan.sequence() == {"A": [1], "B": [2, 4], "C": [3]}


def test_default_queue_promised_then_release_then_id(plain):
    jobs = [
        Job(5, "SO-5", {"A": 8}),
        Job(4, "SO-4", {"A": 8}, promised=D("2026-06-20")),
        Job(3, "SO-3", {"A": 8}, promised=D("2026-06-20"), released_at=datetime(2026, 5, 2)),
        Job(2, "SO-2", {"A": 8}, promised=D("2026-06-20"), released_at=datetime(2026, 5, 1)),
        Job(1, "SO-1", {"A": 8}, promised=D("2026-06-20"), released_at=datetime(2026, 5, 2)),
        Job(6, "SO-6", {"A": 8}, promised=D("2026-06-10")),
    ]
    plan = schedule(jobs, [A8], plain, D("2026-06-01"))
    assert plan.sequence() == {"A": [6, 2, 1, 3, 4, 5]}


def test_pmc_reorders_a_line(plain):
    jobs = [Job(n, f"SO-{n}", {"A": 8}, promised=date(2026, 6, 4 + n)) for n in (1, 2, 3)]
    start = D("2026-06-01")
    assert schedule(jobs, [A8], plain, start).sequence() == {"A": [1, 2, 3]}
    plan = schedule(jobs, [A8], plain, start, sequence={"A": [3, 1]})
    assert dates(plan) == {
        3: ("A", D("2026-06-01"), D("2026-06-01")),
        1: ("A", D("2026-06-02"), D("2026-06-02")),
        2: ("A", D("2026-06-03"), D("2026-06-03")),  # not sequenced: after the sequence
    }
    assert plan.job(2).late is False and plan.job(1).late is False


def test_pmc_moves_an_order_to_another_line(plain):
    jobs = [
        Job(1, "SO-1", {"A": 8, "B": 8}, promised=D("2026-06-05")),
        Job(2, "SO-2", {"A": 8, "B": 16}, promised=D("2026-06-06")),
    ]
    lines, start = [A8, Line("B", 8)], D("2026-06-01")
    assert schedule(jobs, lines, plain, start).sequence() == {"A": [1, 2], "B": []}
    moved = schedule(jobs, lines, plain, start, assignment={2: "B"})
    assert dates(moved) == {
        1: ("A", D("2026-06-01"), D("2026-06-01")),
        2: ("B", D("2026-06-01"), D("2026-06-02")),
    }
    assert schedule(jobs, lines, plain, start, sequence={"B": [2]}).jobs == moved.jobs


def test_order_hours_sums_items_on_lines_that_make_them_all():
    items = [(10, {"A": 1.5, "B": 2}), (Decimal("4"), {"A": Decimal("0.5"), "C": 1})]
    assert order_hours("SO-1", items) == {"A": 17.0}

"""Rush insertion previews: slips in working days, newly late orders, the required date, load."""

from datetime import date, datetime

import pytest

from app.planning import Job, Line, NotCapable, Slip, UnknownLine, insert_rush, schedule

D = date.fromisoformat
LINES = [Line("A", 8), Line("B", 8)]
START = D("2026-06-01")  # a Monday
JOBS = [
    Job(1, "SO-1", {"A": 24}, promised=D("2026-06-05"), released_at=datetime(2026, 5, 20, 10)),
    Job(2, "SO-2", {"A": 12}, promised=D("2026-06-05"), released_at=datetime(2026, 5, 21, 10)),
    Job(3, "SO-3", {"B": 20}, promised=D("2026-06-30")),
]
RUSH = Job(9, "SO-9", {"A": 10, "B": 30}, promised=D("2026-06-02"))
REQUIRED = D("2026-06-02")


def preview(calendar, rush=RUSH, required_by=REQUIRED, **options):
    """The preview of inserting `rush` into JOBS."""
    return insert_rush(JOBS, LINES, calendar, START, rush, required_by, **options)


def test_base_plan(plain):
    plan = schedule(JOBS, LINES, plain, START)
    assert [(job.order_id, job.start, job.finish) for job in plan.jobs] == [
        (1, D("2026-06-01"), D("2026-06-03")),
        (2, D("2026-06-04"), D("2026-06-05")),
        (3, D("2026-06-01"), D("2026-06-03")),
    ]
    assert plan.late_jobs == []


def test_rush_slips_two_orders_and_makes_one_late(plain):
    result = preview(plain)
    assert result.line == "A"  # on B, 30 h would finish on Thursday
    assert (result.rush.start, result.rush.finish) == (D("2026-06-01"), D("2026-06-02"))
    assert result.meets_required_date and result.days_past_required == 0
    late = Slip(2, "SO-2", "A", D("2026-06-05"), D("2026-06-08"), 1, D("2026-06-05"), True)
    assert result.slips == [
        Slip(1, "SO-1", "A", D("2026-06-03"), D("2026-06-05"), 2, D("2026-06-05"), False),
        late,  # Friday to Monday is one working day
    ]
    assert result.newly_late == [late]
    assert result.max_slip_days == 2
    assert result.after.job(3) == result.before.job(3)
    assert result.after.sequence() == {"A": [9, 1, 2], "B": [3]}


def test_preview_is_tied_to_the_base_schedule(plain):
    result = preview(plain)
    assert result.before == schedule(JOBS, LINES, plain, START)
    assert result.base_fingerprint == result.before.fingerprint != result.after.fingerprint
    assert result.is_current(schedule(list(reversed(JOBS)), LINES, plain, START))
    changed = schedule([*JOBS, Job(4, "SO-4", {"B": 1})], LINES, plain, START)
    assert not result.is_current(changed)


def test_preview_load_per_week(plain):
    load = preview(plain).load
    assert [(w.week, w.booked_hours, w.capacity_hours) for w in load["A"][:2]] == [
        ("2026-W23", 40.0, 40.0),
        ("2026-W24", 6.0, 40.0),
    ]
    assert [(w.week, w.booked_hours) for w in load["B"][:2]] == [
        ("2026-W23", 20.0),
        ("2026-W24", 0),
    ]
    assert len(load["A"]) == 8


def test_rush_that_cannot_meet_its_date_goes_where_it_finishes_first(plain):
    result = preview(plain, required_by=D("2026-06-01"))
    assert result.line == "A"  # finishes Tuesday; B would finish Thursday
    assert result.rush.finish == D("2026-06-02")
    assert not result.meets_required_date
    assert result.days_past_required == 1
    assert [slip.order_id for slip in result.newly_late] == [2]


def test_rush_forced_on_a_slower_line(plain):
    result = preview(plain, line="B")
    assert result.rush.finish == D("2026-06-04")
    assert not result.meets_required_date and result.days_past_required == 2
    assert result.slips == [
        Slip(3, "SO-3", "B", D("2026-06-03"), D("2026-06-09"), 4, D("2026-06-30"), False)
    ]
    assert result.newly_late == [] and result.max_slip_days == 4


def test_among_lines_that_meet_the_date_the_least_disruptive_wins(plain):
    rush = Job(9, "SO-9", {"A": 10, "B": 8})
    result = preview(plain, rush=rush, required_by=D("2026-06-05"))
    assert result.line == "B"  # A would make SO-2 late
    assert result.slips == [
        Slip(3, "SO-3", "B", D("2026-06-03"), D("2026-06-04"), 1, D("2026-06-30"), False)
    ]


def test_rushing_an_existing_order_moves_it_to_the_front(plain):
    result = preview(plain, rush=JOBS[1])
    assert result.after.sequence() == {"A": [2, 1], "B": [3]}
    assert result.rush.finish == D("2026-06-02")
    assert result.slips == [
        Slip(1, "SO-1", "A", D("2026-06-03"), D("2026-06-05"), 2, D("2026-06-05"), False)
    ]


def test_rush_preview_keeps_pmc_sequence_and_counts_holidays(cn_2026):
    jobs = [Job(1, "SO-1", {"A": 24}, D("2026-10-09")), Job(2, "SO-2", {"A": 8}, D("2026-10-08"))]
    rush = Job(9, "SO-9", {"A": 8})
    result = insert_rush(
        jobs,
        [Line("A", 8)],
        cn_2026,
        D("2026-09-28"),
        rush,
        D("2026-09-28"),
        sequence={"A": [1, 2]},
    )
    assert result.before.sequence() == {"A": [1, 2]}
    assert [(s.order_id, s.old_finish, s.new_finish, s.working_days) for s in result.slips] == [
        (1, D("2026-09-30"), D("2026-10-08"), 1),  # across National Day: one working day
        (2, D("2026-10-08"), D("2026-10-09"), 1),
    ]
    assert [slip.order_id for slip in result.newly_late] == [2]


def test_bad_rush_lines_are_refused(plain):
    with pytest.raises(UnknownLine):
        preview(plain, line="Z")
    with pytest.raises(NotCapable):
        preview(plain, rush=Job(9, "SO-9", {"A": 1}), line="B")

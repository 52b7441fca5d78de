"""Bad inputs raise clear planning errors."""

from datetime import date
from decimal import Decimal

import pytest

from app.planning import (
    ConflictingPlacement,
    DuplicateLine,
    DuplicateOrder,
    InvalidCapacity,
    InvalidHours,
    Job,
    Line,
    NoCapableLine,
    NotCapable,
    PlanningError,
    UnknownLine,
    UnknownOrder,
    WorkCalendar,
    insert_rush,
    order_hours,
    schedule,
)

START = date(2026, 6, 1)
LINES = [Line("A", 8), Line("B", 8)]
JOBS = [Job(1, "SO-1", {"A": 8}), Job(2, "SO-2", {"A": 8, "B": 8})]


def plan(jobs=JOBS, lines=LINES, **options):
    """Schedule with a plain calendar."""
    return schedule(jobs, lines, WorkCalendar(), START, **options)


@pytest.mark.parametrize("capacity", [0, -8, float("nan"), float("inf"), True, "8", None])
def test_capacity_must_be_a_positive_number(capacity):
    with pytest.raises(InvalidCapacity, match="positive number"):
        Line("A", capacity)


@pytest.mark.parametrize("hours", [0, -1, Decimal("-0.5"), float("nan"), "3"])
def test_hours_must_be_positive(hours):
    with pytest.raises(InvalidHours, match="SO-1"):
        Job(1, "SO-1", {"A": hours})


def test_a_job_no_line_can_make():
    with pytest.raises(NoCapableLine, match="SO-3.*C"):
        plan([*JOBS, Job(3, "SO-3", {"C": 4})])
    with pytest.raises(NoCapableLine, match="no line"):
        plan([Job(3, "SO-3")])
    with pytest.raises(NoCapableLine):
        order_hours("SO-4", [(1, {"A": 1}), (1, {"B": 1})])
    with pytest.raises(NoCapableLine):
        insert_rush(JOBS, LINES, WorkCalendar(), START, Job(9, "SO-9", {"C": 1}), START)


def test_duplicates():
    with pytest.raises(DuplicateLine):
        plan(lines=[Line("A", 8), Line("A", 4)])
    with pytest.raises(DuplicateOrder):
        plan([*JOBS, Job(1, "SO-1b", {"A": 1})])
    with pytest.raises(DuplicateOrder, match="twice in the sequences"):
        plan(sequence={"A": [2], "B": [2]})


def test_bad_sequences_and_assignments():
    with pytest.raises(UnknownLine):
        plan(sequence={"Z": [1]})
    with pytest.raises(UnknownOrder):
        plan(sequence={"A": [7]})
    with pytest.raises(UnknownOrder):
        plan(assignment={7: "A"})
    with pytest.raises(UnknownLine):
        plan(assignment={1: "Z"})
    with pytest.raises(NotCapable, match="SO-1 cannot be made on line B"):
        plan(assignment={1: "B"})
    with pytest.raises(NotCapable):
        plan(sequence={"B": [1]})
    with pytest.raises(ConflictingPlacement):
        plan(sequence={"A": [2]}, assignment={2: "B"})
    assert plan(sequence={"A": [2]}, assignment={2: "A"}).sequence() == {"A": [2, 1], "B": []}


def test_every_error_is_a_planning_error_and_a_value_error():
    with pytest.raises(ValueError):
        plan(sequence={"Z": []})
    assert issubclass(NotCapable, PlanningError)

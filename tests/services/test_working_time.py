"""Working time on the factory calendar: office hours, weekends, China's holidays and make-up
days, the factory's own days, and the due dates of user tasks (docs/DEADLINES.md)."""

from datetime import date, datetime
from pathlib import Path

import pytest

from app.core.calendar import working_time
from app.core.calendar.models import CalendarDay
from app.core.processes import versions as processes
from app.core.tasks import instances
from app.core.tasks.models import HumanTask
from app.extensions import db
from tests.clocks import SHANGHAI


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    """A time in the factory's zone (Asia/Shanghai)."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def plus(start: datetime, duration: str) -> datetime:
    return working_time.add(start, duration).astimezone(SHANGHAI)


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        # Inside one morning; across lunch (12:00-13:00 does not count).
        (at(3, 2, 9), "PT2H", at(3, 2, 11)),
        (at(3, 2, 11), "PT2H", at(3, 2, 14)),
        (at(3, 2, 12, 30), "PT1H", at(3, 2, 14)),
        # Ending exactly at the end of the morning / of the day: then, not after the break.
        (at(3, 2, 10), "PT2H", at(3, 2, 12)),
        (at(3, 2, 16), "PT1H30M", at(3, 2, 17, 30)),
        # Past the shift end: the rest runs the next working morning.
        (at(3, 2, 17), "PT1H", at(3, 3, 8, 30)),
        (at(3, 2, 19), "PT1H", at(3, 3, 9)),
        (at(3, 2, 6), "PT1H", at(3, 2, 9)),
        # Weekend: Friday afternoon to Monday morning; a Saturday start counts from Monday.
        (at(3, 6, 17), "PT1H", at(3, 9, 8, 30)),
        (at(3, 7, 10), "PT8H", at(3, 9, 17)),
        # Public holiday: National Day (1-7 October 2026), the example.
        (at(9, 30, 17), "PT8H", at(10, 8, 16, 30)),
        # Make-up working days (调休): Saturday 10 October and Sunday 20 September 2026 work.
        (at(10, 9, 17), "PT1H", at(10, 10, 8, 30)),
        (at(9, 19, 10), "PT1H", at(9, 20, 9)),
        # P1D is one working day: the same position the next working day.
        (at(3, 2, 10), "P1D", at(3, 3, 10)),
        (at(3, 6, 10), "P1D", at(3, 9, 10)),
        (at(3, 2, 8), "P1D", at(3, 2, 17, 30)),
        (at(3, 7, 10), "P1D", at(3, 9, 17, 30)),
        (at(3, 2, 10), "P2DT1H", at(3, 4, 11)),
        (at(3, 2, 10), "P1W", at(3, 9, 10)),
        # Months move the date, then roll on to a working day (2 May 2026 is Labour Day).
        (at(4, 2, 10), "P1M", at(5, 6, 10)),
        # 24 working hours are three working days (of eight and a half hours each, minus).
        (at(3, 2, 8), "PT24H", at(3, 4, 16)),
    ],
)
def test_working_time_counts_office_hours_on_working_days(start, duration, due):
    assert plus(start, duration) == due


def test_the_factory_closure_and_extra_working_day_count(app):
    db.session.add_all(
        [
            CalendarDay(day=date(2026, 3, 3), kind="holiday", note="shutdown"),
            CalendarDay(day=date(2026, 3, 7), kind="workday", note="rush Saturday"),
            CalendarDay(day=date(2026, 10, 6), kind="workday", note="works in the holiday"),
        ]
    )
    db.session.flush()
    assert plus(at(3, 2, 17), "PT1H") == at(3, 4, 8, 30)  # Tuesday closed
    assert plus(at(3, 6, 17), "PT1H") == at(3, 7, 8, 30)  # Saturday opened
    assert plus(at(9, 30, 17), "PT8H") == at(10, 6, 16, 30)  # inside National Day


def test_office_hours_are_configurable(app, monkeypatch):
    monkeypatch.setitem(app.config, "OFFICE_HOURS", "09:00-18:00")
    assert plus(at(3, 2, 17), "PT2H") == at(3, 3, 10)
    assert plus(at(3, 2, 10), "P1D") == at(3, 3, 10)
    with pytest.raises(ValueError, match="ascending"):
        working_time.parse_office_hours("13:00-17:00,08:00-12:00")
    with pytest.raises(ValueError, match="08:00-12:00"):
        working_time.parse_office_hours("eight to five")


def test_the_app_refuses_to_start_with_bad_office_hours(app):
    from app import create_app

    with pytest.raises(RuntimeError, match="OFFICE_HOURS"):
        create_app({**app.config, "OFFICE_HOURS": "17:00-08:00"})


@pytest.mark.parametrize("duration", ["P10Y", "P400D", "PT5000H", "P13M", "soon", "P1W2D"])
def test_bad_or_huge_durations_are_refused_not_searched(duration):
    with pytest.raises(ValueError):
        working_time.add(at(3, 2, 10), duration)
    assert working_time.due_after(duration, at(3, 2, 10)) is None


def test_the_longest_duration_allowed_is_computed_at_once():
    assert plus(at(3, 2, 10), "P260D").year == 2027
    assert plus(at(3, 2, 10), "PT2080H") > at(12, 1, 0)


def test_a_user_task_due_counts_working_time(make_user, fake_clock):
    # The example: PT8H from 30 September 17:00 is due after National Day, not on it.
    fake_clock.set(at(9, 30, 17))
    instance = instances.start_process("order_review", make_user("sales"))
    db.session.commit()
    task = db.session.scalar(db.select(HumanTask).where(HumanTask.instance_id == instance.id))
    assert task.spec_name == "confirm_order"
    assert task.created_at == at(9, 30, 17)
    assert task.due_at == at(10, 8, 16, 30)


def test_publishing_refuses_a_due_time_longer_than_the_calendar_reaches(app):
    xml = (Path(app.config["WORKFLOWS_DIR"]) / "order_review.bpmn").read_bytes()
    huge = xml.replace(b'name="due" value="PT8H"', b'name="due" value="P10Y"', 1)
    deployed = processes.deploy_process("order_review.bpmn", huge, None)
    assert deployed.version is None
    messages = [p.message for p in deployed.problems]
    assert any("P10Y" in m and "longer than" in m for m in messages), messages

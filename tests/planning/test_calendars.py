"""The working calendar: weekends, China's holidays, make-up days and working-day arithmetic."""

from datetime import date

import pytest

from app.planning import CalendarError, WorkCalendar, china_calendar

D = date.fromisoformat


def test_national_day_is_off_and_the_makeup_saturday_is_worked(cn_2026):
    assert not any(cn_2026.is_workday(date(2026, 10, day)) for day in range(1, 8))
    assert cn_2026.is_workday(D("2026-09-30"))
    assert cn_2026.is_workday(D("2026-10-08"))
    assert cn_2026.is_workday(D("2026-10-10"))  # Saturday, make-up day
    assert cn_2026.is_workday(D("2026-09-20"))  # Sunday, make-up day
    assert not cn_2026.is_workday(D("2026-10-11"))
    assert not cn_2026.is_workday(D("2026-10-17"))  # an ordinary Saturday


def test_add_workdays_skips_holidays_and_weekends(cn_2026):
    assert cn_2026.add_workdays(D("2026-09-30"), 1) == D("2026-10-08")
    assert cn_2026.add_workdays(D("2026-10-09"), 1) == D("2026-10-10")
    assert cn_2026.add_workdays(D("2026-10-10"), 1) == D("2026-10-12")
    assert cn_2026.add_workdays(D("2026-10-08"), -1) == D("2026-09-30")
    assert cn_2026.add_workdays(D("2026-10-03"), 0) == D("2026-10-03")
    assert cn_2026.roll_forward(D("2026-10-03")) == D("2026-10-08")


def test_workdays_between_counts_the_half_open_interval(cn_2026):
    assert cn_2026.workdays_between(D("2026-09-30"), D("2026-10-08")) == 1
    assert cn_2026.workdays_between(D("2026-09-30"), D("2026-10-12")) == 4
    assert cn_2026.workdays_between(D("2026-10-12"), D("2026-09-30")) == -4
    assert cn_2026.workdays_between(D("2026-10-12"), D("2026-10-12")) == 0


def test_china_calendar_takes_makeup_days_from_the_package():
    calendar = china_calendar([2026])
    assert D("2026-10-01") in calendar.holidays
    assert {D("2026-09-20"), D("2026-10-10")} <= calendar.workdays
    assert all(day.year == 2026 for day in calendar.workdays)


def test_china_calendar_adds_the_factorys_own_dates():
    calendar = china_calendar(
        [2026], extra_holidays={D("2026-10-09"), D("2026-10-10")}, extra_workdays={D("2026-10-03")}
    )
    assert not calendar.is_workday(D("2026-10-09"))
    assert not calendar.is_workday(D("2026-10-10"))  # closed on the official make-up day
    assert calendar.is_workday(D("2026-10-03"))  # works on a public holiday
    with pytest.raises(CalendarError):
        china_calendar([2026], extra_holidays={D("2026-10-09")}, extra_workdays={D("2026-10-09")})


def test_a_six_day_week():
    calendar = WorkCalendar(weekend=(6,))
    assert calendar.add_workdays(D("2026-06-05"), 1) == D("2026-06-06")
    assert calendar.add_workdays(D("2026-06-06"), 1) == D("2026-06-08")


def test_inconsistent_calendars_are_refused():
    with pytest.raises(CalendarError, match="both a holiday and a make-up"):
        WorkCalendar(holidays={D("2026-10-10")}, workdays={D("2026-10-10")})
    with pytest.raises(CalendarError, match="weekday numbers"):
        WorkCalendar(weekend=(7,))
    with pytest.raises(CalendarError, match="No working day"):
        WorkCalendar(weekend=tuple(range(7))).next_workday(D("2026-06-01"))

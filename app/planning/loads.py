"""Load per line per ISO week: hours booked against the capacity of the working days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from app.planning.calendars import WorkCalendar
from app.planning.errors import PlanningError
from app.planning.jobs import exact
from app.planning.schedules import Schedule


@dataclass(frozen=True)
class WeekLoad:
    """One line's ISO week: hours booked and hours available (working days from the start on)."""

    line: str
    week: str
    monday: date
    booked_hours: float
    capacity_hours: float

    @property
    def free_hours(self) -> float:
        """Capacity not booked yet."""
        return round(self.capacity_hours - self.booked_hours, 6)

    @property
    def utilisation(self) -> float:
        """Booked over capacity (0 for a week with no working day)."""
        return self.booked_hours / self.capacity_hours if self.capacity_hours else 0.0


def iso_week(day: date) -> str:
    """The ISO week of a day as text, e.g. 2026-W41."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weekly_load(
    schedule: Schedule, calendar: WorkCalendar, weeks: int = 8
) -> dict[str, list[WeekLoad]]:
    """Per line, `weeks` ISO weeks from the schedule's start: booked hours vs capacity."""
    if weeks < 1:
        raise PlanningError(f"The load horizon must be at least one week, not {weeks}.")
    first_monday = schedule.start - timedelta(days=schedule.start.weekday())
    horizon_end = first_monday + timedelta(weeks=weeks)
    mondays = [first_monday + timedelta(weeks=n) for n in range(weeks)]
    workdays = {
        monday: sum(
            1
            for offset in range(7)
            if (day := monday + timedelta(days=offset)) >= schedule.start
            and calendar.is_workday(day)
        )
        for monday in mondays
    }
    booked: dict[tuple[str, date], Fraction] = {}
    for job in schedule.jobs:
        for day, hours in job.allocations:
            if schedule.start <= day < horizon_end:
                key = (job.line, day - timedelta(days=day.weekday()))
                booked[key] = booked.get(key, Fraction(0)) + exact(hours)
    return {
        line.code: [
            WeekLoad(
                line=line.code,
                week=iso_week(monday),
                monday=monday,
                booked_hours=round(float(booked.get((line.code, monday), 0)), 6),
                capacity_hours=round(float(exact(line.daily_hours) * workdays[monday]), 6),
            )
            for monday in mondays
        ]
        for line in schedule.lines
    }

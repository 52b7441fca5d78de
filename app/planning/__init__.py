"""Production schedule: plain dataclasses in, plain dataclasses out; no Flask, no database."""

from app.planning.calendars import WorkCalendar, china_calendar
from app.planning.errors import (
    BeyondHorizon,
    CalendarError,
    ConflictingPlacement,
    DuplicateLine,
    DuplicateOrder,
    InvalidCapacity,
    InvalidHours,
    NoCapableLine,
    NotCapable,
    PlanningError,
    UnknownLine,
    UnknownOrder,
)
from app.planning.insertions import Preview, Slip, insert_rush, slips_between
from app.planning.jobs import Job, Line, order_hours
from app.planning.loads import WeekLoad, iso_week, weekly_load
from app.planning.placement import HORIZON_YEARS, horizon_of, schedule
from app.planning.schedules import Schedule, ScheduledJob, Unplaced

__all__ = [
    "HORIZON_YEARS",
    "BeyondHorizon",
    "CalendarError",
    "ConflictingPlacement",
    "DuplicateLine",
    "DuplicateOrder",
    "InvalidCapacity",
    "InvalidHours",
    "Job",
    "Line",
    "NoCapableLine",
    "NotCapable",
    "PlanningError",
    "Preview",
    "Schedule",
    "ScheduledJob",
    "Slip",
    "UnknownLine",
    "UnknownOrder",
    "Unplaced",
    "WeekLoad",
    "WorkCalendar",
    "china_calendar",
    "horizon_of",
    "insert_rush",
    "iso_week",
    "order_hours",
    "schedule",
    "slips_between",
    "weekly_load",
]

"""The factory's working calendar: China's official one plus the factory's own days (PMC).

A day in `calendar_day` wins over the official calendar: a holiday closes a working day (an
annual shutdown), a working day opens a weekend or public holiday (the factory works).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays as holidays_package
from flask_babel import gettext as _

from app import limits
from app.core import clock, round_memo
from app.core.audit import services as audit
from app.core.calendar.models import CalendarDay
from app.core.submissions import uniqueness
from app.core.users import permissions
from app.core.users.models import User
from app.errors import InvalidInput, PermissionDenied
from app.extensions import db
from app.planning import WorkCalendar, china_calendar


def _today() -> date:
    return clock.today()


def _ensure_planner(actor: User) -> None:
    if not permissions.may_plan(actor):
        audit.record(actor, "calendar.denied", "calendar_day", None)
        raise PermissionDenied(_("Only PMC keeps the factory calendar."))


@lru_cache(maxsize=8)
def _calendar(
    first_year: int, holidays: tuple[date, ...], workdays: tuple[date, ...]
) -> WorkCalendar:
    return china_calendar(range(first_year, first_year + 3), holidays, workdays)


def calendar(start: date) -> WorkCalendar:
    """China's working calendar from the start year on, three years deep, with the factory's
    own holidays and working days (a factory day wins over the official calendar)."""
    holidays, workdays = _own_days()
    return _calendar(start.year, holidays, workdays)


def _own_days() -> tuple[tuple[date, ...], tuple[date, ...]]:
    """The factory's holidays and extra working days (read once per worker round)."""
    return round_memo.remember("calendar.own_days", _read_own_days)


def _read_own_days() -> tuple[tuple[date, ...], tuple[date, ...]]:
    own = db.session.execute(db.select(CalendarDay.day, CalendarDay.kind)).all()
    return (
        tuple(sorted(day for day, kind in own if kind == "holiday")),
        tuple(sorted(day for day, kind in own if kind == "workday")),
    )


def factory_days() -> list[CalendarDay]:
    """The factory's own calendar dates, from a month ago on."""
    since = _today() - timedelta(days=31)
    return list(
        db.session.scalars(
            db.select(CalendarDay).where(CalendarDay.day >= since).order_by(CalendarDay.day)
        )
    )


def official_holidays(language: str = "en_US", months: int = 12) -> list[tuple[date, str]]:
    """China's public holidays in the coming months with their names (in `language`), then the
    make-up working days (name "")."""
    start = _today()
    end = start + timedelta(days=31 * months)
    years = range(start.year, end.year + 1)
    found = holidays_package.country_holidays("CN", years=years, language=language)
    days = [(day, name) for day, name in sorted(found.items()) if start <= day <= end]
    makeup = sorted(day for day in found.weekend_workdays if start <= day <= end)
    return days + [(day, "") for day in makeup]


def set_factory_day(
    actor: User, day_text: str, kind: str, note: str, form_token: str = ""
) -> CalendarDay:
    """Mark a date as a factory holiday or an extra working day (replacing an earlier mark).

    `form_token` is the form's once-only token: the same form sent twice stores the mark once.
    """
    _ensure_planner(actor)
    submission = uniqueness.claim_submission(actor, form_token, "calendar_day")
    errors: dict[str, str] = {}
    try:
        day = date.fromisoformat(day_text.strip())
    except ValueError:
        day = None
        errors["calendar_day"] = _("Enter the date as YYYY-MM-DD.")
    if day is not None and not date(2000, 1, 1) <= day <= date(2100, 12, 31):
        errors["calendar_day"] = _("Enter a date between 2000 and 2100.")
    if kind not in ("holiday", "workday"):
        errors["calendar_kind"] = _("Choose holiday or working day.")
    note = limits.check_text(note, limits.column_length(CalendarDay.note), errors, "note")
    if errors:
        raise InvalidInput(errors=errors)
    row = db.session.get(CalendarDay, day)
    if row is None:
        # Two planners marking a new date at once: the second is told, not given a 500.
        taken = _(
            "%(day)s was just marked by someone else; check the calendar below and change it "
            "if needed.",
            day=day.isoformat(),
        )
        with uniqueness.refuse_duplicate("calendar_day", taken):
            row = CalendarDay(day=day, kind=kind, note=note, created_by_id=actor.id)
            db.session.add(row)
    else:
        row.kind, row.note, row.created_by_id = kind, note, actor.id
    uniqueness.bind_submission(submission, day.toordinal())  # the calendar page shows it
    audit.record(
        actor, "calendar.set", "calendar_day", None, data={"day": day.isoformat(), "kind": kind}
    )
    return row


def clear_factory_day(actor: User, day_text: str) -> bool:
    """Remove the factory's mark on a date; the official calendar applies again."""
    _ensure_planner(actor)
    try:
        row = db.session.get(CalendarDay, date.fromisoformat(day_text))
    except ValueError:
        row = None
    if row is None:
        return False
    db.session.delete(row)
    audit.record(actor, "calendar.clear", "calendar_day", None, data={"day": day_text})
    return True

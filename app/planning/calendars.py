"""The working calendar: weekends, public holidays and make-up working days (调休)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import holidays as holidays_package

from app.planning.errors import CalendarError

# A calendar that reaches no working day within ten years is certainly misconfigured.
_MAX_GAP_DAYS = 3660
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class WorkCalendar:
    """Working days: not a weekend day and not a holiday, or an explicit make-up working day."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    weekend: tuple[int, ...] = (5, 6)

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "workdays", frozenset(self.workdays))
        object.__setattr__(self, "weekend", tuple(sorted(set(self.weekend))))
        if any(not isinstance(day, int) or not 0 <= day <= 6 for day in self.weekend):
            raise CalendarError(
                f"Weekend days must be weekday numbers 0 (Mon) to 6 (Sun), not {self.weekend!r}."
            )
        both = sorted(self.holidays & self.workdays)
        if both:
            days = ", ".join(day.isoformat() for day in both)
            raise CalendarError(
                f"{days} cannot be both a holiday and a make-up working day; "
                "remove it from one of the two sets."
            )

    def is_workday(self, day: date) -> bool:
        """True if the factory works on `day`."""
        if day in self.workdays:
            return True
        return day.weekday() not in self.weekend and day not in self.holidays

    def next_workday(self, day: date) -> date:
        """The first working day strictly after `day`."""
        return self._scan(day + _ONE_DAY, _ONE_DAY)

    def previous_workday(self, day: date) -> date:
        """The last working day strictly before `day`."""
        return self._scan(day - _ONE_DAY, -_ONE_DAY)

    def roll_forward(self, day: date) -> date:
        """`day` if it is a working day, else the next working day."""
        return self._scan(day, _ONE_DAY)

    def add_workdays(self, day: date, count: int) -> date:
        """The date `count` working days after `day` (before it if negative; `day` for 0)."""
        step = self.next_workday if count >= 0 else self.previous_workday
        for _ in range(abs(count)):
            day = step(day)
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how far `end` is after `start`; negative if before."""
        if end < start:
            return -self.workdays_between(end, start)
        count, day = 0, start + _ONE_DAY
        while day <= end:
            count += self.is_workday(day)
            day += _ONE_DAY
        return count

    def _scan(self, day: date, step: timedelta) -> date:
        for _ in range(_MAX_GAP_DAYS):
            if self.is_workday(day):
                return day
            day += step
        raise CalendarError(
            f"No working day within {_MAX_GAP_DAYS} days of {day.isoformat()}; "
            "check the weekend and the holidays of the calendar."
        )


def china_calendar(
    years: Iterable[int],
    extra_holidays: Iterable[date] = (),
    extra_workdays: Iterable[date] = (),
) -> WorkCalendar:
    """China's public holidays and make-up days for `years`, plus the factory's own dates."""
    years = sorted(set(years))
    official = holidays_package.country_holidays("CN", years=years)
    extra_holidays, extra_workdays = set(extra_holidays), set(extra_workdays)
    both = extra_holidays & extra_workdays
    if both:
        days = ", ".join(day.isoformat() for day in sorted(both))
        raise CalendarError(f"{days} is listed both as an extra holiday and an extra working day.")
    # The package also carries a few make-up days of years it was not asked about.
    makeup = {day for day in official.weekend_workdays if day.year in years}
    return WorkCalendar(
        holidays=frozenset((set(official) | extra_holidays) - extra_workdays),
        workdays=frozenset((makeup | extra_workdays) - extra_holidays),
    )

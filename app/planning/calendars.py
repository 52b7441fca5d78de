"""The working calendar: weekends, public holidays and make-up working days (调休)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
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
    # Derived in __post_init__ so that counting working days over any span takes a few bisections:
    # the holidays that remove a weekday and the make-up days that add a weekend day, sorted.
    _lost: tuple[date, ...] = field(init=False, repr=False, compare=False)
    _gained: tuple[date, ...] = field(init=False, repr=False, compare=False)

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
        lost = sorted(day for day in self.holidays if day.weekday() not in self.weekend)
        gained = sorted(day for day in self.workdays if day.weekday() in self.weekend)
        object.__setattr__(self, "_lost", tuple(lost))
        object.__setattr__(self, "_gained", tuple(gained))

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
        """The date `count` working days after `day` (before it if negative; `day` for 0).

        Forward, the date is found by bisection over `workdays_between`, so the cost does not
        grow with `count` (the planner jumps over whole runs of days this way).
        """
        if count > 0:
            return self._reach(day, count)
        for _ in range(-count):
            day = self.previous_workday(day)
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how far `end` is after `start`; negative if before.

        Counted, not walked: whole weeks, the few days left over, and bisections into the
        holidays on weekdays and the make-up days on weekend days.
        """
        if end < start:
            return -self.workdays_between(end, start)
        weeks, rest = divmod((end - start).days, 7)
        first = start.weekday()
        count = weeks * (7 - len(self.weekend))
        count += sum((first + offset) % 7 not in self.weekend for offset in range(1, rest + 1))
        count += bisect_right(self._gained, end) - bisect_right(self._gained, start)
        count -= bisect_right(self._lost, end) - bisect_right(self._lost, start)
        return count

    def _reach(self, day: date, count: int) -> date:
        """The first date with `count` working days in (day, date]: galloping, then bisection."""
        per_week = 7 - len(self.weekend) or 1
        span = -(-count // per_week) * 7 + 7
        while self.workdays_between(day, self._plus(day, span)) < count:
            span *= 2
        low, high = 0, span  # fewer than `count` working days by `low`, enough by `high`
        while high - low > 1:
            middle = (low + high) // 2
            if self.workdays_between(day, day + timedelta(days=middle)) < count:
                low = middle
            else:
                high = middle
        return day + timedelta(days=high)

    def _plus(self, day: date, days: int) -> date:
        try:
            return day + timedelta(days=days)
        except OverflowError:
            raise CalendarError(
                f"Not enough working days after {day.isoformat()} before the end of the "
                "calendar; check the weekend and the holidays of the calendar."
            ) from None

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

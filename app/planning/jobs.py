"""What is planned: production lines with a daily capacity, and released orders as jobs."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from app.planning.errors import InvalidCapacity, InvalidHours, NoCapableLine

Number = float | int | Decimal


def exact(value: Number) -> Fraction:
    """The exact value of a decimal quantity (7.2 is 36/5, not the nearest binary float)."""
    if type(value) is int or (type(value) is Decimal and value.is_finite()):
        return Fraction(value)  # exact already, and ten times faster than parsing its text
    return Fraction(str(value))


def _is_positive(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return False
    return math.isfinite(value) and value > 0


@dataclass(frozen=True)
class Line:
    """A production line (work centre) and the hours (or units) it can do on a working day."""

    code: str
    daily_hours: Number

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code:
            raise InvalidCapacity(f"A line needs a non-empty code, not {self.code!r}.")
        if not _is_positive(self.daily_hours):
            raise InvalidCapacity(
                f"Line {self.code} has a daily capacity of {self.daily_hours!r}; "
                "it must be a positive number of hours (or units) per working day."
            )


@dataclass(frozen=True)
class Job:
    """A released order to make: its total hours on each line that can make it.

    `not_before` is the first day it may start (its materials' expected date; None: any day).
    """

    order_id: int
    order_number: str
    hours_by_line: Mapping[str, Number] = field(default_factory=dict)
    promised: date | None = None
    released_at: datetime | None = None
    not_before: date | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "hours_by_line", dict(self.hours_by_line))
        if self.not_before is not None and (
            isinstance(self.not_before, datetime) or not isinstance(self.not_before, date)
        ):
            raise InvalidHours(
                f"Order {self.order_number} has a start date of {self.not_before!r}; "
                "it must be a date or None."
            )
        for code, hours in self.hours_by_line.items():
            if not _is_positive(hours):
                raise InvalidHours(
                    f"Order {self.order_number} has {hours!r} hours on line {code}; "
                    "hours must be a positive number (drop the line if it cannot make it)."
                )

    def queue_key(self) -> tuple:
        """Default queue order: promised date, then release time, then order id; None last."""
        p, r = self.promised, self.released_at
        return (p is None, p, r is None, r, self.order_id)


def order_hours(
    order_number: str, items: Iterable[tuple[Number, Mapping[str, Number]]]
) -> dict[str, float]:
    """Total hours per line for items of (quantity, hours per unit by line); lines making all."""
    totals: dict[str, Fraction] | None = None
    for quantity, rates in items:
        if not _is_positive(quantity):
            raise InvalidHours(f"Order {order_number} has an item of quantity {quantity!r}.")
        hours = {code: exact(quantity) * exact(rate) for code, rate in rates.items()}
        if totals is None:
            totals = hours
        else:
            totals = {code: totals[code] + hours[code] for code in totals if code in hours}
    if not totals:
        raise NoCapableLine(
            f"No line can make every item of order {order_number}; "
            "give the items hours on a common line or split the order."
        )
    try:
        return {code: float(total) for code, total in totals.items()}
    except OverflowError:
        raise InvalidHours(
            f"Order {order_number} needs more hours than can be counted; check its quantities."
        ) from None

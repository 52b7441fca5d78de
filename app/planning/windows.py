"""The span of days a chart opens on: from today to the last date that matters, with a margin.

A Gantt chart that opens on all of a plan shows weeks nobody asked about and leaves the orders
that matter (the ones that slip or become late) off-screen. `chart_window` picks the days that
matter; the chart still draws every bar and the user can scroll or zoom out to the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

# Days shown before the first date that matters (today, usually), so "today" is not on the edge.
LEAD_DAYS = 2
# Days shown after the last date that matters: at least this many, or a tenth of the span.
TAIL_DAYS = 3
# With nothing that matters, the window shows today and the next two weeks.
EMPTY_DAYS = 14

Span = tuple[date, date]


@dataclass(frozen=True)
class ChartWindow:
    """The first and last day a chart opens on (both inclusive) and the factory's today."""

    start: date
    end: date
    today: date

    @property
    def days(self) -> int:
        """How many days the window shows."""
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        """`day` is inside the window."""
        return self.start <= day <= self.end

    def as_json(self) -> dict[str, str]:
        """The window as assets/gantt.js reads it (`window` in the chart's data block)."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "today": self.today.isoformat(),
        }


def chart_window(
    today: date,
    spans: Iterable[Span],
    *,
    keep: Iterable[Span] = (),
    bound: date | None = None,
) -> ChartWindow:
    """The days a chart opens on: from today (or the earliest span, if that is earlier) to the
    latest end of `spans` (cut at `bound`, if given) and of `keep` (never cut: late orders),
    with a small margin either side.

    Each span is (start, end) of something the chart must show: an order's bar, a promised or
    required date (start == end). Cost: one pass over the spans.
    """
    first = today
    last: date | None = None
    for start, end in spans:
        first = min(first, start)
        last = end if last is None else max(last, end)
    if last is not None and bound is not None:
        last = min(last, max(bound, today))
    for start, end in keep:
        first = min(first, start)
        last = end if last is None else max(last, end)
    if last is None:
        return ChartWindow(today - timedelta(days=LEAD_DAYS), today + timedelta(EMPTY_DAYS), today)
    last = max(last, today)
    tail = max(TAIL_DAYS, ((last - first).days + 9) // 10)
    return ChartWindow(first - timedelta(days=LEAD_DAYS), last + timedelta(days=tail), today)

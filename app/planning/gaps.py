"""The gaps that jobs waiting for their materials leave on a line (docs/PLANNING.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction


@dataclass
class Cursor:
    """Where a line's next job can start: a working day and the hours already used on it."""

    capacity: Fraction
    day: date
    used: Fraction


class Gaps:
    """The gaps waiting jobs left on one line and the hours left in each, keyed by the day each
    ends on (the start of the job after it: no two gaps end on the same day).

    A waiting job starts on its material date, however early the line is free; the hours before
    it are a gap that later jobs may fill (they pass it). Gaps never overlap, so their order by
    end day is their order in time. A max segment tree over the end days (sparse: only the
    nodes on the paths to the gaps exist) finds the first gap after a day with enough hours
    left in O(log days); a full gap is dropped from it.
    """

    def __init__(self, first: date, last: date):
        self.base = first.toordinal()
        self.size = 1 << max(last.toordinal() - self.base + 1, 1).bit_length()
        self.room: dict[int, Fraction] = {}
        self.cursors: dict[date, Cursor] = {}  # where work in the gap ending that day starts

    def set(self, end: date, cursor: Cursor, room: Fraction) -> None:
        """The gap ending on `end` starts at `cursor` with `room` hours (0: drop it)."""
        if room > 0:
            self.cursors[end] = cursor
        else:
            self.cursors.pop(end, None)
        node = end.toordinal() - self.base + self.size
        self.room[node] = room
        while node > 1:
            node //= 2
            self.room[node] = max(self.room.get(2 * node, 0), self.room.get(2 * node + 1, 0))

    def first(self, after: date, hours: Fraction) -> date | None:
        """The first gap ending after `after` with `hours` left (any hours if 0)."""
        low = max(after.toordinal() - self.base + 1, 0)
        found = self._leftmost(1, 0, self.size, low, hours)
        return None if found is None else date.fromordinal(found + self.base)

    def _leftmost(self, node: int, left: int, right: int, low: int, hours: Fraction) -> int | None:
        room = self.room.get(node, 0)
        if right <= low or room <= 0 or room < hours:
            return None
        if right - left == 1:
            return left
        middle = (left + right) // 2
        found = self._leftmost(2 * node, left, middle, low, hours)
        if found is None:
            found = self._leftmost(2 * node + 1, middle, right, low, hours)
        return found

"""A computed schedule: every job's line, position, planned start and finish, and a fingerprint."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from app.planning.errors import UnknownOrder
from app.planning.jobs import Line

FINGERPRINT_VERSION = 1


def hours_text(value: float) -> str:
    """Hours in a canonical text form, to the microhour, so float noise cannot change a hash."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@dataclass(frozen=True)
class ScheduledJob:
    """One job as planned: its line, 1-based position there, dates and hours per working day."""

    order_id: int
    order_number: str
    line: str
    position: int
    hours: float
    start: date
    finish: date
    promised: date | None
    allocations: tuple[tuple[date, float], ...]
    not_before: date | None = None  # the job's material date, as given
    # Its material date held its start: the line was free earlier (the job starts on the first
    # working day on or after its material date, and later jobs may fill the line before it).
    waits: bool = False

    @property
    def late(self) -> bool:
        """True if it finishes after the promised delivery date."""
        return self.promised is not None and self.finish > self.promised


@dataclass(frozen=True)
class Unplaced:
    """A job the plan does not place: it would finish after the planning horizon on `line`."""

    order_id: int
    order_number: str
    line: str


@dataclass(frozen=True)
class Schedule:
    """Jobs line by line (in the order of `lines`), each line's jobs in sequence order.

    `beyond_horizon` lists the jobs that would finish after `horizon`; they take no capacity.
    """

    start: date
    lines: tuple[Line, ...]
    jobs: tuple[ScheduledJob, ...]
    horizon: date | None = None
    beyond_horizon: tuple[Unplaced, ...] = ()

    @cached_property
    def _by_line(self) -> dict[str, tuple[ScheduledJob, ...]]:
        by_line: dict[str, list[ScheduledJob]] = {}
        for job in self.jobs:
            by_line.setdefault(job.line, []).append(job)
        return {code: tuple(found) for code, found in by_line.items()}

    @cached_property
    def _by_order(self) -> dict[int, ScheduledJob]:
        return {job.order_id: job for job in self.jobs}

    def on_line(self, code: str) -> list[ScheduledJob]:
        """The jobs of one line in sequence order."""
        return list(self._by_line.get(code, ()))

    def job(self, order_id: int) -> ScheduledJob:
        """The planned job of an order (looked up by id: slips compare whole plans with it)."""
        found = self._by_order.get(order_id)
        if found is None:
            raise UnknownOrder(f"Order id {order_id} is not in this schedule.")
        return found

    def sequence(self) -> dict[str, list[int]]:
        """Order ids per line in sequence order: pass it back to `schedule` to keep this plan."""
        return {line.code: [job.order_id for job in self.on_line(line.code)] for line in self.lines}

    @property
    def late_jobs(self) -> list[ScheduledJob]:
        """The jobs that finish after their promised date."""
        return [job for job in self.jobs if job.late]

    @property
    def finish(self) -> date | None:
        """The last finish date of any job, or None for an empty schedule."""
        return max((job.finish for job in self.jobs), default=None)

    def canonical(self) -> str:
        """The schedule as canonical JSON: what the fingerprint hashes."""
        data = {
            "v": FINGERPRINT_VERSION,
            "start": self.start.isoformat(),
            "lines": [[line.code, hours_text(float(line.daily_hours))] for line in self.lines],
            "jobs": [
                [
                    job.line,
                    job.position,
                    job.order_id,
                    hours_text(job.hours),
                    job.start.isoformat(),
                    job.finish.isoformat(),
                    job.promised.isoformat() if job.promised else None,
                    [[day.isoformat(), hours_text(hours)] for day, hours in job.allocations],
                    # Only when there is one, so that plans without material dates keep theirs.
                    *([job.not_before.isoformat()] if job.not_before else []),
                ]
                for job in self.jobs
            ],
        }
        if self.beyond_horizon:  # only then, so that plans without any keep their fingerprint
            data["beyond"] = [job.order_id for job in self.beyond_horizon]
        return json.dumps(data, separators=(",", ":"), ensure_ascii=True)

    def standing(self) -> str:
        """Where every order stands, as canonical JSON: the start, the lines and capacities, and
        for every job in line order its line, position, order id, promised date and whether it
        is late, plus the orders beyond the horizon. Not its hours, dates or allocations: work
        reported done shortens jobs and moves finishes earlier without changing any of this."""
        data = {
            "v": f"standing-{FINGERPRINT_VERSION}",
            "start": self.start.isoformat(),
            "lines": [[line.code, hours_text(float(line.daily_hours))] for line in self.lines],
            "jobs": [
                [
                    job.line,
                    job.position,
                    job.order_id,
                    job.promised.isoformat() if job.promised else None,
                    job.late,
                ]
                for job in self.jobs
            ],
            "beyond": [job.order_id for job in self.beyond_horizon],
        }
        return json.dumps(data, separators=(",", ":"), ensure_ascii=True)

    @cached_property
    def standing_fingerprint(self) -> str:
        """sha256 of `standing()`: changes when an order's position or lateness changes (an
        order added or removed, moved, a promised date, a line's capacity, the day), not when
        progress only shortens the remaining work (docs/PLANNING.md, "Fingerprint")."""
        return hashlib.sha256(self.standing().encode("ascii")).hexdigest()

    @cached_property
    def fingerprint(self) -> str:
        """sha256 of the canonical form: equal for equal plans, whatever the input order."""
        return hashlib.sha256(self.canonical().encode("ascii")).hexdigest()

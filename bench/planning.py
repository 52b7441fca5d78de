"""The production plan's cost: schedule() and a rush preview (insert_rush) for growing plans,
and schedule() with one order of a normal quantity vs one of 10^9 units (run_quantity).

Pure computation (app/planning, no database): every page that shows an open rush request
recomputes its preview, so this is what one approvals-page row costs on top of the queries.
Orders: 1 to 3 capable lines of 4 (8 to 16 h a day), 8 to 120 hours each, promised dates over
the next months; the rush order may go on any of its lines (the preview tries each).
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import date, timedelta
from unittest import mock

from app.planning import Job, Line, WorkCalendar, china_calendar, insert_rush, order_hours, schedule

START = date(2027, 3, 1)
LINES = [Line("L1", 16), Line("L2", 16), Line("L3", 8), Line("L4", 12)]
SIZES = (50, 200, 500)


def _jobs(count: int, rng: random.Random) -> list[Job]:
    jobs = []
    for order_id in range(1, count + 1):
        capable = rng.sample([line.code for line in LINES], rng.randint(1, 3))
        hours = rng.randint(8, 120)
        jobs.append(
            Job(
                order_id=order_id,
                order_number=f"SO-{order_id:05d}",
                hours_by_line={code: hours * rng.choice((1, 1.25, 1.5)) for code in capable},
                promised=START + timedelta(days=rng.randint(5, 240)),
            )
        )
    return jobs


def _ms(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "p50": round(statistics.median(ordered), 2),
        "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        "n": len(ordered),
    }


def run(rounds: int = 20) -> dict:
    """p50/p95 in ms of schedule() and insert_rush() per plan size."""
    calendar = china_calendar(range(START.year, START.year + 3))
    rng = random.Random(20271)
    results = {}
    for size in SIZES:
        jobs = _jobs(size, rng)
        rush = Job(0, "SO-RUSH", {"L1": 40, "L2": 50, "L4": 45}, START + timedelta(days=10))
        plan_ms, rush_ms = [], []
        for _round in range(rounds):
            began = time.perf_counter()
            planned = schedule(jobs, LINES, calendar, START)
            plan_ms.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            preview = insert_rush(jobs, LINES, calendar, START, rush, START + timedelta(days=7))
            rush_ms.append((time.perf_counter() - began) * 1000)
        results[str(size)] = {
            "schedule_ms": _ms(plan_ms),
            "rush_preview_ms": _ms(rush_ms),
            "plan_finish": planned.finish.isoformat(),
            "preview_slips": len(preview.slips),
        }
    return results


QUANTITY_ORDERS = 200
QUANTITIES = (100, 10**9)


def run_quantity(rounds: int = 20) -> dict:
    """p50/p95 in ms of schedule() for 200 orders plus one of 100 vs 10^9 units (0.5 h each),
    and how many single days the planner looked at (calls of `is_workday`)."""
    calendar = china_calendar(range(START.year, START.year + 3))
    jobs = _jobs(QUANTITY_ORDERS, random.Random(20271))
    results = {}
    for quantity in QUANTITIES:
        hours = order_hours("SO-BIG", [(quantity, {"L1": "0.5", "L2": "0.5"})])
        # Promised first: it goes ahead of every other order in the queue.
        extra = Job(QUANTITY_ORDERS + 1, "SO-BIG", hours, promised=START)
        samples = []
        for _round in range(rounds):
            began = time.perf_counter()
            planned = schedule([extra, *jobs], LINES, calendar, START)
            samples.append((time.perf_counter() - began) * 1000)
        with mock.patch.object(
            WorkCalendar, "is_workday", autospec=True, side_effect=WorkCalendar.is_workday
        ) as spy:
            schedule([extra, *jobs], LINES, calendar, START)
        results[str(quantity)] = {
            "schedule_ms": _ms(samples),
            "days_looked_at": spy.call_count,
            "planned": len(planned.jobs),
            "beyond_horizon": len(planned.beyond_horizon),
            "plan_finish": planned.finish.isoformat(),
        }
    return results


def measure(smoke: bool) -> dict:
    """bench/run.py's entry: `planning_ms` and `planning_quantity` (no database)."""
    rounds = 3 if smoke else 20
    return {
        "planning_ms": run(rounds),
        "planning_quantity": run_quantity(rounds),
        "sizes": {"rounds": rounds},
    }

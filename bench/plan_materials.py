"""schedule() with material dates (issue 13): the time of placing n orders on 4 lines when 0 %
or 40 % of them have a material date (spread over the plan's span, about n / 3 days, so that
many of them really wait), for n = 500 .. 8000.

    .venv/bin/python bench/plan_materials.py [--rounds 3]

Waiting orders leave gaps that later orders fill; the gaps sit in a segment tree, so the cost
per order stays logarithmic: time per order should stay roughly flat as n grows (no rescans).
No database. Prints JSON; docs/PERFORMANCE.md has the results and the machine.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.planning import Job, Line, WorkCalendar, schedule  # noqa: E402

START = date(2027, 3, 1)
LINES = [Line(f"L{n}", 16) for n in range(1, 5)]


def jobs(n: int, waiting: float, seed: int = 7) -> list[Job]:
    rng = random.Random(seed)
    made = []
    for order_id in range(1, n + 1):
        capable = rng.sample([line.code for line in LINES], rng.randint(1, 3))
        held = rng.random() < waiting
        made.append(
            Job(
                order_id,
                f"SO-{order_id}",
                {code: rng.choice([4, 8, 12, 24, 40]) for code in capable},
                promised=START + timedelta(days=rng.randint(5, 400)),
                not_before=START + timedelta(days=rng.randint(1, max(60, n // 3)))
                if held
                else None,
            )
        )
    return made


def measure(n: int, waiting: float, rounds: int) -> dict:
    given = jobs(n, waiting)
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        plan = schedule(given, LINES, WorkCalendar(), START)
        times.append(time.perf_counter() - began)
    best = min(times)
    return {
        "orders": n,
        "waiting_share": waiting,
        "waiting_held": sum(job.waits for job in plan.jobs),
        "seconds_best": round(best, 4),
        "seconds_median": round(statistics.median(times), 4),
        "microseconds_per_order": round(best / n * 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results = [
        measure(n, waiting, args.rounds)
        for n in (500, 1000, 2000, 4000, 8000)
        for waiting in (0.0, 0.4)
    ]
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

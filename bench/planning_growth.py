"""How the planner's cost grows with open work (issue 14): schedule(), a rush preview
(insert_rush, every capable line tried) and a re-plan (PMC's sequence given back with one order
moved, as /schedule's rearrange computes it) at 200, 1,000, 2,000 and 5,000 open jobs on 10
lines.

`rush_insertion` is insert_rush computing the plan before the insertion itself (from the jobs
alone, every one queued); `rush_preview` is what the rush page computes: the plan it shows
given (`before=`, with its sequence), only the lines that change placed. `replan` is what
/schedule's rearrange computes (the plan given as `base=`: only the moved line placed);
`replan_full` the same plan with every line placed.

    .venv/bin/python bench/planning_growth.py [--smoke]

Pure computation (app/planning, no database), timed as this process's CPU time
(`time.process_time`): on a machine shared with other work the wall time measures the load,
the CPU time much less so. Each curve is fitted as time = c * n^k by least
squares on log-log (k, the exponent, is reported with the per-size times); n log n over these
sizes has an exponent of about 1.2, n^2 of 2. `ok` says whether each k stays at or below n log
n's (with 0.15 of slack for noise on a shared machine); a timing never fails `make bench-smoke`.

`worker_rss_mb.after_plan` (issue 14 item 8): the resident memory of a fresh process that has
loaded the app as a gunicorn worker does (`wsgi`), after it built a plan of 5,000 open jobs
with the pure planner (jobs made in memory as above, no database: the app's plan page would
first load those orders, which needs a seeded database; bench/pages.py measures that page).
Also reported: the RSS with the app loaded before planning, and the peak.
"""

from __future__ import annotations

import json
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.planning import Job, Line, china_calendar, insert_rush, schedule  # noqa: E402

START = date(2027, 3, 1)
LINES = [Line(f"L{n}", 16 + 2 * (n % 4)) for n in range(1, 11)]
SIZES = (200, 1000, 2000, 5000)
SMOKE_SIZES = (20, 60, 120, 180)
SLACK = 0.15
RSS_JOBS, SMOKE_RSS_JOBS = 5000, 180


def jobs(count: int, rng: random.Random) -> list[Job]:
    """`count` open orders: 1 to 3 capable lines of 10, 8 to 120 hours, promised over a year."""
    made = []
    codes = [line.code for line in LINES]
    for order_id in range(1, count + 1):
        hours = rng.randint(8, 120)
        made.append(
            Job(
                order_id=order_id,
                order_number=f"SO-{order_id:05d}",
                hours_by_line={
                    code: hours * rng.choice((1, 1.25, 1.5))
                    for code in rng.sample(codes, rng.randint(1, 3))
                },
                promised=START + timedelta(days=rng.randint(5, 365)),
            )
        )
    return made


def _p50(samples: list[float]) -> float:
    return round(statistics.median(samples), 2)


def _timed(fn, rounds: int) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(rounds):
        began = time.process_time()
        result = fn()
        samples.append((time.process_time() - began) * 1000)
    return _p50(samples), result


def exponent(sizes: list[int], times: list[float]) -> float:
    """k of time = c * n^k, least squares on log-log."""
    xs = [math.log(n) for n in sizes]
    ys = [math.log(max(t, 1e-6)) for t in times]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def _one_size(open_jobs: list[Job], calendar, rounds: int) -> dict:
    """CPU ms (p50) of planning, a rush preview and a re-plan of `open_jobs`."""
    rush = Job(0, "SO-RUSH", {"L1": 40, "L2": 50, "L4": 45}, START + timedelta(days=10))
    plan_ms, base = _timed(lambda: schedule(open_jobs, LINES, calendar, START), rounds)
    required = START + timedelta(7)
    rush_ms, preview = _timed(
        lambda: insert_rush(open_jobs, LINES, calendar, START, rush, required), rounds
    )
    sequence = base.sequence()
    shown_ms, shown = _timed(
        lambda: insert_rush(
            open_jobs, LINES, calendar, START, rush, required, sequence=sequence, before=base
        ),
        rounds,
    )
    busiest = max(sequence, key=lambda code: len(sequence[code]))
    moved = {**sequence, busiest: [*sequence[busiest][1:], sequence[busiest][0]]}
    full_ms, full = _timed(
        lambda: schedule(open_jobs, LINES, calendar, START, sequence=moved), rounds
    )
    replan_ms, replanned = _timed(
        lambda: schedule(open_jobs, LINES, calendar, START, sequence=moved, base=base), rounds
    )
    if replanned != full or shown.after != preview.after or shown.slips != preview.slips:
        raise AssertionError("A plan computed line by line differs from the full computation.")
    return {
        "schedule_ms": plan_ms,
        "rush_insertion_ms": rush_ms,
        "rush_preview_ms": shown_ms,
        "replan_ms": replan_ms,
        "replan_full_ms": full_ms,
        "rounds": rounds,
        "slips": len(preview.slips),
    }


def _rss_mb() -> float:
    import psutil

    return round(psutil.Process().memory_info().rss / 2**20, 1)


def _rss_child(count: int) -> dict:
    """In a fresh process: load the app (`wsgi`, as a gunicorn worker), then plan `count`
    open jobs; the RSS before and after (the plan still held) and the peak, in MB."""
    import wsgi  # noqa: F401  (the app a gunicorn worker holds)

    loaded = _rss_mb()
    calendar = china_calendar(range(START.year, START.year + 6))
    plan = schedule(jobs(count, random.Random(14)), LINES, calendar, START)
    after = _rss_mb()
    peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux
    return {
        "app_loaded": loaded,
        "after_plan": after,
        "peak": peak,
        "planned": len(plan.jobs),
        "beyond_horizon": len(plan.beyond_horizon),
    }


def rss_after_plan(count: int) -> dict:
    """`_rss_child` run in a process of its own (this one has loaded other benchmarks)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(
            os.environ,
            DATABASE_URL=f"sqlite:///{tmp}/unused.db",  # the planner needs no database
            SECRET_KEY="bench-secret",
            ORDERGATE_WORKER="0",
            PYTHONPATH=str(ROOT),
        )
        done = subprocess.run(
            [sys.executable, __file__, "--rss-child", str(count)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
    return {**json.loads(done.stdout.splitlines()[-1]), "jobs": count}


def measure(smoke: bool) -> dict:
    """planning_growth: per size the p50 ms of each operation, and each curve's exponent."""
    sizes = SMOKE_SIZES if smoke else SIZES
    rounds = {size: 2 if smoke else max(3, 3000 // size) for size in sizes}
    calendar = china_calendar(range(START.year, START.year + 6))
    rng = random.Random(14)
    rows: dict[str, dict] = {}
    for size in sizes:
        rows[str(size)] = _one_size(jobs(size, rng), calendar, rounds[size])
    n_log_n = exponent(list(sizes), [n * math.log(n) for n in sizes])
    fits = {}
    for key in (
        "schedule_ms",
        "rush_insertion_ms",
        "rush_preview_ms",
        "replan_ms",
        "replan_full_ms",
    ):
        k = exponent(list(sizes), [rows[str(n)][key] for n in sizes])
        fits[key.removesuffix("_ms")] = {"exponent": round(k, 2), "ok": k <= n_log_n + SLACK}
    plan_rss = rss_after_plan(SMOKE_RSS_JOBS if smoke else RSS_JOBS)
    return {
        "planning_growth": {
            "lines": len(LINES),
            "sizes": rows,
            "exponents": fits,
            "n_log_n_exponent": round(n_log_n, 2),
        },
        # Merged by bench/run.py with http_load's `after_load`.
        "worker_rss_mb": {"after_plan": plan_rss["after_plan"], "plan": plan_rss},
    }


if __name__ == "__main__":
    if "--rss-child" in sys.argv:
        print(json.dumps(_rss_child(int(sys.argv[sys.argv.index("--rss-child") + 1]))))
    else:
        print(json.dumps(measure("--smoke" in sys.argv), indent=1))

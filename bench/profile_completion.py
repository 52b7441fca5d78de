"""Where a task completion's time goes: SQL statements per POST and a cProfile of the POSTs.

    .venv/bin/python bench/profile_completion.py [--orders 6] [--db postgresql] [--top 25]
                                                 [--trace review_quality]

Drives orders through the whole approval path with the Flask test client (as bench/completion.py,
CSRF off), counting for every POST /tasks/<id>/complete and POST /confirm/<token> the SQL
statements sent (by kind: SELECT, INSERT, UPDATE, DELETE, SAVEPOINT...) and profiling only those
requests. Prints statements per step and the top functions by cumulative time; `--trace STEP`
also prints every statement of that step's first POST with the app code that sent it. Not part of
`make bench` (a profile slows everything down); the figures it gave are in docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import pstats
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import OpenTask, bench_app, drive_order, issue_link, make_user, new_order  # noqa: E402
from bench.completion import Desk  # noqa: E402
from tests.statements import counted  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=6)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="cumulative", help="pstats order: cumulative, tottime")
    parser.add_argument("--cpu", action="store_true", help="no profile: CPU and wall ms a POST")
    parser.add_argument("--trace", default="review_quality", help="the step whose SQL to list")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    profiler = cProfile.Profile()
    per_step: dict[str, list[int]] = defaultdict(list)
    cpu_ms: dict[str, list[float]] = defaultdict(list)
    wall_ms: dict[str, list[float]] = defaultdict(list)
    kinds: Counter = Counter()
    samples: list[tuple[str, str]] = []
    with bench_app(args.db) as app:
        desk = Desk(app)
        customer = app.test_client()
        with app.app_context():
            sales_id = make_user("sales").id

        def timed(step: str, call):  # noqa: ANN001, ANN202
            with app.app_context(), counted(sites=step == args.trace and not samples) as seen:
                if not args.cpu:
                    profiler.enable()
                cpu, wall = time.process_time(), time.perf_counter()
                response = call()
                cpu_ms[step].append((time.process_time() - cpu) * 1000)
                wall_ms[step].append((time.perf_counter() - wall) * 1000)
                profiler.disable()
            per_step[step].append(seen.statements)
            kinds.update(sql.split(None, 1)[0].upper() for sql in seen.sql)
            if step == args.trace and not samples:
                samples.extend(zip(seen.sql, seen.sites, strict=True))
            return response

        def submit(task: OpenTask, form: dict) -> None:
            client = desk.client_for(task)
            response = timed(
                task.spec_name, lambda: client.post(f"/tasks/{task.id}/complete", data=form)
            )
            if response.status_code != 302:
                raise RuntimeError(f"{task.spec_name}: HTTP {response.status_code}")
            with client.session_transaction() as session:
                session.pop("_flashes", None)

        def confirm(order_id: int) -> None:
            with app.app_context():
                token = issue_link(order_id, sales_id)
            response = timed(
                "customer_confirmed",
                lambda: customer.post(
                    f"/confirm/{token}", data={"signer_name": "Ann Smith", "agree": "1"}
                ),
            )
            if response.status_code != 200:
                raise RuntimeError(f"confirmation: HTTP {response.status_code}")

        for _ in range(args.orders):
            with app.app_context():
                order_id = new_order(sales_id)
            drive_order(app, order_id, submit, confirm)
    posts = sum(len(v) for v in per_step.values())
    total = sum(sum(v) for v in per_step.values())
    print(f"{posts} POSTs on {args.db}, {total / posts:.1f} statements a POST on average")
    timing = "CPU / wall ms, median" + ("" if args.cpu else " (profiled: inflated)")
    for step, counts in per_step.items():
        print(
            f"  {step:<22} {statistics.median(counts):>5.0f} statements (median of {len(counts)})"
            f"  {timing}: {statistics.median(cpu_ms[step]):.1f} / "
            f"{statistics.median(wall_ms[step]):.1f}"
        )
    print("by kind:", ", ".join(f"{k} {v / posts:.1f}" for k, v in kinds.most_common()))
    print(f"\nstatements of one {args.trace} POST (<- the app code that sent each):")
    for sql, site in samples:
        print("  ", " ".join(sql.split())[:150], f"\n      <- {site}")
    if args.cpu:
        return 0
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The production plan with and without finished history (issue 12): statements, rows loaded
and time of computing the plan, the /schedule page and an order page.

    .venv/bin/python bench/plan_history.py [--finished 10000] [--db sqlite|postgresql] [--rounds 15]

A fresh database gets `flask seed-volume --orders 120` (open orders: the plan's real work), is
measured, then gets `--finished N` orders of history made in full (`seed-volume --finished-only`)
and is measured again. "as before" measures the same database with the loader this issue
replaced (every released order ever, then one lazy load per order, line and product), with the
finished history read as released orders were before they had an end (each is read, its lines,
products and rates loaded one query at a time; a line made in full then plans nothing).
Prints JSON; docs/PERFORMANCE.md has the results and the machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.extensions import db  # noqa: E402
from app.modules.orders.models import Order  # noqa: E402
from app.modules.schedule.models import PlanSlot  # noqa: E402
from app.modules.schedule.services import jobs, plan  # noqa: E402
from bench.common import bench_app  # noqa: E402
from tests.statements import counted  # noqa: E402


def _old_orders_to_plan() -> list[Order]:
    """The loader before issue 12: every released order (history included), lazily loaded."""
    slotted = db.select(PlanSlot.order_id)
    released = Order.status.in_(("released", "production_complete"))
    return list(
        db.session.scalars(
            db.select(Order)
            .where(released | (Order.id.in_(slotted) & Order.status.in_(jobs.ACTIVE_STATUSES)))
            .order_by(Order.id)
        )
    )


def _ms(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "p50": round(statistics.median(ordered), 1),
        "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        "n": len(ordered),
    }


def _measure(app, rounds: int) -> dict:
    """Plan: statements, rows, time; pages: time of GET /schedule and one open order's page."""
    out = {}
    with app.app_context():
        db.session.expire_all()
        with counted() as seen:
            state = plan.current()
        out["plan_statements"], out["plan_rows"] = seen.statements, seen.rows
        out["orders_planned"] = len(state.orders)
        order_id = min(state.orders)
        samples = []
        for _ in range(rounds):
            db.session.expire_all()
            start = time.perf_counter()
            plan.current()
            samples.append((time.perf_counter() - start) * 1000)
        out["plan_ms"] = _ms(samples)
        db.session.rollback()
    client = app.test_client()
    client.post("/login", data={"username": "pmc.head", "password": "demo1234"})
    for name, url in (("schedule_ms", "/schedule"), ("order_page_ms", f"/orders/{order_id}")):
        samples = []
        for _ in range(rounds):
            start = time.perf_counter()
            status = client.get(url).status_code
            samples.append((time.perf_counter() - start) * 1000)
            assert status == 200, (url, status)
        out[name] = _ms(samples)
    return out


def run(finished: int = 10_000, kind: str = "sqlite", rounds: int = 15) -> dict:
    results = {"db": kind, "finished": finished, "rounds": rounds}
    with bench_app(kind) as app:
        runner = app.test_cli_runner()
        with app.app_context():
            seeded = runner.invoke(
                args=["seed-volume", "--orders", "120", "--seed", "3"], catch_exceptions=False
            )
        assert seeded.exit_code == 0, seeded.output
        results["open_only"] = _measure(app, rounds)
        start = time.perf_counter()
        with app.app_context():
            history = runner.invoke(
                args=["seed-volume", "--orders", str(finished), "--finished-only"],
                catch_exceptions=False,
            )
        assert history.exit_code == 0, history.output
        results["seed_seconds"] = round(time.perf_counter() - start, 1)
        with app.app_context():
            results["orders_in_database"] = db.session.scalar(db.select(db.func.count(Order.id)))
        results["with_history"] = _measure(app, rounds)
        with (
            mock.patch.object(jobs, "orders_to_plan", _old_orders_to_plan),
            mock.patch.object(plan, "orders_to_plan", _old_orders_to_plan),
        ):
            results["as_before"] = _measure(app, max(3, rounds // 5))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--finished", type=int, default=10_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    print(json.dumps(run(args.finished, args.db, args.rounds), indent=2))


if __name__ == "__main__":
    main()

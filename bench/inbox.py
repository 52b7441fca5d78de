"""The inbox page at volume: GET /inbox (first page, a sort, a late page, a search in Chinese)
and the department tab counts, over many open tasks and a long completed history.

Rows are inserted directly (one process instance, subject cards, open tasks spread over the
departments, ten times as many completed ones): the inbox reads only human_task, subject and
user, so how the rows were made does not matter, and making them through the engine would take
hours. Each request is timed through the Flask test client, logged in as a sales member (a
price reader: the amount column is on). Usage:

    .venv/bin/python bench/inbox.py [--open 20000] [--done 200000] [--rounds 20] [--pg]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.clock import utcnow  # noqa: E402
from app.core.subjects.models import Subject  # noqa: E402
from app.core.tasks import listing  # noqa: E402
from app.core.tasks.models import HumanTask, ProcessInstance  # noqa: E402
from app.core.users.models import Department  # noqa: E402
from app.extensions import db  # noqa: E402
from bench.common import PASSWORD, bench_app, make_user, summarize  # noqa: E402

STEPS = [
    ("confirm_order", "Confirm order details", "确认订单信息"),
    ("pmc_dispatch", "Dispatch order for review", "分派订单评审"),
    ("review_engineering", "Engineering review", "技术评审"),
    ("pmc_check", "PMC check of a repeat order", "PMC 审核返单"),
]
CUSTOMERS = ["ACME", "Beta Works", "晨光电子", "华南机电", "Delta Parts"]
BATCH = 5000


def seed(open_count: int, done_count: int) -> None:
    """Subjects and tasks, inserted in batches (core tables only)."""
    rng = random.Random(11)
    departments = [d.id for d in db.session.scalars(db.select(Department))]
    instance = ProcessInstance(process_version_id=1, kind="bench", state=b"{}")
    db.session.add(instance)
    db.session.flush()
    now = utcnow()
    subjects = [
        {
            "type": "bench",
            "key": n,
            "reference": f"SO-2026-{n:06d}",
            "customer": rng.choice(CUSTOMERS),
            "amount": Decimal(rng.randint(100, 900000)),
            "currency": "CNY",
            "promised_on": (now + timedelta(days=rng.randint(-30, 120))).date(),
            "priority": rng.choice(["", "normal", "high", "urgent"]),
            "refreshed_at": now,
        }
        for n in range(open_count + done_count)
    ]
    for start in range(0, len(subjects), BATCH):
        db.session.execute(db.insert(Subject), subjects[start : start + BATCH])
    tasks = []
    for n in range(open_count + done_count):
        spec, name, name_zh = rng.choice(STEPS)
        created = now - timedelta(minutes=rng.randint(1, 60 * 24 * 60))
        tasks.append(
            {
                "instance_id": instance.id,
                "task_id": f"t{n}",
                "spec_name": spec,
                "name": name,
                "name_zh": name_zh,
                "department_id": rng.choice(departments),
                "state": "ready" if n < open_count else "completed",
                "subject_type": "bench",
                "subject_key": n,
                "created_at": created,
                "due_at": created + timedelta(hours=rng.randint(4, 200)),
            }
        )
    for start in range(0, len(tasks), BATCH):
        db.session.execute(db.insert(HumanTask), tasks[start : start + BATCH])
    db.session.commit()


def timed(fn, rounds: int) -> dict:
    """Timings (ms) of `fn` over `rounds` calls, after one warm-up call."""
    fn()
    ms = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - start) * 1000)
    return summarize(ms)


def run(kind: str, open_count: int, done_count: int, rounds: int) -> dict:
    """Seed, log in as a sales member, time the pages."""
    with bench_app(kind) as app, app.app_context():
        seed(open_count, done_count)
        user = make_user("sales")
        client = app.test_client()
        client.post("/login", data={"username": user.username, "password": PASSWORD})

        def page(**args):
            def get():
                response = client.get("/inbox", query_string=args)
                assert response.status_code == 200, response.status_code

            return get

        sales_open = db.session.scalar(
            db.select(db.func.count())
            .select_from(HumanTask)
            .where(HumanTask.state == "ready", HumanTask.department_id == user.department_id)
        )
        last = max(1, -(-sales_open // 50))
        return {
            "backend": kind,
            "open_tasks": open_count,
            "completed_tasks": done_count,
            "sales_open": sales_open,
            "tab_counts_ms": timed(listing.tab_counts, rounds),
            "first_page_ms": timed(page(), rounds),
            "sort_amount_desc_ms": timed(page(sort="amount", dir="desc"), rounds),
            "last_page_ms": timed(page(page=str(last)), rounds),
            "search_zh_ms": timed(page(q="确认"), rounds),
            "filter_overdue_200_ms": timed(page(due="overdue", size="200"), rounds),
        }


def main() -> None:
    """Parse the options, run, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=20_000, dest="open_count")
    parser.add_argument("--done", type=int, default=200_000, dest="done_count")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL (DATABASE_URL) too")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.pg else ["sqlite"]
    results = [run(kind, args.open_count, args.done_count, args.rounds) for kind in kinds]
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

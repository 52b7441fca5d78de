"""Shared set-up for the app benchmarks: a fresh database with departments, workflows, users.

Mirrors tests/conftest.py: SQLite in a temp file, or a fresh PostgreSQL database created on the
server (and dropped afterwards). Orders are driven through whatever tasks the engine opens,
answered with FORM_ANSWERS, so a change to the diagram does not silently break the benchmark.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from app import create_app
from app.extensions import db
from app.models import Customer, Department, HumanTask, User
from app.services import orders, processes
from app.services.orders import LineInput, OrderInput

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PASSWORD = "bench-pass-1"
MAX_STEPS = 40  # per order: a loop in the diagram must not hang the benchmark

# The answers tests/conftest.py uses for each step of workflows/order_review.bpmn.
FORM_ANSWERS = {
    "confirm_order": {"packaging_confirmed": "on", "structure_confirmed": "on",
                      "dimensions_confirmed": "on", "order_category": "new",
                      "requirements": "IP65"},
    "pmc_dispatch": {"review_due": "2026-12-31", "priority": "normal"},
    "review_engineering": {"decision": "approve", "technical_risk": "low"},
    "review_production": {"decision": "approve", "hours_per_unit": "1.5"},
    "review_quality": {"decision": "approve", "quality_requirements": "AQL 1.0",
                       "inspection_plan": "final"},
    "review_warehouse": {"decision": "approve", "materials_status": "in_stock"},
    "pmc_consolidate": {"summary": "All approved", "confirmed": "on"},
    "sales_revise": {"action": "resubmit", "changes_made": "Adjusted"},
}  # fmt: skip


def _postgres_database(url: str) -> tuple[str, Callable[[], None]]:
    """Create a fresh database on the server named by `url`; return its URL and a dropper."""
    import psycopg

    base = make_url(url)
    name = f"ordergate_bench_{uuid.uuid4().hex[:12]}"
    admin = base.set(drivername="postgresql", database="postgres").render_as_string(False)
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return base.set(database=name).render_as_string(False), drop


@contextmanager
def bench_app(kind: str) -> Iterator[Flask]:
    """An app on a fresh, migrated `sqlite` or `postgresql` database with workflows/ deployed."""
    with tempfile.TemporaryDirectory(prefix="ordergate-bench-") as tmp:
        app, drop = None, None
        if kind == "postgresql":
            url, drop = _postgres_database(PG_URL)
        else:
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        try:
            app = create_app(
                {
                    "SECRET_KEY": "bench-secret",
                    "SQLALCHEMY_DATABASE_URI": url,
                    "WTF_CSRF_ENABLED": False,
                    "START_WORKER": False,
                    "STORAGE_DIR": Path(tmp) / "uploads",
                    "WORKFLOWS_DIR": ROOT / "workflows",
                    "FORMS_DIR": ROOT / "forms",
                }
            )
            with app.app_context():
                upgrade(directory=str(ROOT / "migrations"))
                for key, (name_en, name_zh) in processes.DEMO_DEPARTMENTS.items():
                    db.session.add(Department(key=key, name_en=name_en, name_zh=name_zh))
                db.session.flush()
                report = processes.deploy_directories(ROOT / "workflows", ROOT / "forms", None)
                if report.problems:
                    raise RuntimeError(f"deploy failed: {report.problems}")
                db.session.add(
                    Customer(name="ACME", contact="Ann", address="1 Road", tier="standard")
                )
                db.session.commit()
            yield app
        finally:
            if app is not None:
                with app.app_context():
                    db.session.remove()
                    db.engine.dispose()
            if drop is not None:
                drop()


def server_version(app: Flask) -> str:
    """The database server's version string."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            return "SQLite " + db.session.execute(db.text("SELECT sqlite_version()")).scalar()
        return db.session.execute(db.text("SELECT version()")).scalar()


def make_user(dept: str, role: str = "member") -> User:
    """A committed user of a department (call inside an app context)."""
    department = db.session.scalar(db.select(Department).where(Department.key == dept))
    user = User(
        username=f"{dept}.{role}.{uuid.uuid4().hex[:6]}",
        display_name=f"{dept} {role}",
        department=department,
        role=role,
        password_hash=_password_hash(),
    )
    db.session.add(user)
    db.session.commit()
    return user


_HASH: list[str] = []


def _password_hash() -> str:
    # Hash once: the default scrypt costs ~50 ms a call.
    if not _HASH:
        _HASH.append(generate_password_hash(PASSWORD))
    return _HASH[0]


def new_order(actor_id: int) -> int:
    """Enter an order as a sales user; its review process starts. Returns the order id."""
    actor = db.session.get(User, actor_id)
    customer = db.session.scalar(db.select(Customer).where(Customer.name == "ACME"))
    data = OrderInput(
        customer_id=str(customer.id),
        order_type="new",
        lines=[LineInput(description="Custom bracket", quantity="10", unit_price="2.5")],
    )
    order = orders.create_order(actor, data)
    db.session.commit()
    return order.id


@dataclass(frozen=True)
class OpenTask:
    """What a benchmark needs to know about a ready inbox row."""

    id: int
    spec_name: str
    department_id: int
    role: str | None


def open_tasks(order_id: int) -> list[OpenTask]:
    """The order's ready inbox rows, oldest first."""
    rows = db.session.scalars(
        db.select(HumanTask)
        .where(HumanTask.order_id == order_id, HumanTask.state == "ready")
        .order_by(HumanTask.id)
    )
    return [OpenTask(t.id, t.spec_name, t.department_id, t.role) for t in rows]


def drive_order(
    app: Flask,
    order_id: int,
    submit: Callable[[OpenTask, dict], None],
    answers: dict[str, list[dict]] | None = None,
) -> list[str]:
    """Complete the order's open tasks one by one until none is left; returns the steps done.

    `submit(task, form)` completes one task; it is called outside any app context (so an HTTP
    request gets its own). `answers` overrides FORM_ANSWERS per step, one dict per visit.
    """
    answers = {k: list(v) for k, v in (answers or {}).items()}
    done: list[str] = []
    for _ in range(MAX_STEPS):
        with app.app_context():
            ready = open_tasks(order_id)
            if not ready:
                return done
            task = ready[0]
        override = answers.get(task.spec_name)
        form = {**FORM_ANSWERS.get(task.spec_name, {}), **(override.pop(0) if override else {})}
        submit(task, form)
        done.append(task.spec_name)
    raise RuntimeError(f"order {order_id} still open after {MAX_STEPS} steps: {done}")


def summarize(ms: list[float]) -> dict:
    """p50/p95/mean/min/max (ms, rounded) and n of a list of timings in milliseconds."""
    ordered = sorted(ms)
    p95 = statistics.quantiles(ordered, n=100, method="inclusive")[94] if len(ordered) > 1 else 0
    return {
        "p50": round(statistics.median(ordered), 3),
        "p95": round(p95, 3),
        "mean": round(statistics.fmean(ordered), 3),
        "min": round(ordered[0], 3),
        "max": round(ordered[-1], 3),
        "n": len(ordered),
    }

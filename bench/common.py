"""Shared set-up for the app benchmarks: a fresh database with departments, workflows, users.

Mirrors tests/conftest.py: SQLite in a temp file, or a fresh PostgreSQL database created on the
server (and dropped afterwards). New orders run `order_lifecycle` (docs/LIFECYCLE_CONTRACT.md).
The benchmark order is a new order with NONSTANDARD_LINES described (non-catalogue) lines, each
with the full specification; it goes through intake, the full review, the customer's
confirmation by link, the review meeting and one standardisation task per line. Orders are
driven through whatever tasks the engine opens, answered with tests/answers.py's FORM_ANSWERS
(plus the per-line estimates and the lifecycle steps tests/answers.py leaves to each test), so
a change to the diagram fails loudly instead of silently measuring something else.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from app import create_app
from app.core.processes import versions as processes
from app.core.processes.models import ProcessVersion
from app.core.tasks.models import HumanTask, ProcessInstance
from app.core.users.models import Department, User
from app.extensions import db
from app.modules.confirmations.services import confirmations
from app.modules.orders import hooks as order_hooks
from app.modules.orders.models import Customer, Order, ProductionLine
from app.modules.orders.services import orders
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.orders import LineInput, OrderInput
from tests.answers import FORM_ANSWERS, SPECS  # the repo root is on sys.path (bench/run.py)

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PASSWORD = "bench-pass-1"
PROCESS_ID = orders.ORDER_PROCESS  # "order_lifecycle"
NONSTANDARD_LINES = 2  # described lines per order: two standardise_item instances
MAX_STEPS = 60  # per order: a loop in the diagram must not hang the benchmark

# Lifecycle steps tests/answers.py does not answer (each test passes its own). standardise_item
# is answered per line by `standardise_answers`.
LIFECYCLE_ANSWERS = {
    "send_confirmation": {"sent_via": "link"},
    "review_meeting": {
        "meeting_date": "2027-01-12",
        "attendees": ["sales", "pmc", "engineering", "production", "quality", "warehouse"],
        "decisions": "Build as reviewed; first article to quality",
        "minutes": "All present",
    },
}
# What the customer's confirmation message carries (as confirmations._confirm sends it).
SIGNER = "Ann Smith"


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
    """An app on a fresh, migrated `sqlite` or `postgresql` database with workflows/ deployed,
    one customer and one production line (the estimates name it)."""
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
                if processes.latest_version(PROCESS_ID) is None:
                    raise RuntimeError(f"{PROCESS_ID} was not deployed")
                db.session.add(
                    Customer(name="ACME", contact="Ann", address="1 Road", tier="standard")
                )
                db.session.add(ProductionLine(code="L1", name="Line 1"))
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
    """Enter a new order with NONSTANDARD_LINES described lines (full specification, as
    tests/conftest.py's make_order); its order_lifecycle instance starts. Returns the order id."""
    actor = db.session.get(User, actor_id)
    customer = db.session.scalar(db.select(Customer).where(Customer.name == "ACME"))
    data = OrderInput(
        customer_id=str(customer.id),
        order_type="new",
        lines=[
            LineInput(
                description=f"Custom bracket {n}",
                quantity="10",
                unit_price="2.5",
                specs=dict(SPECS),
            )
            for n in range(1, NONSTANDARD_LINES + 1)
        ],
    )
    order = orders.create_order(actor, data)
    db.session.commit()
    version = order.instances[-1].version
    if version.process_id != PROCESS_ID:
        raise RuntimeError(f"the order started {version.process_id}, not {PROCESS_ID}")
    return order.id


def estimates(task: HumanTask) -> dict[str, str]:
    """Hours and line for every non-standard item, for the steps that estimate them (as
    tests/conftest.py's `estimates`)."""
    if task.spec_name not in order_hooks.ESTIMATING_STEPS:
        return {}
    line = db.session.scalar(db.select(ProductionLine).where(ProductionLine.code == "L1"))
    answers = {}
    for item in order_hooks.nonstandard_lines(order_subject.order_of(task)):
        answers[f"est-{item.id}-hours"] = "1.5"
        answers[f"est-{item.id}-line"] = str(line.id)
    return answers


def standardise_form(code: str | None, name: str = "") -> dict:
    """standardise_item answers: make the line a catalogue product under `code`, or (None)
    keep it non-standard with a reason."""
    if code is None:
        return {"reason": "One-off design for this customer"}
    return {"make_standard": "on", "code": code, "name": name, "standard_cost": "2.1"}


def standardise_answers(task: HumanTask) -> dict:
    """The first line becomes a catalogue product (unique code, its rate on L1); the others
    stay non-standard."""
    if task.spec_name != "standardise_item":
        return {}
    line = order_hooks.task_line(task)
    if line is None:
        raise RuntimeError(f"standardise_item task {task.id} names no order line")
    first = min(
        item.position for item in order_hooks.nonstandard_lines(order_subject.order_of(task))
    )
    if line.position != first:
        return standardise_form(None)
    l1 = db.session.scalar(db.select(ProductionLine).where(ProductionLine.code == "L1"))
    return {
        **standardise_form(
            f"BR-{task.subject_key}-{line.position}",
            f"Bracket {order_subject.order_of(task).number}/{line.position}",
        ),
        f"rate-{l1.id}": "1.5",  # the new product's hours a unit on L1 (docs/PRODUCTS.md)
    }


def step_answers(task: HumanTask) -> dict:
    """The valid answers for a ready inbox row: tests/answers.py's FORM_ANSWERS, the lifecycle
    steps' answers, and the per-line estimates or standardisation."""
    return {
        **FORM_ANSWERS.get(task.spec_name, {}),
        **LIFECYCLE_ANSWERS.get(task.spec_name, {}),
        **estimates(task),
        **standardise_answers(task),
    }


@dataclass(frozen=True)
class OpenTask:
    """What a benchmark needs to know about a ready inbox row."""

    id: int
    spec_name: str
    department_id: int
    role: str | None
    form: dict = field(default_factory=dict, compare=False)


def open_tasks(order_id: int) -> list[OpenTask]:
    """The order's ready inbox rows, oldest first, with their answers."""
    rows = db.session.scalars(
        db.select(HumanTask)
        .where(order_subject.about_order(HumanTask, order_id), HumanTask.state == "ready")
        .order_by(HumanTask.id)
    )
    return [OpenTask(t.id, t.spec_name, t.department_id, t.role, step_answers(t)) for t in rows]


def instance_status(order_id: int) -> str | None:
    """The status of the order's newest order_lifecycle instance (a released order goes on in
    processes of its own, e.g. fulfilment; they are not the benchmark's)."""
    return db.session.scalar(
        db.select(ProcessInstance.status)
        .join(ProcessVersion, ProcessVersion.id == ProcessInstance.process_version_id)
        .where(
            order_subject.about_order(ProcessInstance, order_id),
            ProcessVersion.process_id == PROCESS_ID,
        )
        .order_by(ProcessInstance.id.desc())
    )


def issue_link(order_id: int, sales_id: int) -> str:
    """Sales makes the customer's confirmation link (confirmations.issue_link); its token."""
    order, sales = db.session.get(Order, order_id), db.session.get(User, sales_id)
    token = confirmations.issue_link(order, sales)
    db.session.commit()
    return token


def confirm_by_link(app: Flask, sales_id: int) -> Callable[[int], None]:
    """A `confirm` for drive_order: link made by sales, signed by the customer, via the service
    (confirmations.issue_link + confirm_with_link, as tests/scenarios do)."""

    def confirm(order_id: int) -> None:
        with app.app_context():
            token = issue_link(order_id, sales_id)
            confirmations.confirm_with_link(token, SIGNER, True, "198.51.100.4", "bench")
            db.session.commit()

    return confirm


def drive_order(
    app: Flask,
    order_id: int,
    submit: Callable[[OpenTask, dict], None],
    confirm: Callable[[int], None],
    answers: dict[str, list[dict]] | None = None,
) -> list[str]:
    """Complete the order's open tasks one by one until the instance ends; returns the steps
    done (the customer's confirmation as "customer_confirmed").

    `submit(task, form)` completes one task; `confirm(order_id)` has the customer confirm (called
    once nothing is open and the order waits for the customer). Both are called outside any app
    context (so an HTTP request gets its own). `answers` overrides the answers per step, one
    dict per visit. Raises unless the instance ends `completed`.
    """
    answers = {k: list(v) for k, v in (answers or {}).items()}
    done: list[str] = []
    for _ in range(MAX_STEPS):
        with app.app_context():
            ready = open_tasks(order_id)
            status = instance_status(order_id)
            waiting = db.session.get(Order, order_id).status == "awaiting_customer"
        if not ready:
            if status == "running" and waiting and "customer_confirmed" not in done:
                confirm(order_id)
                done.append("customer_confirmed")
                continue
            if status != "completed":
                raise RuntimeError(f"order {order_id}: nothing open, instance {status}: {done}")
            return done
        task = ready[0]
        override = answers.get(task.spec_name)
        form = {**task.form, **(override.pop(0) if override else {})}
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

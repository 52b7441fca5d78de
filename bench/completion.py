"""Completing lifecycle steps through the app over HTTP, with the Flask test client.

One fresh database per backend (SQLite temp file; a fresh PostgreSQL database, dropped after).
Orders (new, with NONSTANDARD_LINES described lines) are entered through the order service (not
timed); each of their order_lifecycle steps is then completed with POST /tasks/<id>/complete by
a logged-in member of the task's department (the head for `role="head"` steps), CSRF off, and
only the POST is timed: form parsing and validation, per-line estimates or standardisation,
row lock, engine step, inbox rows, notifications, audit, commit and the redirect response.
When the order waits for the customer, sales makes the link (confirmations.issue_link, not
timed) and the customer signs it with POST /confirm/<token> (timed separately: it delivers the
engine message that opens the review meeting). The first WARMUP_ORDERS orders are not counted
(template and spec caches, connection pool).
"""

from __future__ import annotations

import time

from flask import Flask
from flask.testing import FlaskClient

from app.core.users.models import Department
from app.extensions import db
from bench.common import (
    PASSWORD,
    SIGNER,
    OpenTask,
    bench_app,
    drive_order,
    instance_status,
    issue_link,
    make_user,
    new_order,
    server_version,
    summarize,
)

WARMUP_ORDERS = 2


class Desk:
    """One logged-in test client per (department, head?) pair, created on first use."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.clients: dict[tuple[int, bool], FlaskClient] = {}

    def client_for(self, task: OpenTask) -> FlaskClient:
        """A client logged in as someone allowed to complete the task."""
        key = (task.department_id, task.role == "head")
        if key not in self.clients:
            with self.app.app_context():
                dept = db.session.get(Department, task.department_id)
                username = make_user(dept.key, "head" if key[1] else "member").username
            client = self.app.test_client()
            response = client.post("/login", data={"username": username, "password": PASSWORD})
            if response.status_code != 302:
                raise RuntimeError(f"login as {username} failed: {response.status_code}")
            self.clients[key] = client
        return self.clients[key]


def _measure(app: Flask, orders: int, warmup: int = WARMUP_ORDERS) -> dict:
    desk = Desk(app)
    customer = app.test_client()  # no account: the link is the customer's only key
    with app.app_context():
        sales_id = make_user("sales").id
    samples: list[tuple[str, float]] = []
    confirms: list[float] = []

    def submit(task: OpenTask, form: dict) -> None:
        client = desk.client_for(task)
        start = time.perf_counter()
        response = client.post(f"/tasks/{task.id}/complete", data=form)
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 302:
            body = response.get_data(as_text=True)[:300]
            raise RuntimeError(f"{task.spec_name}: HTTP {response.status_code}: {body}")
        with client.session_transaction() as session:
            session.pop("_flashes", None)  # never shown here; keeps the cookie small
        samples.append((task.spec_name, elapsed))

    def confirm(order_id: int) -> None:
        with app.app_context():
            token = issue_link(order_id, sales_id)
        start = time.perf_counter()
        response = customer.post(
            f"/confirm/{token}",
            data={"signer_name": SIGNER, "agree": "1"},
            environ_base={"REMOTE_ADDR": "198.51.100.4"},
        )
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            body = response.get_data(as_text=True)[:300]
            raise RuntimeError(f"customer confirmation: HTTP {response.status_code}: {body}")
        confirms.append(elapsed)

    counted: list[tuple[str, float]] = []
    counted_confirms: list[float] = []
    steps: list[str] = []
    for number in range(warmup + orders):
        with app.app_context():
            order_id = new_order(sales_id)
        samples.clear()
        confirms.clear()
        steps = drive_order(app, order_id, submit, confirm)
        with app.app_context():
            status = instance_status(order_id)
        if status != "completed":
            raise RuntimeError(f"order {order_id} ended with instance status {status}")
        if number >= warmup:
            counted.extend(samples)
            counted_confirms.extend(confirms)
    ms = [elapsed for _, elapsed in counted]
    by_step: dict[str, list[float]] = {}
    for step, elapsed in counted:
        by_step.setdefault(step, []).append(elapsed)
    return {
        **summarize(ms),
        "orders": orders,
        "warmup_orders": warmup,
        "posts_per_order": len(ms) // orders,
        "steps_per_order": steps,
        "server": server_version(app),
        "by_step_p50": {step: summarize(v)["p50"] for step, v in by_step.items()},
        "customer_confirmation_ms": summarize(counted_confirms),
        "raw_ms": [round(x, 3) for x in ms],
        "customer_confirmation_raw_ms": [round(x, 3) for x in counted_confirms],
    }


def run(kind: str, orders: int = 15, warmup: int = WARMUP_ORDERS) -> dict:
    """Timings for one backend (`sqlite` or `postgresql`); an unreachable server is reported."""
    if kind == "postgresql":
        import psycopg

        try:
            with bench_app(kind) as app:
                return _measure(app, orders, warmup)
        except psycopg.OperationalError as exc:
            return {"error": f"PostgreSQL not reachable: {exc}".strip()}
    with bench_app(kind) as app:
        return _measure(app, orders, warmup)


def measure(smoke: bool) -> dict:
    """bench/run.py's entry: `completion_ms` per database (the in-process view of a POST; the
    HTTP figures under load are bench/http_load.py's)."""
    orders, warmup = (1, 0) if smoke else (15, WARMUP_ORDERS)
    return {
        "completion_ms": {kind: run(kind, orders, warmup) for kind in ("sqlite", "postgresql")},
        "sizes": {"orders_per_database": orders, "warmup_orders": warmup},
    }

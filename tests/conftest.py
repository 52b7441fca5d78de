"""Shared fixtures: one app per session on a fresh database, emptied after every test.

SQLite by default (a file in a temp dir); with DATABASE_URL pointing at a PostgreSQL server the
suite creates its own database for the run and drops it at the end, because a database left by
an earlier run may still hold data.
"""

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy.engine import make_url
from werkzeug.datastructures import MultiDict
from werkzeug.security import generate_password_hash

from app import create_app
from app.core.processes import versions as processes
from app.core.processes.models import ProcessVersion
from app.core.tasks.models import HumanTask
from app.core.users.models import Department, User
from app.extensions import db
from app.modules.orders.models import Order
from app.modules.orders.services import subject as order_subject
from tests.answers import FORM_ANSWERS, SPECS
from tests.clocks import fake_clock  # noqa: F401  (the movable clock, for every test)

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "secret-pass-1"
# Hash once: the default scrypt costs ~50 ms a user, which would dominate the suite.
_PASSWORD_HASH = generate_password_hash(PASSWORD)
# Tables that hold the deployed baseline; rows added by a test are removed, the baseline stays.
BASELINE_TABLES = ("department", "form_version", "process_version", "process_version_form")


def _postgres_database(url: str) -> tuple[str, Callable[[], None]]:
    """Create a fresh database on the server named by `url`; return its URL and a dropper."""
    import psycopg

    base = make_url(url)
    name = f"ordergate_test_{uuid.uuid4().hex[:12]}"
    admin = base.set(drivername="postgresql", database="postgres").render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return base.set(database=name).render_as_string(False), drop


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app on a migrated database with the demo departments and workflows/ deployed."""
    instance = tmp_path_factory.mktemp("instance")
    url = os.environ.get("DATABASE_URL", "")
    drop = None
    if url.startswith("postgresql"):
        url, drop = _postgres_database(url)
    else:
        url = f"sqlite:///{instance / 'test.sqlite3'}"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "START_WORKER": False,
            "AUDIT_HMAC_KEY": "test-audit-key-" + "0" * 32,  # never the instance/ key file
            "STORAGE_DIR": instance / "uploads",
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
        assert not report.problems, report.problems
        db.session.commit()
        app.config["BASELINE"] = {
            table: db.session.execute(db.text(f"SELECT MAX(id) FROM {table}")).scalar() or 0
            for table in BASELINE_TABLES
            if table != "process_version_form"
        }
    yield app
    if drop is not None:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop()


def _empty_tables(app: Flask) -> None:
    baseline = app.config["BASELINE"]
    db.session.rollback()
    if db.engine.dialect.name == "postgresql":
        # The audit tables refuse DELETE (append-only triggers); a superuser's replica role
        # skips triggers for this cleanup transaction only.
        db.session.execute(db.text("SET LOCAL session_replication_role = replica"))
    for table in reversed(db.metadata.sorted_tables):
        if table.name == "process_version_form":
            db.session.execute(
                table.delete().where(table.c.process_version_id > baseline["process_version"])
            )
        elif table.name in baseline:
            db.session.execute(table.delete().where(table.c.id > baseline[table.name]))
        else:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def _app_context(app: Flask) -> Iterator[None]:
    """Every test runs in an app context and leaves the database as it found it."""
    with app.app_context():
        yield
        _empty_tables(app)
        db.session.remove()


@pytest.fixture
def password() -> str:
    """The password of every user made by `make_user`."""
    return PASSWORD


class IsolatedClient(FlaskClient):
    """A test client whose requests get their own app context, `g` and database session.

    Flask reuses an app context that is already pushed (the autouse one below), which would let
    `g` and the session leak from the test into requests; real requests never share them.
    """

    def open(self, *args, **kwargs):
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client."""
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def make_user() -> Callable[..., User]:
    """Factory: `make_user("quality", role="head")` — a committed user in that department."""
    counter = iter(range(1, 10_000))

    def make(dept: str | None = "sales", role: str = "member", **fields) -> User:
        department = (
            db.session.scalar(db.select(Department).where(Department.key == dept)) if dept else None
        )
        username = fields.pop("username", None) or f"{dept or 'user'}.{role}{next(counter)}"
        user = User(
            username=username,
            display_name=fields.pop("display_name", username.title()),
            department=department,
            role=role,
            password_hash=_PASSWORD_HASH,
            **fields,
        )
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client: FlaskClient) -> Callable[[User], FlaskClient]:
    """Log a user in through the login form."""

    def do(user: User, target: FlaskClient | None = None) -> FlaskClient:
        c = target or client
        c.post("/logout")
        response = c.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return c

    return do


@pytest.fixture
def make_order(make_user, app) -> Callable[..., Order]:
    """Factory: a committed order entered by sales; its review process has started."""
    from app.modules.orders.services import orders
    from app.modules.orders.services.orders import LineInput, OrderInput

    def make(**overrides) -> Order:
        from app.modules.orders.models import Customer

        customer = db.session.scalar(db.select(Customer).where(Customer.name == "ACME"))
        if customer is None:
            customer = Customer(name="ACME", contact="Ann", address="1 Road", tier="standard")
            db.session.add(customer)
            db.session.flush()
        actor = overrides.pop("actor", None) or make_user("sales")
        lines = overrides.pop("lines", None) or [
            LineInput(
                description="Custom bracket", quantity="10", unit_price="2.5", specs=dict(SPECS)
            )
        ]
        data = OrderInput(
            customer_id=str(customer.id),
            order_type=overrides.pop("order_type", "new"),
            lines=lines,
            **overrides,
        )
        order = orders.create_order(actor, data)
        db.session.commit()
        return order

    return make


@pytest.fixture
def task_of() -> Callable[[Order, str], HumanTask | None]:
    """Look up the ready inbox row of one step of an order."""
    return open_task


def open_task(order: Order, spec_name: str) -> HumanTask | None:
    """The ready inbox row of one step of an order."""
    return db.session.scalar(
        db.select(HumanTask).where(
            order_subject.about_order(HumanTask, order.id),
            HumanTask.spec_name == spec_name,
            HumanTask.state == "ready",
        )
    )


def estimates(task: HumanTask) -> dict[str, str]:
    """Hours and line for every non-standard item, for the steps that estimate them; the new
    product's hours on L1 for standardisation (docs/PRODUCTS.md)."""
    from app.modules.orders import hooks as order_hooks
    from app.modules.orders.models import ProductionLine

    if task.spec_name == "standardise_item":
        line = db.session.scalar(db.select(ProductionLine).where(ProductionLine.code == "L1"))
        return {f"rate-{line.id}": "1.5"} if line is not None else {}
    if task.spec_name not in order_hooks.ESTIMATING_STEPS:
        return {}
    line = db.session.scalar(db.select(ProductionLine).where(ProductionLine.code == "L1"))
    if line is None:
        line = ProductionLine(code="L1", name="Line 1")
        db.session.add(line)
        db.session.commit()
    answers = {}
    for item in order_hooks.nonstandard_lines(order_subject.order_of(task)):
        answers[f"est-{item.id}-hours"] = "1.5"
        answers[f"est-{item.id}-line"] = str(line.id)
    return answers


@pytest.fixture
def estimates_for() -> Callable[[HumanTask], dict[str, str]]:
    """The per-line estimate answers a reviewing step needs."""
    return estimates


@pytest.fixture
def complete(make_user) -> Callable[..., HumanTask]:
    """Complete an order's open step as a member (or head) of its department, via the service."""
    from app.core.tasks import completion as tasks

    def do(order: Order, spec_name: str, answers: dict | None = None, user: User | None = None):
        task = open_task(order, spec_name)
        assert task is not None, f"{spec_name} is not open"
        if user is None:
            user = make_user(task.department.key, role="head" if task.role == "head" else "member")
        data = {**FORM_ANSWERS.get(spec_name, {}), **estimates(task), **(answers or {})}
        tasks.complete_task(task.id, user, MultiDict(data))
        db.session.commit()
        return task

    return do


def latest_version_id(process_id: str) -> int:
    """The id of a process's newest version."""
    return db.session.scalar(
        db.select(ProcessVersion.id)
        .where(ProcessVersion.process_id == process_id)
        .order_by(ProcessVersion.number.desc())
    )


REVIEW_STEPS = ("review_engineering", "review_production", "review_quality", "review_warehouse")


@pytest.fixture
def make_released_order(make_order, complete, make_user) -> Callable[[], Order]:
    """Factory: a non-standard order through review, the customer's link confirmation and the
    meeting, released to production."""
    from app.modules.confirmations.services import confirmations

    def make() -> Order:
        order = make_order(requested_date="2027-03-01", promised_date="2027-03-05")
        for step in ("confirm_order", "pmc_dispatch", *REVIEW_STEPS, "pmc_consolidate"):
            complete(order, step)
        db.session.refresh(order)
        complete(order, "send_confirmation", {"sent_via": "link"})
        token = confirmations.issue_link(order, make_user("sales"))
        confirmations.confirm_with_link(token, "Ann Smith", True, "198.51.100.4", "test")
        db.session.commit()
        meeting = {
            "meeting_date": "2027-01-05",
            "decisions": "Go",
            "attendees": ["sales", "pmc", "engineering", "quality"],
        }
        complete(order, "review_meeting", meeting)
        db.session.refresh(order)
        assert order.status == "released"
        return order

    return make


@pytest.fixture
def released_order(make_released_order) -> Order:
    """A non-standard order through review, the customer's link confirmation and the meeting."""
    return make_released_order()


PLAN_START = __import__("datetime").date(2027, 3, 1)  # a Monday with no holiday near it


class PlanWorld:
    """Released orders made directly in the database, for planning tests (no review walk)."""

    def __init__(self, make_user, monkeypatch):
        from decimal import Decimal

        from app.core import clock
        from app.modules.orders.models import Customer, ProductionLine

        monkeypatch.setattr(clock, "today", lambda: PLAN_START)
        self.start = PLAN_START
        self.make_user = make_user
        self.owner = make_user("sales")
        self.customer = Customer(name="ACME", contact="Ann", address="1 Road", tier="standard")
        self.lines = {
            "L1": ProductionLine(code="L1", name="Line 1", daily_hours=Decimal(8)),
            "L2": ProductionLine(code="L2", name="Line 2", daily_hours=Decimal(8)),
        }
        db.session.add_all([self.customer, *self.lines.values()])
        db.session.flush()
        self._products: dict = {}

    def product(self, rates: dict[str, str]):
        """A catalogue product with these hours per unit per line code."""
        from decimal import Decimal

        from app.modules.orders.models import Product, ProductLineRate

        key = tuple(sorted(rates.items()))
        if key not in self._products:
            product = Product(code=f"P-{len(self._products) + 1}", name="Part", unit="pcs")
            for code, hours in rates.items():
                product.rates.append(
                    ProductLineRate(line=self.lines[code], hours_per_unit=Decimal(hours))
                )
            db.session.add(product)
            self._products[key] = product
        return self._products[key]

    def order(self, number: str, quantity: int, promised, rates=None, status="released"):
        """An order of one catalogue line; `released_at` orders ties by creation."""
        from datetime import date as _date
        from decimal import Decimal

        from app.core.clock import utcnow
        from app.modules.orders.models import OrderLine

        order = Order(
            number=number,
            customer=self.customer,
            status=status,
            promised_date=_date.fromisoformat(promised) if promised else None,
            requested_date=_date.fromisoformat(promised) if promised else None,
            released_at=utcnow() if status == "released" else None,
            created_by_id=self.owner.id,
        )
        order.lines.append(
            OrderLine(
                position=1,
                product=self.product(rates or {"L1": "1"}),
                quantity=Decimal(quantity),
                unit_price=Decimal(10),
            )
        )
        db.session.add(order)
        db.session.commit()
        return order


@pytest.fixture
def plan_world(make_user, monkeypatch) -> PlanWorld:
    """Two 8-hour lines and a factory date of Monday 2027-03-01; add orders with .order()."""
    return PlanWorld(make_user, monkeypatch)

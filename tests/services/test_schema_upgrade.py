"""A database made at the first migration, with rows shaped for that schema, upgrades to head.

Runs on SQLite, and on PostgreSQL when DATABASE_URL names a server (a fresh database of its own).
The head is whatever the migrations folder ends at, so new migrations are covered as they land.
"""

import os
from decimal import Decimal

import pytest
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from app import create_app
from app.extensions import db
from tests.conftest import ROOT, _postgres_database

FIRST = "24c1f09167cd"
NOW = "2025-01-06 08:30:00"
ROWS = [
    ("department", dict(id=1, key="sales", name_en="Sales", name_zh="销售部", is_active=True,
                        created_at=NOW)),
    ("department", dict(id=2, key="pmc", name_en="PMC", name_zh="生产物料控制", is_active=True,
                        created_at=NOW)),
    ("user", dict(id=1, username="sales.head", display_name="Sales head", password_hash="x",
                  department_id=1, role="head", is_admin=False, is_process_owner=False,
                  active=True, must_change_password=False, locale="zh_CN", created_at=NOW)),
    ("customer", dict(id=1, name="华东精密", contact="王经理", address="上海", tier="key")),
    ("product", dict(id=1, code="P-1001", name="法兰 DN50", unit="pcs", standard_cost="38.5")),
    ("process_version", dict(id=1, process_id="order_review", name="Order review", number=1,
                             xml="<definitions/>", content_hash="a" * 64,
                             file_name="order_review.bpmn", created_at=NOW, created_by_id=1)),
    ("sales_order", dict(id=1, number="SO-2025-00001", customer_id=1, customer_po="PO-1",
                         order_type="regular", status="in_review", requested_date="2025-02-01",
                         currency="CNY", notes="首单", created_at=NOW, created_by_id=1)),
    ("order_line", dict(id=1, order_id=1, position=1, product_id=1, description="",
                        quantity="500", unit_price="45")),
    ("order_line", dict(id=2, order_id=1, position=2, product_id=None, description="定制支架",
                        quantity="20.5", unit_price="380")),
    ("process_instance", dict(id=1, process_version_id=1, order_id=1, status="running",
                              state=b"x\x9c\x03\x00\x00\x00\x00\x01", lock_version=3,
                              started_at=NOW, started_by_id=1)),
    ("human_task", dict(id=1, instance_id=1, order_id=1, task_id="t-1",
                        spec_name="review_engineering", name="Engineering review",
                        department_id=2, role=None, state="ready", created_at=NOW)),
    ("audit_event", dict(id=1, at=NOW, user_id=1, action="order.create", object_type="order",
                         object_id="1", order_id=1, instance_id=1, data='{"number": 1}')),
]  # fmt: skip


# Columns a later migration replaced, checked below where their values went.
MOVED = {table: {"order_id"} for table in ("process_instance", "human_task", "audit_event")}


@pytest.fixture
def old_database(tmp_path):
    """An app whose database stops at the first migration."""
    url = os.environ.get("DATABASE_URL", "")
    drop = None
    if url.startswith("postgresql"):
        url, drop = _postgres_database(url)
    else:
        url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    old = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    with old.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision=FIRST)
    yield old
    with old.app_context():
        db.session.remove()
        db.engine.dispose()
    if drop:
        drop()


def insert(table: str, row: dict) -> None:
    names = ", ".join(f'"{k}"' for k in row)
    marks = ", ".join(f":{k}" for k in row)
    db.session.execute(text(f'INSERT INTO "{table}" ({names}) VALUES ({marks})'), row)


def test_rows_of_the_first_schema_survive_every_migration(old_database):
    with old_database.app_context():
        for table, row in ROWS:
            insert(table, row)
        db.session.commit()
        before = {
            table: db.session.execute(text(f'SELECT * FROM "{table}" ORDER BY 1')).mappings().all()
            for table in {t for t, _ in ROWS}
        }
        db.session.rollback()  # PostgreSQL: an open read would block the migrations' DDL
        upgrade(directory=str(ROOT / "migrations"))
        head = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert head != FIRST
        for table, rows in before.items():
            after = db.session.execute(text(f'SELECT * FROM "{table}" ORDER BY 1')).mappings()
            after = after.all()
            assert len(after) == len(rows), table
            for old, new in zip(rows, after, strict=True):
                kept = {k: v for k, v in new.items() if k in old}
                gone = {k for k in old if k not in new}
                assert gone == MOVED.get(table, set()), table  # only columns that moved
                expected = {k: v for k, v in old.items() if k not in gone}
                assert kept == expected, table  # nothing of the old data changed
                # Every column added since must have a value where the model requires one.
                columns = {c["name"]: c for c in inspect(db.engine).get_columns(table)}
                for name, value in new.items():
                    if name not in old and not columns[name]["nullable"]:
                        assert value is not None, (table, name)
        order = db.session.execute(text("SELECT * FROM sales_order")).mappings().one()
        assert order["revision"] == 1 and order["promised_date"] is None
        line = db.session.execute(text("SELECT * FROM order_line WHERE id = 2")).mappings().one()
        assert line["structure_function"] == "" and line["prod_hours_per_unit"] is None
        task = db.session.execute(text("SELECT * FROM human_task")).mappings().one()
        assert task["name_zh"] is None and task["context"] is None
        # The core's rows name the order as their subject; the order got its inbox card.
        for table in ("process_instance", "human_task", "audit_event"):
            row = db.session.execute(text(f"SELECT * FROM {table}")).mappings().one()
            assert (row["subject_type"], row["subject_key"]) == ("order", 1), table
            assert "order_id" not in row, table
        card = db.session.execute(text("SELECT * FROM subject")).mappings().one()
        assert (card["type"], card["key"], card["reference"]) == ("order", 1, "SO-2025-00001")
        assert card["customer"] == "华东精密" and card["currency"] == "CNY"
        assert Decimal(str(card["amount"])) == Decimal("30290.00")  # 500 × 45 + 20.5 × 380

"""Migration d4a7e2c9b1f0 splits the one stored estimate per order line into engineering's and
production's, losing nothing; downgrading puts back the one the plan used.

Runs on SQLite, and on PostgreSQL when DATABASE_URL names a server (a fresh database of its own).
"""

import json
import os
from decimal import Decimal

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db
from tests.conftest import ROOT, _postgres_database

BEFORE, AFTER = "7f3b2c9d1e84", "d4a7e2c9b1f0"
NOW = "2026-11-02 08:30:00"
# (order id, its completed reviews as (step, decision), the line's stored hours and line)
ORDERS = [
    (1, [("review_engineering", "approve"), ("review_production", "approve")], "1.5", 1),
    (2, [("review_engineering", "approve")], "2.25", 2),
    (3, [("review_engineering", "approve"), ("review_production", "reject")], "0.4", 2),
    (4, [], "3", 1),  # estimated outside any review (e.g. seeded data)
    (5, [("review_production", "approve")], None, None),  # nothing estimated
]


@pytest.fixture
def old_app(tmp_path):
    """An app whose database stops just before the estimates were split."""
    url = os.environ.get("DATABASE_URL", "")
    drop = None
    if url.startswith("postgresql"):
        url, drop = _postgres_database(url)
    else:
        url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    old = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    with old.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision=BEFORE)
    yield old
    with old.app_context():
        db.session.remove()
        db.engine.dispose()
    if drop:
        drop()


def insert(table: str, **row) -> None:
    names = ", ".join(f'"{k}"' for k in row)
    marks = ", ".join(f":{k}" for k in row)
    db.session.execute(text(f'INSERT INTO "{table}" ({names}) VALUES ({marks})'), row)


def _old_rows() -> None:
    insert("customer", id=1, name="华东精密", contact="王经理", address="上海", tier="key")
    insert("production_line", id=1, code="L1", name="Line 1")
    insert("production_line", id=2, code="L2", name="Line 2")
    insert(
        "process_version",
        id=1,
        process_id="order_lifecycle",
        name="Order",
        number=1,
        xml="<x/>",
        content_hash="a" * 64,
        file_name="order_lifecycle.bpmn",
        created_at=NOW,
    )
    task_id = 0
    for order_id, reviews, hours, line_id in ORDERS:
        insert(
            "sales_order",
            id=order_id,
            number=f"SO-2026-0000{order_id}",
            customer_id=1,
            customer_po="",
            order_type="non_standard",
            status="in_review",
            currency="CNY",
            notes="",
            created_at=NOW,
        )
        insert(
            "order_line",
            id=order_id,
            order_id=order_id,
            position=1,
            description="支架",
            quantity="10",
            unit_price="2",
            est_hours_per_unit=hours,
            est_line_id=line_id,
        )
        insert(
            "process_instance",
            id=order_id,
            process_version_id=1,
            status="running",
            state=b"x",
            lock_version=1,
            started_at=NOW,
            kind="order_lifecycle",
            subject_type="order",
            subject_key=order_id,
        )
        for step, decision in reviews:
            task_id += 1
            # Production's answers of the old form carry the free-text estimate too.
            data = {"decision": decision, "hours_per_unit": 9.5, "suggested_line": "SMT-2"}
            insert(
                "human_task",
                id=task_id,
                instance_id=order_id,
                task_id=f"t-{task_id}",
                spec_name=step,
                name=step,
                state="completed",
                created_at=NOW,
                subject_type="order",
                subject_key=order_id,
                data=json.dumps(data),
            )
    # An open (not completed) production review does not count as production's estimate.
    insert("human_task", id=99, instance_id=2, task_id="t-99", spec_name="review_production",
           name="review_production", state="ready", created_at=NOW, subject_type="order",
           subject_key=2)  # fmt: skip


def _lines() -> dict[int, dict]:
    rows = db.session.execute(text("SELECT * FROM order_line ORDER BY id")).mappings().all()
    return {row["id"]: dict(row) for row in rows}


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).normalize()


def test_the_one_estimate_goes_to_the_department_that_gave_it(old_app):
    with old_app.app_context():
        _old_rows()
        db.session.commit()
        tasks_before = db.session.execute(text("SELECT id, data FROM human_task ORDER BY id")).all()
        db.session.rollback()  # PostgreSQL: an open read would block the migration's DDL
        upgrade(directory=str(ROOT / "migrations"), revision=AFTER)
        lines = _lines()
        assert "est_hours_per_unit" not in lines[1] and "est_line_id" not in lines[1]
        split = {
            i: (
                _dec(row["eng_hours_per_unit"]), row["eng_line_id"],
                _dec(row["prod_hours_per_unit"]), row["prod_line_id"],
            )
            for i, row in lines.items()
        }  # fmt: skip
        assert split == {
            1: (None, None, Decimal("1.5"), 1),  # production reviewed: its value overwrote
            2: (Decimal("2.25"), 2, None, None),  # only engineering reviewed
            3: (Decimal("0.4"), 2, None, None),  # production rejected: engineering's
            4: (None, None, Decimal("3"), 1),  # unknown origin: the plan's, as production's
            5: (None, None, None, None),
        }
        # The old free-text answers stay in the tasks' data, untouched.
        after = db.session.execute(text("SELECT id, data FROM human_task ORDER BY id")).all()
        assert after == tasks_before
        db.session.rollback()

        downgrade(directory=str(ROOT / "migrations"), revision=BEFORE)
        back = {i: (_dec(r["est_hours_per_unit"]), r["est_line_id"]) for i, r in _lines().items()}
        assert back == {
            1: (Decimal("1.5"), 1),
            2: (Decimal("2.25"), 2),
            3: (Decimal("0.4"), 2),
            4: (Decimal("3"), 1),
            5: (None, None),
        }
        db.session.rollback()


def test_downgrade_keeps_productions_when_both_departments_estimated(old_app):
    with old_app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision=AFTER)
        _old_rows_after = (
            "INSERT INTO customer (id, name, contact, address, tier) VALUES (1, 'C', '', '', 'key')"
        )
        db.session.execute(text(_old_rows_after))
        insert("production_line", id=1, code="L1", name="Line 1")
        insert("production_line", id=2, code="L2", name="Line 2")
        insert(
            "sales_order",
            id=1,
            number="SO-2026-00001",
            customer_id=1,
            customer_po="",
            order_type="non_standard",
            status="released",
            currency="CNY",
            notes="",
            created_at=NOW,
        )
        insert("order_line", id=1, order_id=1, position=1, description="支架", quantity="10",
               unit_price="2", eng_hours_per_unit="1.2", eng_line_id=2,
               prod_hours_per_unit="0.8", prod_line_id=1)  # fmt: skip
        db.session.commit()
        downgrade(directory=str(ROOT / "migrations"), revision=BEFORE)
        row = _lines()[1]
        assert (_dec(row["est_hours_per_unit"]), row["est_line_id"]) == (Decimal("0.8"), 1)
        db.session.rollback()
        upgrade(directory=str(ROOT / "migrations"), revision=AFTER)
        row = _lines()[1]  # no completed review: back as production's, the plan's value
        assert (_dec(row["prod_hours_per_unit"]), row["prod_line_id"]) == (Decimal("0.8"), 1)
        db.session.rollback()

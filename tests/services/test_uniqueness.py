"""Order numbers from the counter row, once-only form tokens and duplicates caught in a savepoint.

The races themselves run against PostgreSQL in test_races.py; these pin the behaviour each
piece has on its own, on both databases.
"""

import pytest
from flask_migrate import downgrade, upgrade

from app import create_app
from app.core.clock import utcnow
from app.core.submissions import uniqueness
from app.core.submissions.models import NumberCounter
from app.errors import AlreadySubmitted, InvalidInput
from app.extensions import db
from app.modules.orders.models import Customer
from tests.conftest import ROOT


def test_order_numbers_keep_their_format_and_come_from_the_year_counter(make_order):
    year = utcnow().year
    first, second = make_order(), make_order()
    assert (first.number, second.number) == (f"SO-{year}-00001", f"SO-{year}-00002")
    assert db.session.get(NumberCounter, f"order:{year}").value == 2


def test_a_missing_counter_is_seeded_from_the_stored_numbers_compared_as_numbers(make_order):
    year = utcnow().year
    order = make_order()
    order.number = f"SO-{year}-99999"
    make_order().number = f"SO-{year}-100000"  # past five digits: "1000…" < "9999…" as text
    db.session.execute(db.delete(NumberCounter))
    db.session.commit()
    assert make_order().number == f"SO-{year}-100001"


def test_a_save_rolled_back_gives_its_number_back(make_order):
    year = utcnow().year
    assert uniqueness.next_number(f"order:{year}", lambda: 0) == 1
    db.session.rollback()
    assert make_order().number == f"SO-{year}-00001"


def test_the_same_form_token_is_claimed_once_then_answers_with_what_it_created(make_user):
    ann, bob = make_user("sales"), make_user("sales")
    form_token = uniqueness.new_form_token()
    first = uniqueness.claim_submission(ann, form_token, "customer")
    uniqueness.bind_submission(first, 41)
    db.session.commit()
    with pytest.raises(AlreadySubmitted) as sent_twice:
        uniqueness.claim_submission(ann, form_token, "customer")
    assert (sent_twice.value.kind, sent_twice.value.target_id) == ("customer", 41)
    db.session.rollback()
    with pytest.raises(InvalidInput):  # someone else's form is never answered with its result
        uniqueness.claim_submission(bob, form_token, "customer")
    db.session.rollback()
    with pytest.raises(InvalidInput):
        uniqueness.claim_submission(ann, "short", "customer")
    assert uniqueness.claim_submission(ann, "", "customer") is None  # no form, no check


def test_a_duplicate_lost_to_the_database_becomes_the_field_message(make_user):
    db.session.add(Customer(name="ACME", contact="", address="", tier="standard"))
    db.session.commit()
    with pytest.raises(InvalidInput) as refused:
        with uniqueness.refuse_duplicate("name", "This customer already exists."):
            db.session.add(Customer(name="ACME", contact="", address="", tier="standard"))
    assert refused.value.errors == {"name": "This customer already exists."}
    # Only the savepoint was rolled back: the transaction goes on.
    db.session.add(Customer(name="Other", contact="", address="", tier="standard"))
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(Customer)) == 2


def test_the_migration_seeds_the_counters_from_the_orders_stored(tmp_path):
    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}",
            "START_WORKER": False,
        }
    )
    with other.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="5aa1d3abff58")
        db.session.execute(
            db.text(
                "INSERT INTO customer (id, name, contact, address, tier) "
                "VALUES (1, 'ACME', '', '', 'standard')"
            )
        )
        for number in ("SO-2025-00007", "SO-2025-00012", "SO-2026-00003", "LEGACY-1"):
            db.session.execute(
                db.text(
                    "INSERT INTO sales_order (number, customer_id, customer_po, order_type, "
                    "status, revision, currency, notes, created_at) VALUES (:n, 1, '', "
                    "'regular', 'in_review', 1, 'CNY', '', '2025-01-01 00:00:00')"
                ),
                {"n": number},
            )
        db.session.commit()
        upgrade(directory=str(ROOT / "migrations"), revision="c7e2a9d41b10")
        rows = db.session.execute(db.text("SELECT name, value FROM number_counter")).all()
        assert sorted(map(tuple, rows)) == [("order:2025", 12), ("order:2026", 3)]
        downgrade(directory=str(ROOT / "migrations"), revision="5aa1d3abff58")
        assert db.session.scalar(db.text("SELECT count(*) FROM sales_order")) == 4
        db.session.remove()
        db.engine.dispose()

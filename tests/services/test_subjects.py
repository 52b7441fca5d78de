"""Subjects: the core's rows name what they are about by type and key; the owning domain
describes it (the inbox card) and says which page shows it."""

from decimal import Decimal

import pytest

from app.core.audit.models import AuditEvent
from app.core.subjects import services as subjects
from app.core.subjects.models import Subject
from app.core.subjects.services import SubjectCard, SubjectRef
from app.core.tasks import inbox_query, listing
from app.core.tasks.models import HumanTask, ProcessInstance
from app.extensions import db
from app.modules.orders.services import orders
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.orders import LineInput, OrderInput
from tests.answers import SPECS


def card_of(order) -> Subject:
    return subjects.find(order_subject.ref(order))


def test_a_new_order_gets_its_card_and_every_row_names_it(make_order):
    order = make_order(promised_date="2027-03-01")
    card = card_of(order)
    assert (card.reference, card.customer, card.currency) == (order.number, "ACME", "CNY")
    assert card.amount == Decimal("25.00") and str(card.promised_on) == "2027-03-01"
    assert card.priority == ""  # PMC has not dispatched it yet
    rows = [
        *db.session.scalars(db.select(ProcessInstance)),
        *db.session.scalars(db.select(HumanTask)),
        *db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "order.create")),
    ]
    assert rows and {(r.subject_type, r.subject_key) for r in rows} == {("order", order.id)}
    assert order_subject.order_of(rows[0]) is order
    assert [i.id for i in order.instances] == [rows[0].id]


def test_pmc_priority_and_a_sales_revision_refresh_the_card(make_order, complete, make_user):
    order = make_order()
    complete(order, "confirm_order")
    complete(order, "pmc_dispatch", {"priority": "urgent", "priority_note": "Key customer"})
    assert card_of(order).priority == "urgent"
    # Sales revises the order while it has it (after a rejection, here at a fresh intake).
    second = make_order()
    data = OrderInput(
        customer_id=str(second.customer_id),
        order_type="new",
        promised_date="2027-05-05",
        lines=[
            LineInput(
                description="Custom bracket", quantity="40", unit_price="2.5", specs=dict(SPECS)
            )
        ],
    )
    orders.update_order(make_user("sales"), second.id, data, "customer asked for 40")
    db.session.commit()
    card = card_of(second)
    assert card.amount == Decimal("100.00") and str(card.promised_on) == "2027-05-05"


def test_inbox_search_reads_the_card_not_the_order(make_order, make_user):
    first, second = make_order(), make_order()
    head = make_user("sales", role="head")
    found = listing.list_page(head, inbox_query.parse({"q": second.number}), None, "en").rows
    assert [t.subject_key for t in found] == [second.id]
    assert found[0].subject.reference == second.number
    by_customer = listing.list_page(head, inbox_query.parse({"q": "acme"}), None, "en").rows
    assert {t.subject_key for t in by_customer} == {first.id, second.id}


def test_a_subject_type_nobody_registered_has_no_card_and_no_page(app):
    ghost = SubjectRef("invoice", 7)
    assert subjects.refresh(ghost) is None and subjects.find(ghost) is None
    with app.test_request_context():
        assert subjects.url("invoice", 7) is None
        assert subjects.url("order", 7) == "/orders/7"
        assert subjects.url(None, None) is None


def test_a_second_writer_of_the_same_card_reuses_the_row(app, monkeypatch):
    """Two processes started at once for one subject: the unique (type, key) picks one row."""
    monkeypatch.setitem(
        subjects._TYPES,
        "probe",
        subjects.SubjectType(lambda key: SubjectCard(f"P-{key}"), "orders.index", "page"),
    )
    ref = SubjectRef("probe", 1)
    db.session.add(Subject(type="probe", key=1, reference="old"))
    db.session.commit()
    # A writer that did not see the row (another transaction inserted it meanwhile) inserts,
    # meets the unique constraint in its savepoint, and then uses the existing row.
    real_find, misses = subjects.find, []

    def find_late(r):
        if not misses:
            misses.append(r)
            return None
        return real_find(r)

    monkeypatch.setattr(subjects, "find", find_late)
    row = subjects.refresh(ref)
    assert misses == [ref] and row.reference == "P-1"
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(Subject)) == 1


@pytest.mark.parametrize("missing", [None, SubjectRef("order", 10**9)])
def test_refreshing_nothing_or_a_deleted_order_writes_nothing(app, missing):
    assert subjects.refresh(missing) is None
    assert db.session.scalar(db.select(db.func.count()).select_from(Subject)) == 0


def test_an_unchanged_card_leaves_its_row_clean(make_order):
    """A refresh that finds the card as stored assigns nothing: the row is not dirty, so the
    next query's autoflush has nothing to look at (docs/PERFORMANCE.md, "round three")."""
    order = make_order()
    db.session.commit()
    row = subjects.refresh(order_subject.ref(order))
    assert row is not None and row.reference == order.number
    assert row not in db.session.dirty
    order.number += "-B"
    assert subjects.refresh(order_subject.ref(order)) in db.session.dirty

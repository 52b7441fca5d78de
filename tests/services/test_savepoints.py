"""A refused request undoes only its own work: services run under a savepoint and never roll the
whole session back, so what the caller did before in the same transaction (flushed or not)
survives the refusal and is committed with it."""

import pytest

from app.core.audit import services as audit
from app.core.audit.models import AuditEvent
from app.core.submissions import uniqueness
from app.core.submissions.models import FormSubmission
from app.errors import Conflict, InvalidInput, PermissionDenied
from app.extensions import db
from app.modules.changes.models import ChangeRequest
from app.modules.changes.services import changes
from app.modules.orders.models import Customer
from app.modules.rush.models import RushRequest
from app.modules.rush.services import rush
from tests.scenarios.test_change_requests import draft

FORM_TOKEN = "form-token-of-the-refused-request"


def count(model, *where) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


def earlier_work() -> None:
    """What the caller did first in the same transaction: one row flushed, one only added."""
    db.session.add(Customer(name="Flushed first", contact="", address="", tier="standard"))
    db.session.flush()
    db.session.add(Customer(name="Added, not flushed", contact="", address="", tier="standard"))


def assert_earlier_work_kept() -> None:
    db.session.commit()
    names = set(db.session.scalars(db.select(Customer.name)))
    assert {"Flushed first", "Added, not flushed"} <= names


def test_the_savepoint_undoes_only_the_block_and_keeps_a_denials_audit_row(make_user):
    earlier_work()
    with pytest.raises(InvalidInput):
        with uniqueness.savepoint():
            db.session.add(Customer(name="Refused", contact="", address="", tier="standard"))
            db.session.flush()
            raise InvalidInput("no")
    actor = make_user("sales")
    with pytest.raises(PermissionDenied):
        with uniqueness.savepoint():
            audit.record(actor, "denied.test", "test", None)
            raise PermissionDenied("no")
    assert_earlier_work_kept()
    assert count(Customer, Customer.name == "Refused") == 0
    assert count(AuditEvent, AuditEvent.action == "denied.test") == 1  # the web layer commits it


def test_in_savepoint_keeps_the_services_name_and_result():
    @uniqueness.in_savepoint
    def add_customer(name: str) -> Customer:
        """Add a customer."""
        customer = Customer(name=name, contact="", address="", tier="standard")
        db.session.add(customer)
        db.session.flush()
        return customer

    assert add_customer.__name__ == "add_customer" and add_customer.__doc__ == "Add a customer."
    assert add_customer("Kept").id is not None
    db.session.commit()
    assert count(Customer, Customer.name == "Kept") == 1


def test_a_refused_change_request_leaves_the_callers_work(released_order, make_user):
    sales = make_user("sales")
    earlier_work()
    with pytest.raises(InvalidInput):  # refused after its form token was claimed
        changes.raise_change(
            sales, released_order.id, draft(released_order), "x", "", "", FORM_TOKEN
        )
    assert_earlier_work_kept()
    assert count(FormSubmission) == 0 and count(ChangeRequest) == 0


def test_a_change_request_lost_to_the_open_index_leaves_the_callers_work(
    released_order, make_user, monkeypatch
):
    sales = make_user("sales")
    data = draft(released_order, quantity="11")
    first = changes.raise_change(sales, released_order.id, data, "customer_request", "first", "")
    db.session.commit()
    # The second one passes the friendly check, as it does when two arrive at once, and loses
    # to the database's one-open-change index.
    monkeypatch.setattr(changes, "_ensure_none_open", lambda order: None)
    earlier_work()
    with pytest.raises(Conflict):
        changes.raise_change(
            sales, released_order.id, data, "customer_request", "second", "", FORM_TOKEN
        )
    assert_earlier_work_kept()
    assert list(db.session.scalars(db.select(ChangeRequest.id))) == [first.id]
    assert count(FormSubmission) == 0


def test_a_denied_change_request_keeps_its_audit_row_and_the_callers_work(
    released_order, make_user
):
    earlier_work()
    with pytest.raises(PermissionDenied):
        changes.raise_change(
            make_user(None), released_order.id, draft(released_order), "x", "y", "", FORM_TOKEN
        )
    assert_earlier_work_kept()
    assert count(AuditEvent, AuditEvent.action == "denied.change_request") == 1


def test_a_refused_rush_request_leaves_the_callers_work(plan_world, make_user):
    order = plan_world.order("SO-A", 8, "2027-03-31")
    sales = make_user("sales")
    earlier_work()
    with pytest.raises(InvalidInput):  # the plan moved since the preview: refused after claiming
        rush.request_rush(sales, order.id, "2027-03-05", "", "Urgent", "", "stale", FORM_TOKEN)
    assert_earlier_work_kept()
    assert count(FormSubmission) == 0 and count(RushRequest) == 0


def test_a_rush_request_lost_to_the_open_index_leaves_the_callers_work(
    plan_world, make_user, monkeypatch
):
    order = plan_world.order("SO-A", 8, "2027-03-31")
    sales = make_user("sales")
    shown = rush.preview_request(sales, order.id, "2027-03-05", "")
    first = rush.request_rush(sales, order.id, "2027-03-05", "", "First", "", shown.preview_key)
    db.session.commit()
    monkeypatch.setattr(rush, "_ensure_none_open", lambda order: None)
    earlier_work()
    with pytest.raises(Conflict):
        rush.request_rush(
            sales, order.id, "2027-03-05", "", "Second", "", shown.preview_key, FORM_TOKEN
        )
    assert_earlier_work_kept()
    assert list(db.session.scalars(db.select(RushRequest.id))) == [first.id]
    assert count(FormSubmission) == 0

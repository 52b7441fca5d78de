"""Customer complaints (客户投诉) without a return: recorded against the order and the customer,
counted in the customer's history, quality and the order's owner told."""

import pytest

from app.core.notifications.models import Notification
from app.errors import AlreadySubmitted, InvalidInput, PermissionDenied
from app.extensions import db
from app.modules.returns.models import Complaint
from app.modules.returns.services import complaints, reading
from tests.returns_helpers import ask, delivered_order


def test_complaint_counts_in_the_customers_history(make_order, make_user):
    first = delivered_order(make_order, make_user)
    second = delivered_order(make_order, make_user)
    owner_id = first.created_by_id
    inspector = make_user("quality")
    sales = make_user("sales")
    assert reading.customer_history(first.customer_id) == reading.CustomerHistory(0, 0)
    complaints.record_complaint(sales, first.id, "delivery", "Two cartons arrived wet")
    complaints.record_complaint(sales, second.id, "service", "No reply for a week")
    ask(second, sales, {second.lines[0].id: "1"})
    db.session.commit()
    assert reading.customer_history(first.customer_id) == reading.CustomerHistory(1, 2)
    assert [c.description for c in reading.complaints_of(first.id)] == ["Two cartons arrived wet"]
    assert [c.order_id for c in reading.list_complaints(first.customer_id).rows] == [
        second.id,
        first.id,
    ]

    def told(user_id: int) -> int:
        return db.session.scalar(
            db.select(db.func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.kind == "complaint_recorded"
            )
        )

    assert (told(inspector.id), told(owner_id), told(sales.id)) == (2, 1, 0)


def test_bad_complaints_are_refused_and_nothing_is_stored(make_order, make_user):
    order = delivered_order(make_order, make_user)
    sales = make_user("sales")
    with pytest.raises(InvalidInput) as exc:
        complaints.record_complaint(sales, order.id, "weather", "")
    assert set(exc.value.errors) == {"category", "description"}
    with pytest.raises(InvalidInput) as exc:
        complaints.record_complaint(sales, order.id, "quality", "x" * 5000)
    assert "4,000" in exc.value.errors["description"]
    in_review = make_order()
    with pytest.raises(InvalidInput) as exc:
        complaints.record_complaint(sales, in_review.id, "quality", "Bad")
    assert "__form__" in exc.value.errors
    with pytest.raises(PermissionDenied):
        complaints.record_complaint(make_user("quality"), order.id, "quality", "Bad")
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Complaint.id))) == 0


def test_complaint_sent_twice_is_recorded_once(make_order, make_user):
    order = delivered_order(make_order, make_user)
    sales = make_user("sales")
    complaints.record_complaint(sales, order.id, "quality", "Burrs", "b" * 32)
    db.session.commit()
    with pytest.raises(AlreadySubmitted):
        complaints.record_complaint(sales, order.id, "quality", "Burrs", "b" * 32)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Complaint.id))) == 1

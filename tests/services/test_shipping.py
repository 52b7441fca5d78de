"""Shipments and delivery (issue 12): partial shipments of what is made, with hand-checked
quantities; refusals (more than made, more than ordered, no line, bad fields) in both
languages; double submits; receipts; the order's statuses and the owner's notices."""

from datetime import timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import FileStorage

from app.core import clock
from app.core.audit.models import AuditEvent
from app.core.notifications.models import Notification
from app.core.submissions.uniqueness import new_form_token
from app.errors import AlreadySubmitted, Conflict, InvalidInput, PermissionDenied
from app.extensions import db
from app.modules.orders.models import IN_PLAN_STATUSES, ORDER_STATUSES, RELEASED_STATUSES
from app.modules.shipping.models import Shipment
from app.modules.shipping.services import reading, shipping
from tests.shipping_helpers import png_file, two_line_order


@pytest.fixture
def keeper(make_user):
    return make_user("warehouse")


def ship(user, order, quantities, token="", carrier="顺丰 SF Express", day=None):
    typed = {order.lines[i].id: str(q) for i, q in enumerate(quantities) if q is not None}
    day = day or clock.today().isoformat()
    row = shipping.record_shipment(user, order.id, typed, carrier, "SF123", day, "", token)
    db.session.commit()
    return row


def receive(user, shipment, signer="王建国", day=None, token=""):
    stream, name = png_file()
    upload = FileStorage(stream, filename=name, content_type="image/png")
    day = day or clock.today().isoformat()
    row = shipping.record_receipt(user, shipment.id, upload, signer, day, token)
    db.session.commit()
    return row


def totals(order):
    return [(t.shipped, t.delivered, t.shippable) for t in reading.line_totals(order)]


def test_statuses_are_declared_after_production_and_outside_the_plan():
    for status in ("partly_shipped", "shipped", "delivered"):
        assert status in ORDER_STATUSES and status in RELEASED_STATUSES
        assert status not in IN_PLAN_STATUSES and len(status) <= 20


def test_partial_shipments_of_what_is_made(make_order, keeper):
    # 100 + 40 ordered; production made 60 and 40: the order is complete on line 2 only,
    # so it is still in production.
    order = two_line_order(make_order, "in_production", made=("60", "40"))
    first = ship(keeper, order, ["25", "40"])
    assert (first.sequence, first.number) == (1, f"{order.number}-D1")
    # Shipped 25 of 60 made -> 35 may still ship; line 2 is out in full.
    assert totals(order) == [(25, 0, 35), (40, 0, 0)]
    assert order.status == "in_production"  # production goes on; the status stays its own
    second = ship(keeper, order, ["35", None])
    assert second.sequence == 2
    assert totals(order) == [(60, 0, 0), (40, 0, 0)]
    # Production completes the last 40 of line 1: now shipping decides the status.
    order.lines[0].quantity_done = Decimal(100)
    order.status = "production_complete"
    db.session.commit()
    assert shipping.follow_shipments(order) == "partly_shipped"
    ship(keeper, order, ["40", None])
    assert totals(order) == [(100, 0, 0), (40, 0, 0)]
    assert order.status == "shipped"


def test_refuses_more_than_made_and_more_than_ordered(make_order, keeper):
    order = two_line_order(make_order, "production_complete", made=("100", "40"))
    ship(keeper, order, ["90", None])
    line1, line2 = order.lines
    with force_locale("en"), pytest.raises(InvalidInput) as more_than_ordered:
        ship(keeper, order, ["11", "41"])  # 90 + 11 > 100; 41 > 40
    errors = more_than_ordered.value.errors
    assert "(10 of 100)" in errors[f"qty_{line1.id}"] and "(40 of 40)" in errors[f"qty_{line2.id}"]
    db.session.rollback()
    order2 = two_line_order(make_order, "in_production", made=("30", "0"))
    with force_locale("en"), pytest.raises(InvalidInput) as more_than_made:
        ship(keeper, order2, ["31", "1"])
    errors = more_than_made.value.errors
    assert "made and not yet shipped (30)" in errors[f"qty_{order2.lines[0].id}"]
    assert "made and not yet shipped (0)" in errors[f"qty_{order2.lines[1].id}"]
    with pytest.raises(InvalidInput) as in_chinese:
        ship(keeper, order2, ["31", None])
    assert "已生产且未发货的数量（30）" in in_chinese.value.errors[f"qty_{order2.lines[0].id}"]
    db.session.rollback()
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Shipment.id))) == 1  # nothing else stored


def test_refusals_in_chinese_and_bad_fields(make_order, keeper):
    order = two_line_order(make_order, "production_complete", made=("100", "40"))
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    with force_locale("zh_Hans_CN"), pytest.raises(InvalidInput) as refused:
        shipping.record_shipment(
            keeper, order.id, {order.lines[0].id: "1.0001"}, "", "x" * 61, tomorrow, ""
        )
    errors = refused.value.errors
    assert set(errors) == {f"qty_{order.lines[0].id}", "carrier", "tracking_number", "ship_date"}
    assert "小数" in errors[f"qty_{order.lines[0].id}"]
    assert "承运" in errors["carrier"] and "今天" in errors["ship_date"]
    db.session.rollback()
    with pytest.raises(InvalidInput) as nothing:
        shipping.record_shipment(keeper, order.id, {order.lines[0].id: "0"}, "SF", "", "x", "")
    assert set(nothing.value.errors) == {"lines", "ship_date"}
    db.session.rollback()
    with force_locale("en"), pytest.raises(InvalidInput) as empty:
        ship(keeper, order, [None, "0"])
    assert "at least one line" in empty.value.errors["lines"]
    db.session.rollback()
    with force_locale("en"), pytest.raises(InvalidInput) as words:
        ship(keeper, order, ["-1", "abc"])
    assert all("between 0 and" in m for m in words.value.errors.values())


def test_only_the_warehouse_ships_and_only_released_orders(make_order, make_user, keeper):
    order = two_line_order(make_order, "production_complete", made=("100", "40"))
    with pytest.raises(PermissionDenied):
        ship(make_user("sales"), order, ["1", None])
    db.session.commit()
    denied = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "denied.shipment"))
    assert denied is not None
    reviewed = two_line_order(make_order, "in_review", made=("100", "40"))
    with pytest.raises(Conflict):
        ship(keeper, reviewed, ["1", None])


def test_double_submit_answers_with_the_first_shipment(make_order, keeper):
    order = two_line_order(make_order, "production_complete", made=("100", "40"))
    token = new_form_token()
    first = ship(keeper, order, ["10", None], token=token)
    with pytest.raises(AlreadySubmitted) as again:
        ship(keeper, order, ["10", None], token=token)
    assert again.value.target_id == first.id
    db.session.rollback()
    assert totals(order)[0] == (10, 0, 90)


def test_receipts_deliver_the_order_and_tell_its_owner(make_order, keeper, make_user):
    order = two_line_order(make_order, "production_complete", made=("100", "40"))
    one = ship(keeper, order, ["60", "40"])
    assert order.status == "partly_shipped"
    two = ship(keeper, order, ["40", None])
    assert order.status == "shipped"
    receive(keeper, one)
    assert totals(order) == [(100, 60, 0), (40, 40, 0)]
    assert order.status == "shipped"  # line 1 is delivered 60 of 100
    sales = make_user("sales")
    token = new_form_token()
    receive(sales, two, token=token)
    assert totals(order) == [(100, 100, 0), (40, 40, 0)]
    assert order.status == "delivered"
    assert two.receipt_attachment.kind == "signed_delivery_note"
    with pytest.raises(AlreadySubmitted):
        receive(sales, two, token=token)
    db.session.rollback()
    with pytest.raises(Conflict):
        receive(sales, two)
    db.session.rollback()
    kinds = db.session.scalars(
        db.select(Notification.kind)
        .where(
            Notification.user_id == order.created_by_id,
            Notification.kind.in_(["order_shipped", "order_delivered"]),
        )
        .order_by(Notification.id)
    ).all()
    assert kinds == ["order_shipped", "order_shipped", "order_delivered"]


def test_receipt_refusals(make_order, keeper, make_user):
    order = two_line_order(make_order, "production_complete", made=("100", "40"))
    shipment = ship(keeper, order, ["1", None])
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    with force_locale("zh_Hans_CN"), pytest.raises(InvalidInput) as refused:
        shipping.record_receipt(keeper, shipment.id, None, "王", yesterday)
    assert set(refused.value.errors) == {"receipt_signer", "received_on", "receipt_file"}
    db.session.rollback()
    with pytest.raises(PermissionDenied):
        receive(make_user("production"), shipment)
    db.session.rollback()
    assert not db.session.get(Shipment, shipment.id).is_received

"""Return requests (退货): quantity limits, the approval route at the amount boundary, and the
refund, exchange and rejection outcomes (docs/RETURNS.md)."""

from decimal import Decimal

import pytest
from flask_babel import force_locale

from app.core.notifications.models import Notification
from app.errors import AlreadySubmitted, Conflict, InvalidInput, PermissionDenied
from app.extensions import db
from app.modules.orders.models import Order
from app.modules.returns.models import Refund, ReturnRequest
from app.modules.returns.services import requests
from tests.returns_helpers import ACCEPT, APPROVE, act, ask, delivered_order, open_step


def test_quantity_limited_to_what_was_delivered_less_returned(make_order, make_user):
    with force_locale("en"):
        _quantity_limits(make_order, make_user)


def _quantity_limits(make_order, make_user):
    order = delivered_order(make_order, make_user)
    sales = make_user("sales")
    line = order.lines[0]
    with pytest.raises(InvalidInput) as exc:
        ask(order, sales, {line.id: "10.001"})
    assert "At most 10 of line 1" in exc.value.errors[f"qty-{line.id}"]
    first = ask(order, sales, {line.id: "6"})
    with pytest.raises(InvalidInput) as exc:
        ask(order, sales, {line.id: "5"})
    assert (
        "At most 4 of line 1 may come back (10 delivered, 6 already returned)"
        in (exc.value.errors[f"qty-{line.id}"])
    )
    # A rejected return gave nothing back: its quantity may be asked for again.
    act(first, make_user, {"decision": "reject", "reason": "No defect found"})
    assert first.status == "rejected"
    again = ask(order, sales, {line.id: "10"})
    assert again.lines[0].quantity == Decimal("10")


def test_only_what_the_customer_signed_for_may_come_back(make_order, make_user):
    order = make_order()
    order.status = "delivered"  # without any received shipment: nothing was signed for
    db.session.commit()
    line = order.lines[0]
    with force_locale("en"), pytest.raises(InvalidInput) as exc:
        ask(order, make_user("sales"), {line.id: "1"})
    assert (
        "At most 0 of line 1 may come back (0 delivered, 0 already returned)"
        in (exc.value.errors[f"qty-{line.id}"])
    )


def test_bad_input_is_refused_with_every_message_and_nothing_stored(make_order, make_user):
    order = delivered_order(make_order, make_user)
    line = order.lines[0]
    with pytest.raises(InvalidInput) as exc:
        requests.request_return(make_user("sales"), order.id, {line.id: ""}, "bogus", "", "swap")
    errors = exc.value.errors
    assert set(errors) == {"lines", "reason_category", "reason", "requested_outcome"}
    with pytest.raises(InvalidInput) as exc:
        ask(order, make_user("sales"), {line.id: "-1"}, reason="x" * 5000)
    assert f"qty-{line.id}" in exc.value.errors and "reason" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        ask(order, make_user("sales"), {line.id: "abc"})
    assert f"qty-{line.id}" in exc.value.errors
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(ReturnRequest.id))) == 0
    assert db.session.get(Order, order.id).has_returns is False


def test_only_a_delivered_order_and_only_sales(make_order, make_user):
    order = make_order()  # still in review
    with pytest.raises(Conflict):
        ask(order, make_user("sales"), {order.lines[0].id: "1"})
    db.session.rollback()
    delivered = delivered_order(make_order, make_user)
    with pytest.raises(PermissionDenied):
        ask(delivered, make_user("quality"), {delivered.lines[0].id: "1"})


def test_double_submit_answers_with_the_first_request(make_order, make_user):
    order = delivered_order(make_order, make_user)
    sales = make_user("sales")
    token = "a" * 32
    first = ask(order, sales, {order.lines[0].id: "2"}, form_token=token)
    with pytest.raises(AlreadySubmitted) as exc:
        ask(order, sales, {order.lines[0].id: "2"}, form_token=token)
    assert exc.value.target_id == first.id
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(ReturnRequest.id))) == 1


def test_request_flags_the_order_and_tells_quality(make_order, make_user):
    order = delivered_order(make_order, make_user)
    inspector = make_user("quality")
    request = ask(order, make_user("sales"), {order.lines[0].id: "3"})
    assert db.session.get(Order, order.id).has_returns is True
    assert request.amount == Decimal("7.5")
    step = open_step(request)
    assert (step.spec_name, step.department.key) == ("return_inspection", "quality")
    kinds = db.session.scalars(
        db.select(Notification.kind).where(Notification.user_id == inspector.id)
    ).all()
    assert kinds == ["task_arrived"]  # the core tells the inspectors of their new task


@pytest.mark.parametrize(
    ("quantity", "gm_needed"), [("4000", False), ("4000.004", True)], ids=["10000", "10000.01"]
)
def test_general_manager_approves_only_above_the_amount(make_order, make_user, quantity, gm_needed):
    order = delivered_order(make_order, make_user, quantity="5000", price="2.5")
    request = ask(order, make_user("sales"), {order.lines[0].id: quantity}, outcome="refund")
    assert request.amount == Decimal(quantity) * Decimal("2.5")
    act(request, make_user, ACCEPT)
    step = act(request, make_user, APPROVE)
    assert (step.spec_name, step.department.key, step.role) == (
        "return_approval_sales",
        "sales",
        "head",
    )
    following = open_step(request)
    if gm_needed:
        assert (following.spec_name, following.department.key) == (
            "return_approval_gm",
            "management",
        )
        assert request.status == "open"
    else:
        assert following.spec_name == "refund_payment"
        assert request.status == "refund_due"


@pytest.mark.parametrize(
    ("rate", "quantity", "gm_needed"),
    [("7.1", "600", True), ("7.1", "560", False), (None, "4", True)],
    ids=["USD1500=CNY10650", "USD1400=CNY9940", "no-rate"],
)
def test_the_amount_is_compared_in_cny(
    make_order, make_user, app, monkeypatch, rate, quantity, gm_needed
):
    """The limit is CNY 10,000: USD 1,500 at 7.1 is over it; a currency without a rate asks
    the general manager rather than guessing."""
    order = delivered_order(make_order, make_user, quantity="1000", price="2.5", currency="USD")
    order.exchange_rate = Decimal(rate) if rate else None
    monkeypatch.setitem(app.config, "EXCHANGE_RATES", {})  # no configured rate to fall back on
    request = ask(order, make_user("sales"), {order.lines[0].id: quantity}, outcome="refund")
    data = requests.start_data(request)
    expected = float(Decimal(quantity) * Decimal("2.5") * Decimal(rate)) if rate else None
    assert (data["currency"], data["amount_cny"]) == ("USD", expected)
    act(request, make_user, ACCEPT)
    act(request, make_user, APPROVE)
    assert open_step(request).spec_name == ("return_approval_gm" if gm_needed else "refund_payment")


def test_refund_is_due_then_confirmed_paid_by_finance(make_order, make_user):
    order = delivered_order(make_order, make_user)
    raiser = make_user("sales")
    request = ask(order, raiser, {order.lines[0].id: "4"}, outcome="refund")
    act(request, make_user, ACCEPT)
    act(request, make_user, APPROVE)
    refund = db.session.scalar(db.select(Refund).where(Refund.return_id == request.id))
    assert (refund.status, refund.amount, refund.currency) == ("due", Decimal("10"), "CNY")
    step = open_step(request)
    assert (step.spec_name, step.department.key) == ("refund_payment", "finance")
    cashier = make_user("finance")
    act(request, make_user, {"paid": "on", "payment_reference": "BANK-7781"}, user=cashier)
    db.session.refresh(refund)
    assert (refund.status, refund.paid_reference, refund.confirmed_by_id) == (
        "paid",
        "BANK-7781",
        cashier.id,
    )
    assert request.status == "refunded" and open_step(request) is None
    told = db.session.scalars(
        db.select(Notification.params)
        .where(Notification.user_id == raiser.id, Notification.kind == "return_decided")
        .order_by(Notification.id)
    ).all()
    assert [('"status": "refund_due"' in p, '"status": "refunded"' in p) for p in told] == [
        (True, False),
        (False, True),
    ]


def test_exchange_enters_a_linked_replacement_order_in_review(make_order, make_user):
    order = delivered_order(make_order, make_user)
    raiser = make_user("sales")
    request = ask(order, raiser, {order.lines[0].id: "3"}, outcome="exchange")
    act(request, make_user, ACCEPT)
    act(request, make_user, APPROVE)
    assert request.status == "exchanged"
    replacement = request.replacement_order
    assert replacement is not None and replacement.id != order.id
    assert replacement.status == "in_review"
    assert replacement.customer_id == order.customer_id
    assert [(line.description, line.quantity, line.unit_price) for line in replacement.lines] == [
        ("Custom bracket", Decimal("3"), Decimal("0"))
    ]
    assert replacement.lines[0].quality_requirements == order.lines[0].quality_requirements
    assert order.number in replacement.notes
    assert replacement.created_by_id == raiser.id
    # It entered the order lifecycle the way sales' entry does: sales confirms it first.
    from tests.conftest import open_task

    assert open_task(replacement, "confirm_order") is not None


def test_rejection_at_inspection_sends_the_findings_to_sales(make_order, make_user):
    order = delivered_order(make_order, make_user)
    raiser = make_user("sales")
    request = ask(order, raiser, {order.lines[0].id: "1"})
    with pytest.raises(InvalidInput):  # rejecting needs findings (the form's rule)
        act(request, make_user, {"decision": "reject"})
    db.session.rollback()
    act(request, make_user, {"decision": "reject", "reason": "Damage caused by misuse"})
    assert (request.status, request.decision_reason) == ("rejected", "Damage caused by misuse")
    assert open_step(request) is None
    note = db.session.scalar(
        db.select(Notification).where(
            Notification.user_id == raiser.id, Notification.kind == "return_decided"
        )
    )
    assert '"status": "rejected"' in note.params


def test_a_closed_order_still_takes_a_return_of_what_was_delivered(make_order, make_user):
    order = delivered_order(make_order, make_user)
    order.status = "closed"  # close-out's end state (finance closed it after delivery)
    db.session.commit()
    request = ask(order, make_user("sales"), {order.lines[0].id: "10"}, outcome="refund")
    assert (request.status, request.lines[0].quantity) == ("open", Decimal("10"))
    with pytest.raises(InvalidInput):
        ask(order, make_user("sales"), {order.lines[0].id: "0.001"})

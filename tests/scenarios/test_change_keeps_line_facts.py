"""An approved change keeps what it did not change: estimates, the standard product, the plan."""

import json

from app.core.audit.models import AuditEvent
from app.core.notifications.models import Notification
from app.core.tasks.models import HumanTask
from app.extensions import db
from app.modules.changes.models import ChangeRequest
from app.modules.changes.services import changes
from app.modules.confirmations.services import confirmations
from app.modules.orders.models import Order, ProductionLine
from app.modules.orders.services.order_input import LineInput, OrderInput
from app.modules.schedule.services import plan
from tests.answers import SPECS

STANDARDISE = {
    "make_standard": "on",
    "code": "BR-9",
    "name": "Bracket BR-9",
    "standard_cost": "2.1",
}


def draft(order: Order, quantity: str, extra_lines=()) -> OrderInput:
    """The order as it is, with the first line's quantity changed (and lines added)."""
    line = order.lines[0]
    return OrderInput(
        customer_id=str(order.customer_id),
        customer_po=order.customer_po,
        order_type=order.order_type,
        requested_date=order.requested_date.isoformat(),
        promised_date=order.promised_date.isoformat(),
        currency=order.currency,
        notes=order.notes,
        lines=[
            LineInput(
                description=line.description,
                quantity=quantity,
                unit_price=f"{line.unit_price:f}",
                specs={k: getattr(line, k) for k in SPECS},
            ),
            *extra_lines,
        ],
    )


def approve(change: ChangeRequest, complete, order: Order) -> None:
    """Every review and approval of the change says yes."""
    for _ in range(10):
        step = db.session.scalar(
            db.select(HumanTask.spec_name).where(
                HumanTask.instance_id == change.instance_id,
                HumanTask.state == "ready",
                HumanTask.spec_name != "send_confirmation",
            )
        )
        if step is None:
            return
        complete(order, step)
    raise AssertionError("the change never got through its approvals")


def standardised(released_order, complete) -> Order:
    complete(released_order, "standardise_item", STANDARDISE)
    db.session.expire_all()
    order = db.session.get(Order, released_order.id)
    line = order.lines[0]
    assert line.prod_hours_per_unit is not None and line.prod_line_id is not None
    assert line.standard_product_id is not None
    return order


def test_quantity_change_keeps_estimates_standard_product_and_plan(
    released_order, complete, make_user
):
    order = standardised(released_order, complete)
    before = order.lines[0]
    kept = (before.id, before.prod_hours_per_unit, before.prod_line_id, before.standard_product_id)
    assert plan.planned(order) is not None
    sales = make_user("sales")
    change = changes.raise_change(
        sales, order.id, draft(order, "12"), "customer_request", "Two more", ""
    )
    db.session.commit()
    approve(change, complete, order)
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert db.session.get(ChangeRequest, change.id).status == "applied"
    token = confirmations.issue_link(order, sales)
    confirmations.confirm_with_link(token, "Ann Smith", True, None, "test")
    db.session.commit()
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.status == "released" and order.revision == 2
    line = order.lines[0]
    assert line.quantity == 12
    assert (line.id, line.prod_hours_per_unit, line.prod_line_id, line.standard_product_id) == kept
    assert plan.planned(order) is not None
    assert order.id not in {u.order.id for u in plan.current().unplanned}
    unplannable = db.select(Notification).where(Notification.kind == "order_unplannable")
    assert db.session.scalars(unplannable).all() == []


def test_change_that_leaves_the_order_unplannable_tells_pmc_and_the_owner(
    released_order, complete, make_user
):
    order = standardised(released_order, complete)
    pmc = make_user("pmc")
    new_item = LineInput(description="Unestimated part", quantity="5", unit_price="1", specs=SPECS)
    change = changes.raise_change(
        make_user("sales"),
        order.id,
        draft(order, "10", [new_item]),
        "customer_request",
        "One more item",
        "",
    )
    db.session.commit()
    approve(change, complete, order)
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert db.session.get(ChangeRequest, change.id).status == "applied"
    assert order.lines[0].planned_estimate is not None  # the unchanged line kept its own
    assert order.lines[1].planned_estimate is None
    notes = db.session.scalars(
        db.select(Notification).where(Notification.kind == "order_unplannable")
    ).all()
    recipients = {n.user_id for n in notes}
    assert pmc.id in recipients and order.created_by_id in recipients
    params = json.loads(notes[0].params)
    assert params["number"] == order.number and params["change"] == change.id
    audit = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "change.unplannable")
    )
    assert (audit.subject_type, audit.subject_key) == ("order", order.id) and "2" in json.loads(
        audit.data
    )["problem"]
    assert db.session.scalar(db.select(ProductionLine).where(ProductionLine.code == "L1"))

"""The close-out process (workflows/order_closeout.bpmn, docs/CLOSEOUT.md): started when an
order is delivered, costed by finance, approved by the finance head (and the general manager
when the margin is below the threshold of closeout_rules.dmn), then the order is closed."""

from __future__ import annotations

from app.core import clock
from app.core.audit import services as audit
from app.core.notifications import services as notifications
from app.core.tasks import instances
from app.core.tasks.models import ProcessInstance
from app.core.users.models import User
from app.extensions import db
from app.modules.closeout.models import Closeout, CloseoutLine
from app.modules.closeout.services import history
from app.modules.closeout.services.costing import Figures
from app.modules.closeout.services.money import CNY
from app.modules.orders.models import Order
from app.modules.orders.services import subject as order_subject

KIND = "closeout"
PROCESS_ID = "order_closeout"
DELIVERED = "delivered"
CLOSED = "closed"
COSTING_STEP = "closeout_costing"
APPROVAL_STEPS = ("closeout_approval_finance", "closeout_approval_gm")
FINANCE, MANAGEMENT = "finance", "management"


def closeout_of(order_id: int) -> Closeout | None:
    """The order's close-out, if it has one."""
    return db.session.scalar(db.select(Closeout).where(Closeout.order_id == order_id))


def start_data(order: Order) -> dict:
    """What the process starts with."""
    return {
        "order_id": order.id,
        "order": {"id": order.id, "number": order.number, "customer": order.customer.name},
    }


def start_for(order: Order, actor: User | None = None) -> Closeout | None:
    """Start the close-out of a delivered order unless it has one; returns the new close-out.
    The one entry point: the delivery listener and the start-missing command both call it."""
    if order.status != DELIVERED or closeout_of(order.id) is not None:
        return None
    closeout = Closeout(
        order_id=order.id,
        currency=order.currency,
        exchange_rate=order.exchange_rate if order.currency != CNY else 1,
    )
    db.session.add(closeout)
    db.session.flush()
    instance = instances.start_process(
        PROCESS_ID, actor, kind=KIND, subject=order_subject.ref(order), data=start_data(order)
    )
    closeout.instance_id = instance.id
    audit.record(
        actor,
        "closeout.start",
        "order_closeout",
        closeout.id,
        subject=order_subject.ref(order),
        data={"order": order.number},
    )
    notifications.notify_users(
        notifications.department_member_ids(FINANCE),
        order_subject.ref(order),
        "closeout_due",
        {"number": order.number, "customer": order.customer.name},
    )
    return closeout


def on_delivered(order: Order, actor: User | None = None) -> None:
    """Listener of the orders' "delivered" event (app/modules/orders/events.py)."""
    start_for(order, actor)


def on_any_outcome(instance: ProcessInstance, data: dict) -> None:
    """Outcome listener: whichever process step left the order delivered (the fulfilment
    process hearing `delivered`, a model setting `order_status`), its close-out starts."""
    if instance.kind == KIND or instance.subject_type != order_subject.ORDER:
        return
    order = order_subject.order_of(instance)
    if order is not None and order.status == DELIVERED:
        start_for(order, None)


def record_costing(closeout: Closeout, figures: Figures, actor: User) -> None:
    """Store finance's figures (replacing those of an earlier round sent back for rework)."""
    closeout.lines.clear()
    db.session.flush()
    for item in figures.lines:
        source = item.order_line
        closeout.lines.append(
            CloseoutLine(
                order_line_id=source.id,
                position=source.position,
                product_id=source.product_id or source.standard_product_id,
                line_id=item.line.id,
                quantity=source.quantity,
                revenue=item.revenue,
                planned_cost=item.planned_cost,
                material_cost=item.material,
                labour_hours=item.labour_hours,
                labour_rate=item.rate.labour_rate,
                labour_cost=item.labour_cost,
                machine_hours=item.machine_hours,
                machine_rate=item.rate.machine_rate,
                machine_cost=item.machine_cost,
                other_cost=item.other,
                actual_cost=item.actual_cost,
            )
        )
    closeout.exchange_rate = figures.exchange_rate
    closeout.revenue = figures.revenue
    closeout.planned_cost = figures.planned_cost
    closeout.actual_cost = figures.actual_cost
    closeout.margin = figures.margin
    closeout.margin_pct = figures.margin_pct
    closeout.status = "costed"
    closeout.costed_at = clock.utcnow()
    closeout.costed_by_id = actor.id
    db.session.flush()
    audit.record(
        actor,
        "closeout.costing",
        "order_closeout",
        closeout.id,
        subject=order_subject.ref(closeout.order_id),
        data={
            "revenue": str(figures.revenue),
            "actual_cost": str(figures.actual_cost),
            "margin_pct": str(figures.margin_pct),
        },
    )


def on_outcome(instance: ProcessInstance, data: dict, actor: User | None) -> None:
    """After every step of a close-out: remember the approval route, and close the order's
    close-out once the process says so (feeding the products' cost history)."""
    closeout = db.session.scalar(db.select(Closeout).where(Closeout.instance_id == instance.id))
    if closeout is None or not isinstance(data, dict):
        return
    if isinstance(data.get("needs_gm"), bool):
        closeout.needs_gm = data["needs_gm"]
    if data.get("closeout_outcome") == CLOSED and closeout.status != CLOSED:
        close(closeout, actor)


def close(closeout: Closeout, actor: User | None) -> None:
    """The approvals are given: the close-out is closed and feeds the cost history."""
    now = clock.utcnow()
    closeout.status = CLOSED
    closeout.closed_at = now
    for item in closeout.lines:
        item.closed_at = now
    history.feed(closeout)
    order = closeout.order
    audit.record(
        actor,
        "closeout.closed",
        "order_closeout",
        closeout.id,
        subject=order_subject.ref(order),
        data={"margin_pct": str(closeout.margin_pct)},
    )
    members = notifications.department_member_ids(FINANCE)
    members += notifications.department_member_ids(MANAGEMENT)
    notifications.notify_users(
        members,
        order_subject.ref(order),
        "order_closed",
        {
            "number": order.number,
            "customer": order.customer.name,
            "margin_pct": str(closeout.margin_pct) if closeout.margin_pct is not None else "",
        },
    )


def on_cancel(instance: ProcessInstance, admin: User, reason: str) -> None:
    """An admin cancelled the close-out process: the close-out is cancelled (the order stays
    delivered; start-missing does not restart it, an admin starts it again by hand)."""
    closeout = db.session.scalar(db.select(Closeout).where(Closeout.instance_id == instance.id))
    if closeout is not None and closeout.status != CLOSED:
        closeout.status = "cancelled"
        audit.record(
            admin, "closeout.cancel", "order_closeout", closeout.id, data={"reason": reason}
        )


def orders_without_closeout(limit: int) -> list[Order]:
    """Delivered orders with no close-out, oldest first."""
    started = db.select(Closeout.order_id)
    return list(
        db.session.scalars(
            db.select(Order)
            .where(Order.status == DELIVERED, Order.id.not_in(started))
            .order_by(Order.id)
            .limit(limit)
        )
    )


def start_missing(actor: User | None, batch: int = 100) -> list[Order]:
    """Start the close-out of up to `batch` delivered orders that have none (idempotent: run
    again until it returns nothing)."""
    return [o for o in orders_without_closeout(batch) if start_for(o, actor) is not None]

"""The fulfilment process (workflows/order_fulfilment.bpmn, docs/FULFILMENT.md): started when
an order is released, told when production is complete, and started by a command for orders
released before it existed."""

from __future__ import annotations

from app.core.tasks import instances
from app.core.tasks.models import ProcessInstance
from app.core.users.models import User
from app.extensions import db
from app.modules.orders.models import IN_PLAN_STATUSES, Order
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.orders import ORDER_LIFECYCLE

KIND = "fulfilment"
PROCESS_ID = "order_fulfilment"
PRODUCTION_COMPLETE = "production_complete"  # the message the progress pages send


def fulfilment_of(order_id: int) -> ProcessInstance | None:
    """The order's fulfilment instance (the newest, if an admin restarted it)."""
    return db.session.scalar(
        db.select(ProcessInstance)
        .where(
            order_subject.about_order(ProcessInstance, order_id),
            ProcessInstance.kind == KIND,
        )
        .order_by(ProcessInstance.id.desc())
        .limit(1)
    )


def start_data(order: Order) -> dict:
    """What the process starts with (its messages correlate on `order_id`)."""
    return {
        "order_id": order.id,
        "order": {"id": order.id, "number": order.number, "customer": order.customer.name},
    }


def start_for(order: Order, actor: User | None) -> ProcessInstance | None:
    """Start the order's fulfilment unless it has one already; returns the new instance."""
    if fulfilment_of(order.id) is not None:
        return None
    return instances.start_process(
        PROCESS_ID, actor, kind=KIND, subject=order_subject.ref(order), data=start_data(order)
    )


def on_release(instance: ProcessInstance, data: dict) -> None:
    """Outcome listener: the order's lifecycle released it, so its fulfilment starts."""
    if instance.kind != ORDER_LIFECYCLE or not isinstance(data, dict):
        return
    if data.get("order_status") != "released":
        return
    order = order_subject.order_of(instance)
    if order is not None and order.status in IN_PLAN_STATUSES:
        start_for(order, None)


def orders_without_fulfilment(limit: int) -> list[Order]:
    """Released orders (or in production) that have no fulfilment instance, oldest first."""
    started = db.select(ProcessInstance.subject_key).where(
        ProcessInstance.kind == KIND, ProcessInstance.subject_type == order_subject.ORDER
    )
    return list(
        db.session.scalars(
            db.select(Order)
            .where(Order.status.in_(IN_PLAN_STATUSES), Order.id.not_in(started))
            .order_by(Order.id)
            .limit(limit)
        )
    )


def start_missing(actor: User | None, batch: int = 100) -> list[Order]:
    """Start the fulfilment of up to `batch` orders released before the process existed; run
    again until it returns nothing. Idempotent: an order that has one is never started twice."""
    started = []
    for order in orders_without_fulfilment(batch):
        if start_for(order, actor) is not None:
            started.append(order)
    return started


def tell_production_complete(order: Order) -> bool:
    """Send the process the `production_complete` message; False if nothing waits for it (an
    order whose fulfilment was not started yet: the command starts it, or a correction)."""
    return order_subject.tell(order, PRODUCTION_COMPLETE)

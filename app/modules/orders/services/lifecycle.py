"""The order follows its processes: status from the engine's data, errors and cancels of its own
lifecycle, and the notices that go with them (registered in app/modules/orders/hooks.py)."""

from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import gettext as _

from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.notifications import services as notifications
from app.core.tasks import instance_admin
from app.core.tasks.models import HumanTask, ProcessInstance
from app.core.users.models import Department, User
from app.extensions import db
from app.modules.orders import events
from app.modules.orders.models import ORDER_STATUSES, Order
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.orders import ORDER_LIFECYCLE


def lifecycle_of(order: Order) -> ProcessInstance | None:
    """The instance that carries the order itself (its lifecycle), newest if it was restarted."""
    return db.session.scalar(
        db.select(ProcessInstance)
        .where(
            order_subject.about_order(ProcessInstance, order.id),
            ProcessInstance.kind == ORDER_LIFECYCLE,
        )
        .order_by(ProcessInstance.id.desc())
        .limit(1)
    )


def follow_status(instance: ProcessInstance, data: dict) -> None:
    """A model sets `order_status` in its data (script tasks); the instance's order follows it."""
    status = data.get("order_status") if isinstance(data, dict) else None
    order = order_subject.order_of(instance)
    if order is None or status not in ORDER_STATUSES or order.status == status:
        return
    order.status = status
    if status == "confirmed":
        capture_exchange_rate(order)
    if status == "released":
        # Only the first release is news: an order released again after a change request's
        # re-confirmation tells nobody a second time.
        first = order.released_at is None
        order.released_at = utcnow()
        if first:
            notify_release(order, data)
        events.released(order)


def capture_exchange_rate(order: Order) -> None:
    """Record the order's exchange rate when the customer confirms it (CNY per unit of its
    currency): 1 for CNY, else the app config's `EXCHANGE_RATES` (e.g. {"USD": "7.1"}); a
    currency with no configured rate stays empty and finance enters it at close-out."""
    if order.exchange_rate is not None:
        return
    if order.currency == "CNY":
        order.exchange_rate = Decimal(1)
        return
    rate = configured_rate(order.currency)
    if rate is not None:
        order.exchange_rate = rate.quantize(Decimal("0.000001"))


def configured_rate(currency: str) -> Decimal | None:
    """Today's rate for `currency` (CNY per unit) from the app config's `EXCHANGE_RATES`, or
    None when it has none or a value that is not a positive number."""
    configured = current_app.config.get("EXCHANGE_RATES", {}).get(currency)
    try:
        rate = Decimal(str(configured)) if configured is not None else None
    except InvalidOperation:
        return None
    return rate if rate is not None and rate.is_finite() and rate > 0 else None


def stop_order(instance: ProcessInstance) -> None:
    """The order's own process stopped with an error: so does the order, until an admin acts."""
    order = order_subject.order_of(instance)
    if order is not None:
        order.status = "error"


def key_requirements(order: Order) -> list[dict]:
    """The short list every department must know when an order is released: facts (line
    position and the text typed), which the notice says in its reader's language."""
    items = []
    for line in order.lines:
        if line.product_id is None:
            for text in (line.description, line.quality_requirements, line.packaging_requirements):
                if text:
                    items.append({"line": line.position, "text": text})
    return items[:12]


def release_recipients(order: Order, data: dict | None = None) -> list[int]:
    """Who hears of a release: the active members of the departments concerned (each that held
    a task about the order, and any the review meeting named as attending) and its owner."""
    departments = set(
        db.session.scalars(
            db.select(HumanTask.department_id)
            .where(
                order_subject.about_order(HumanTask, order.id),
                HumanTask.department_id.is_not(None),
            )
            .distinct()
        )
    )
    attendees = (data or {}).get("attendees") if isinstance(data, dict) else None
    if isinstance(attendees, list):
        keys = [key for key in attendees if isinstance(key, str)]
        if keys:
            departments |= set(
                db.session.scalars(db.select(Department.id).where(Department.key.in_(keys)))
            )
    members = db.session.scalars(
        db.select(User.id)
        .where(User.active.is_(True), User.department_id.in_(departments))
        .order_by(User.id)
    )
    return [*members, order.created_by_id]


def notify_release(order: Order, data: dict | None = None) -> int:
    """Tell the departments concerned and the order's owner, once, that the order is released."""
    params = {
        "number": order.number,
        "customer": order.customer.name,
        "requested_date": order.requested_date.isoformat() if order.requested_date else None,
        "requirements": key_requirements(order),
    }
    return notifications.notify_users(
        release_recipients(order, data), order_subject.ref(order), "order_released", params
    )


def notify_cancelled(user_id: int | None, order: Order, what: str, ref: int, reason: str) -> int:
    """Tell whoever asked for it that an admin cancelled an order, a change or a rush request.

    `what` is "order", "change", "rush" or "return"; `ref` the request's id (the order's for
    "order").
    """
    params = {"number": order.number, "what": what, "ref": ref, "reason": reason}
    return notifications.notify_users(
        [user_id], order_subject.ref(order), "process_cancelled", params
    )


def end_with_lifecycle(instance, actor: User, reason: str) -> None:
    """An admin cancelled the order's own process: the order is cancelled with it."""
    order = order_subject.order_of(instance)
    if order is None or order.status == "cancelled":
        return
    order.status = "cancelled"
    events.cancelled(order)
    audit.record(
        actor,
        "order.cancelled",
        "order",
        order.id,
        subject=order_subject.ref(order),
        instance_id=instance.id,
        data={"reason": reason},
    )
    notify_cancelled(order.created_by_id, order, "order", order.id, reason)
    # A cancelled order keeps no open change or rush: their processes end too, each closing
    # its own request and telling its requester through its kind's handler.
    others = db.session.scalars(
        db.select(ProcessInstance.id).where(
            order_subject.about_order(ProcessInstance, order.id),
            ProcessInstance.id != instance.id,
            ProcessInstance.status.in_(("running", "error")),
        )
    ).all()
    for other_id in others:
        instance_admin.cancel_instance(
            other_id,
            actor,
            _("Order %(number)s was cancelled: %(reason)s", number=order.number, reason=reason),
        )

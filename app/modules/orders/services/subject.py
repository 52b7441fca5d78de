"""The order as a subject of the workflow core: its reference, its card and the way back.

The core's instances, tasks, notifications and audit rows name an order as the subject
("order", order id); this module is the one place that turns one into the other.
"""

import json
from functools import cache

from flask_babel import gettext as _

from app.core.subjects import services as subjects
from app.core.subjects.services import SubjectCard, SubjectRef
from app.core.tasks.models import HumanTask
from app.extensions import db
from app.modules.orders.models import Order

ORDER = "order"
DISPATCH_FORM = "pmc_dispatch"  # PMC sets the order's priority when it dispatches the review


def ref(order: Order | int) -> SubjectRef:
    """The subject reference of an order (or of an order id)."""
    return SubjectRef(ORDER, order if isinstance(order, int) else order.id)


HELD = 8  # orders kept per session (see order_of)


@cache
def _with_customer_and_lines() -> tuple:
    # The inbox card every completion refreshes reads both. Built once per process: the
    # options cost more CPU to compose than the lookup in the identity map that usually
    # follows (docs/PERFORMANCE.md).
    return (db.joinedload(Order.customer), db.joinedload(Order.lines))


def order_of(row) -> Order | None:
    """The order an instance, a task, a notification or an audit row is about, if any.

    The session's identity map holds rows weakly, so each of the listeners one engine step
    calls (lifecycle, shipping, close-out, the inbox card) read the order again: three SELECTs
    a completion. The last few orders asked for are held for the rest of the session, so one
    step reads its order once (docs/PERFORMANCE.md), with its customer and lines (one query).
    """
    if row is None or row.subject_type != ORDER or row.subject_key is None:
        return None
    order = db.session.get(Order, row.subject_key, options=_with_customer_and_lines())
    if order is not None:
        held = db.session.info.setdefault("orders_held", {})
        held.pop(order.id, None)
        held[order.id] = order
        if len(held) > HELD:
            del held[next(iter(held))]
    return order


def about(column_owner):
    """A where-clause: the core rows (instances, tasks, ...) whose subject is an order."""
    return column_owner.subject_type == ORDER


def about_order(column_owner, order_id: int):
    """A where-clause: the core rows (instances, tasks, ...) about this order."""
    return db.and_(column_owner.subject_type == ORDER, column_owner.subject_key == order_id)


def dispatch_task(order_id: int) -> HumanTask | None:
    """PMC's latest completed dispatch of the order's review (priority, deadline, notes)."""
    return db.session.scalar(
        db.select(HumanTask)
        .where(
            about_order(HumanTask, order_id),
            HumanTask.form_name == DISPATCH_FORM,
            HumanTask.state == "completed",
        )
        .order_by(HumanTask.id.desc())
        .limit(1)
    )


@cache
def _dispatch_data():
    # Only the submitted data, in a statement built once per process: the card is refreshed on
    # every completion, and a whole task row loaded for one column cost more CPU than the
    # query (docs/PERFORMANCE.md).
    return (
        db.select(HumanTask.data)
        .where(
            HumanTask.subject_type == ORDER,
            HumanTask.subject_key == db.bindparam("order"),
            HumanTask.form_name == DISPATCH_FORM,
            HumanTask.state == "completed",
        )
        .order_by(HumanTask.id.desc())
        .limit(1)
    )


def card(order_id: int) -> SubjectCard | None:
    """What an inbox shows of the order: number, customer, value, promised date, PMC priority."""
    order = db.session.get(Order, order_id)
    if order is None:
        return None
    dispatched = db.session.scalar(_dispatch_data(), {"order": order.id})
    priority = ""
    if dispatched:
        try:
            priority = str(json.loads(dispatched).get("priority") or "")
        except (ValueError, AttributeError):
            priority = ""
    return SubjectCard(
        reference=order.number,
        customer=order.customer.name if order.customer else "",
        amount=order.total,
        currency=order.currency,
        promised_on=order.promised_date,
        priority=priority,
    )


def refresh(order: Order) -> None:
    """Copy the order's card to the core after an edit outside a task (revision, change)."""
    subjects.refresh(ref(order))


def register() -> None:
    """Declare the order subject type to the core."""
    subjects.register_type(ORDER, card, "orders.detail", "order_id")


def tell(order: Order, message: str) -> bool:
    """Send the order's process `message`, correlated on the order id; False when no process of
    the order waits for it (the caller's rows stand; a command or the next event catches up)."""
    from app.core.tasks import instances
    from app.errors import Conflict

    try:
        instances.deliver_message(
            ref(order),
            message,
            {"order_id": order.id},
            {"order_id": order.id},
            _("Order %(n)s has no process waiting for this.", n=order.number),
        )
    except Conflict:
        return False
    return True

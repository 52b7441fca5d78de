"""Asking for a return (退货申请): the lines and quantities, the reason, photos, the outcome wanted.

A return is taken against a delivered (or closed) order. How much of a line may come back is
what the customer signed for on it (the received shipments, app/modules/shipping) less what
earlier returns (not rejected or cancelled) already took back.
"""

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import limits
from app.core.audit import services as audit
from app.core.submissions import uniqueness
from app.core.tasks import instances
from app.core.users import permissions
from app.core.users.models import User
from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.modules.orders.models import Order, OrderLine
from app.modules.orders.services import attachments, lifecycle, orders
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.access import deny_order
from app.modules.returns.models import ReturnLine, ReturnPhoto, ReturnRequest
from app.modules.shipping.services import reading as shipping_reading

PROCESS = "order_return"
KIND = "return"
# Orders whose goods the customer has: delivered, and closed after delivery (close-out).
RETURNABLE_STATUSES = ("delivered", "closed")
REASONS = {
    "defective": _l("Defective or damaged"),
    "wrong_item": _l("Wrong item or wrong specification"),
    "quantity": _l("Wrong quantity delivered"),
    "late": _l("Delivered too late"),
    "not_needed": _l("No longer needed by the customer"),
    "other": _l("Other"),
}
OUTCOMES = {"refund": _l("Refund"), "exchange": _l("Exchange")}
# Statuses of a return whose goods count as taken back (a rejected one gave nothing back).
TAKING_STATUSES = ("open", "refund_due", "refunded", "exchanged")
PHOTO_TYPES = (".png", ".jpg", ".jpeg", ".pdf")


@dataclass(frozen=True)
class ReturnableLine:
    """One order line as the return form offers it."""

    line: OrderLine
    delivered: Decimal  # what the customer signed for (received shipments)
    returned: Decimal  # already taken back by earlier returns
    available: Decimal  # what may still come back


def may_request(actor: User, order: Order) -> bool:
    """Whether `actor` may ask for a return on `order` now (the order page offers it then)."""
    return order.status in RETURNABLE_STATUSES and permissions.may_handle_orders(actor)


def returned_quantities(order_id: int) -> dict[int, Decimal]:
    """Per order line id, how much earlier returns (not rejected or cancelled) take back."""
    rows = db.session.execute(
        db.select(ReturnLine.order_line_id, db.func.sum(ReturnLine.quantity))
        .join(ReturnRequest)
        .where(ReturnRequest.order_id == order_id, ReturnRequest.status.in_(TAKING_STATUSES))
        .group_by(ReturnLine.order_line_id)
        .order_by(ReturnLine.order_line_id)
    )
    return {line_id: Decimal(total or 0) for line_id, total in rows}


def returnable_lines(order: Order) -> list[ReturnableLine]:
    """The order's lines with what may still come back of each."""
    taken = returned_quantities(order.id)
    result = []
    for item in shipping_reading.line_totals(order):
        returned = taken.get(item.line.id, Decimal(0))
        available = max(item.delivered - returned, Decimal(0))
        result.append(ReturnableLine(item.line, item.delivered, returned, available))
    return result


def _check_lines(order: Order, quantities: dict[int, str], errors: dict) -> list[tuple]:
    """(order line, quantity) for every line with a quantity, each within what may come back."""
    chosen = []
    for item in returnable_lines(order):
        text = (quantities.get(item.line.id) or "").strip()
        if not text:
            continue
        key = f"qty-{item.line.id}"
        value = limits.parse_number(text, "quantity", errors, key)
        if value is None:
            continue
        if value > item.available:
            errors[key] = _(
                "At most %(n)s of line %(pos)s may come back (%(q)s delivered, %(r)s already "
                "returned).",
                n=f"{item.available.normalize():f}",
                pos=item.line.position,
                q=f"{item.delivered.normalize():f}",
                r=f"{item.returned.normalize():f}",
            )
            continue
        chosen.append((item.line, value))
    unknown = set(quantities) - {line.id for line in order.lines}
    if unknown:
        errors["lines"] = _("A line of this form is not a line of the order; reload the page.")
    elif not chosen and not any(k.startswith("qty-") for k in errors):
        errors["lines"] = _("Give the quantity that comes back of at least one line.")
    return chosen


@uniqueness.in_savepoint
def request_return(
    actor: User,
    order_id: int,
    quantities: dict[int, str],
    reason_category: str,
    reason: str,
    requested_outcome: str,
    files=(),
    form_token: str = "",
) -> ReturnRequest:
    """Record a return request against a delivered order and start its process.

    `quantities`: order line id -> quantity as typed (blank: that line does not come back).
    A second submit of the same form answers with the first request (AlreadySubmitted).
    """
    order = db.session.scalar(db.select(Order).where(Order.id == order_id).with_for_update())
    if order is None:
        raise NotFound(_("This order does not exist."))
    if not permissions.may_handle_orders(actor):
        raise deny_order(actor, order, "return_request")
    submission = uniqueness.claim_submission(actor, form_token, "return_request")
    if order.status not in RETURNABLE_STATUSES:
        raise Conflict(_("Only a delivered order takes a return request."))
    errors: dict[str, str] = {}
    chosen = _check_lines(order, quantities, errors)
    if reason_category not in REASONS:
        errors["reason_category"] = _("Choose the kind of reason.")
    reason = limits.check_text(reason, "notes", errors, "reason")
    if not reason and "reason" not in errors:
        errors["reason"] = _("Say what is wrong with the goods.")
    if requested_outcome not in OUTCOMES:
        errors["requested_outcome"] = _("Choose refund or exchange.")
    uploads = _check_photos(files, errors)
    if errors:
        raise InvalidInput(errors=errors)
    amount = sum((line.unit_price * qty for line, qty in chosen), Decimal(0))
    request = ReturnRequest(
        order=order,
        customer_id=order.customer_id,
        reason_category=reason_category,
        reason=reason,
        requested_outcome=requested_outcome,
        amount=amount,
        currency=order.currency,
        raised_by_id=actor.id,
        lines=[ReturnLine(order_line=line, quantity=qty) for line, qty in chosen],
    )
    db.session.add(request)
    order.has_returns = True
    db.session.flush()
    uniqueness.bind_submission(submission, request.id)
    for upload in uploads:
        stored = attachments.store(order, upload, actor, kind="return_photo")
        request.photos.append(ReturnPhoto(attachment=stored))
    audit.record(
        actor,
        "return.request",
        "return_request",
        request.id,
        subject=order_subject.ref(order),
        data={
            "outcome": requested_outcome,
            "lines": {line.position: f"{qty.normalize():f}" for line, qty in chosen},
        },
    )
    instance = instances.start_process(
        PROCESS,
        actor,
        kind=KIND,
        subject=order_subject.ref(order),
        data={**orders.order_reference(order), "return_request": start_data(request)},
    )
    request.instance_id = instance.id
    # Quality hears of it as of any new task in its inbox (task_arrived, from the core).
    return request


def start_data(request: ReturnRequest) -> dict:
    """What order_return.bpmn reads (docs/RETURNS.md): the value in CNY decides the approval
    level, so a USD return is not held to a limit meant in yuan. `amount_cny` is None when the
    order's currency has no known rate; the decision table then asks the general manager."""
    rate = cny_rate(request.order)
    return {
        "id": request.id,
        "amount": float(request.amount),
        "currency": request.currency,
        "amount_cny": float(request.amount * rate) if rate is not None else None,
        "requested_outcome": request.requested_outcome,
    }


def cny_rate(order: Order) -> Decimal | None:
    """CNY per unit of the order's currency: 1 for CNY, else the rate captured when the customer
    confirmed the order, else today's configured rate (app config EXCHANGE_RATES), else None."""
    if order.currency == "CNY":
        return Decimal(1)
    if order.exchange_rate is not None:
        return order.exchange_rate
    return lifecycle.configured_rate(order.currency)


def _check_photos(files, errors: dict) -> list:
    """Photos go through the order attachments' checks and limits (size, count, type)."""
    files = [f for f in files if f and f.filename]
    if len(files) > attachments.MAX_FILES:
        errors["photos"] = _("Attach at most %(n)s files at once.", n=attachments.MAX_FILES)
        return []
    checked = [attachments.check_upload(f, errors, "photos", PHOTO_TYPES) for f in files]
    return [u for u in checked if u is not None]


def get_return(return_id: int) -> ReturnRequest:
    """One return request, or NotFound."""
    request = db.session.get(ReturnRequest, return_id)
    if request is None:
        raise NotFound(_("This return request does not exist."))
    return request


def for_instance(instance_id: int | None) -> ReturnRequest | None:
    """The return request a process instance decides, if any."""
    if instance_id is None:
        return None
    return db.session.scalar(
        db.select(ReturnRequest).where(ReturnRequest.instance_id == instance_id)
    )

"""What a decided return does (order_return.bpmn sets `return_outcome`): a refund record that
finance confirms as paid, a replacement order that enters the lifecycle at review, or a
rejection whose reason reaches sales."""

from flask_babel import gettext as _

from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.notifications import services as notifications
from app.core.tasks.models import ProcessInstance
from app.core.users.models import User
from app.errors import InvalidInput
from app.extensions import db
from app.modules.orders.models import SPEC_FIELDS, Order
from app.modules.orders.services import lifecycle, orders
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.order_input import LineInput, OrderInput, check_order
from app.modules.returns.models import Refund, ReturnRequest
from app.modules.returns.services.requests import for_instance

# The steps that may reject a return; each form says why under "reason" (the findings at
# the inspection).
REJECTING_STEPS = ("return_inspection", "return_approval_sales", "return_approval_gm")
INSPECTION_STEP = "return_inspection"
APPROVAL_STEPS = ("return_approval_sales", "return_approval_gm")
REFUND_STEP = "refund_payment"


def on_outcome(instance: ProcessInstance, data: dict, actor: User | None = None) -> None:
    """Apply what the process decided, once (every engine step calls this)."""
    outcome = data.get("return_outcome") if isinstance(data, dict) else None
    request = for_instance(instance.id)
    if request is None:
        return
    if outcome == "rejected" and request.status == "open":
        _reject(request, data)
    elif outcome == "refund_due" and request.status == "open":
        _open_refund(request)
    elif outcome == "refunded" and request.status == "refund_due":
        _refund_paid(request, data, actor)
    elif outcome == "exchange" and request.status == "open":
        _exchange(request, actor)


def _reject(request: ReturnRequest, data: dict) -> None:
    """The return is refused: why goes to whoever asked and the order's owner in sales."""
    reason = ""
    for step in REJECTING_STEPS:
        answer = data.get(step)
        if isinstance(answer, dict) and answer.get("decision") == "reject":
            reason = str(answer.get("reason") or "")
    request.status, request.decided_at, request.decision_reason = "rejected", utcnow(), reason
    audit.record(
        None,
        "return.rejected",
        "return_request",
        request.id,
        subject=order_subject.ref(request.order_id),
        data={"reason": reason},
    )
    _tell_sales(request)


def _open_refund(request: ReturnRequest) -> None:
    """Approved as a refund: the money is owed; finance pays it and confirms (refund_payment)."""
    request.status, request.decided_at = "refund_due", utcnow()
    db.session.add(Refund(request=request, amount=request.amount, currency=request.currency))
    db.session.flush()
    audit.record(
        None,
        "return.refund_due",
        "return_request",
        request.id,
        subject=order_subject.ref(request.order_id),
        data={"amount": f"{request.amount.normalize():f}", "currency": request.currency},
    )
    _tell_sales(request)


def _refund_paid(request: ReturnRequest, data: dict, actor: User | None) -> None:
    """Finance confirmed the refund as paid, with its payment reference."""
    answer = data.get(REFUND_STEP) if isinstance(data.get(REFUND_STEP), dict) else {}
    refund = request.refund
    refund.status, refund.paid_at = "paid", utcnow()
    refund.paid_reference = str(answer.get("payment_reference") or "")
    refund.confirmed_by_id = actor.id if actor else None
    request.status = "refunded"
    audit.record(
        actor,
        "return.refunded",
        "return_request",
        request.id,
        subject=order_subject.ref(request.order_id),
        data={"reference": refund.paid_reference},
    )
    _tell_sales(request)


def _exchange(request: ReturnRequest, actor: User | None) -> None:
    """Approved as an exchange: a replacement order for the returned goods (free of charge)
    enters the order lifecycle at review, the way sales' entry form enters an order."""
    order = request.order
    lines = []
    for item in request.lines:
        line = item.order_line
        lines.append(
            LineInput(
                product_id=str(line.product_id or ""),
                description=line.description,
                quantity=f"{item.quantity.normalize():f}",
                unit_price="0",
                specs={} if line.product_id else {k: getattr(line, k) for k in SPEC_FIELDS},
            )
        )
    note = _(
        "Replacement for order %(number)s (return #%(id)s)", number=order.number, id=request.id
    )
    checked, errors = check_order(
        OrderInput(
            customer_id=str(order.customer_id),
            customer_po=order.customer_po,
            order_type=order.order_type,
            currency=order.currency,
            notes=note,
            lines=lines,
        )
    )
    if errors:
        raise InvalidInput(errors=errors)
    owner = db.session.get(User, request.raised_by_id) if request.raised_by_id else None
    replacement = orders.enter_order(
        owner or actor, checked, audit_data={"replaces": order.number, "return": request.id}
    )
    request.status, request.decided_at = "exchanged", utcnow()
    request.replacement_order = replacement
    replacement.has_returns = False
    audit.record(
        actor,
        "return.exchanged",
        "return_request",
        request.id,
        subject=order_subject.ref(order),
        data={"replacement": replacement.number},
    )
    _tell_sales(request)


def _tell_sales(request: ReturnRequest) -> None:
    """Whoever asked for the return and the order's owner hear how it went."""
    order: Order = request.order
    notifications.notify_users(
        [request.raised_by_id, order.created_by_id],
        order_subject.ref(order),
        "return_decided",
        {
            "number": order.number,
            "return": request.id,
            "status": request.status,
            "replacement": request.replacement_order.number if request.replacement_order else "",
        },
    )


def on_cancelled(instance: ProcessInstance, actor: User, reason: str) -> None:
    """An admin cancelled the return's process: an undecided return is cancelled (its goods
    no longer count as taken back); one already decided keeps its outcome."""
    request = for_instance(instance.id)
    if request is None:
        return
    if request.status == "open":
        request.status, request.decided_at = "cancelled", utcnow()
    audit.record(
        actor,
        "return.cancelled",
        "return_request",
        request.id,
        subject=order_subject.ref(request.order_id),
        instance_id=instance.id,
        data={"reason": reason, "status": request.status},
    )
    lifecycle.notify_cancelled(request.raised_by_id, request.order, "return", request.id, reason)

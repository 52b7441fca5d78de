"""Receipts (收货) against purchase order lines, partial deliveries included, and quality's
incoming inspection (来料检验). Accepted units go into stock as a ledger receipt at the line's
price and are reserved at once for the orders waiting on the component (requirements.allocate);
an order already in production gets them issued straight away."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _

from app import limits
from app.core import clock
from app.core.audit import services as audit
from app.core.notifications import services as notifications
from app.core.users import permissions
from app.core.users.models import User
from app.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.extensions import db
from app.limits import NumberBound
from app.modules.orders.models import Order
from app.modules.purchasing.models import PurchaseOrder, PurchaseOrderLine, Receipt
from app.modules.purchasing.services import buying, requirements, stock
from app.modules.purchasing.services.suppliers import require_buyer
from app.modules.schedule.services import materials

RECEIVABLE = ("approved", "partly_received")
CENT = Decimal("0.01")
INSPECTORS = "quality"


def _lock_line(line_id: int) -> PurchaseOrderLine:
    line = db.session.scalar(
        db.select(PurchaseOrderLine)
        .where(PurchaseOrderLine.id == line_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if line is None:
        raise NotFound(_("This purchase order line does not exist."))
    return line


def receive(
    actor: User, line_id: int, quantity_text: str, inspect: bool, note: str = ""
) -> Receipt:
    """The warehouse records what arrived on a line (at most what is still to come). With
    `inspect`, quality decides first; otherwise it goes into stock now."""
    if not permissions.may_move_stock(actor):
        audit.record(actor, "denied.receipt", "purchase_order_line", line_id)
        db.session.flush()
        raise PermissionDenied(_("Only the warehouse records what arrived."))
    line = _lock_line(line_id)
    po = line.purchase_order
    if po.status not in RECEIVABLE:
        raise Conflict(_("Only an approved purchase order takes receipts."))
    errors: dict[str, str] = {}
    bound = NumberBound(Decimal("0.001"), max(line.open_quantity, Decimal("0.001")), 3)
    quantity = limits.parse_number(quantity_text, bound, errors, f"quantity-{line.id}")
    if quantity is not None and quantity > line.open_quantity:
        errors[f"quantity-{line.id}"] = _("Nothing more is due on this line.")
    note = limits.check_text(note, "notes", errors, f"note-{line.id}")
    if errors:
        raise InvalidInput(errors=errors)
    receipt = Receipt(
        po_line=line,
        quantity=quantity,
        accepted=Decimal(0),
        rejected=Decimal(0),
        status="pending_inspection" if inspect else "accepted",
        note=note,
        received_by_id=actor.id,
    )
    db.session.add(receipt)
    db.session.flush()
    audit.record(
        actor, "receipt.record", "po_receipt", receipt.id, subject=buying.ref(po),
        data={"line": line.id, "quantity": f"{quantity:f}", "inspect": inspect},
    )  # fmt: skip
    if inspect:
        line.pending += quantity
        notifications.notify_users(
            notifications.department_member_ids(INSPECTORS), buying.ref(po),
            "material_to_inspect",
            {"number": po.number, "component": line.component.code, "quantity": f"{quantity:f}"},
        )  # fmt: skip
    else:
        _accept(receipt, quantity, actor)
    _update_status(po)
    if not inspect:
        materials.changed(actor)  # stock reserved for waiting orders: late flags follow now
    return receipt


def inspect(
    actor: User, receipt_id: int, accepted_text: str, rejected_text: str, reason: str
) -> Receipt:
    """Quality accepts part or all of an inspected receipt; the rest is rejected with a reason
    and is still to come from the supplier."""
    if not permissions.may_inspect_material(actor):
        audit.record(actor, "denied.inspection", "po_receipt", receipt_id)
        db.session.flush()
        raise PermissionDenied(_("Only quality inspects incoming material."))
    receipt = db.session.get(Receipt, receipt_id)
    if receipt is None:
        raise NotFound(_("This receipt does not exist."))
    line = _lock_line(receipt.po_line_id)
    db.session.refresh(receipt)
    if receipt.status != "pending_inspection":
        raise Conflict(_("This receipt was inspected already."))
    errors: dict[str, str] = {}
    bound = NumberBound(Decimal(0), receipt.quantity, 3)
    key = f"r{receipt.id}-"
    accepted = limits.parse_number(accepted_text or "0", bound, errors, key + "accepted")
    rejected = limits.parse_number(rejected_text or "0", bound, errors, key + "rejected")
    reason = limits.check_text(reason, "notes", errors, key + "reason")
    if accepted is not None and rejected is not None and accepted + rejected != receipt.quantity:
        errors[key + "accepted"] = _(
            "Accepted and rejected must add up to the %(n)s that arrived.",
            n=f"{receipt.quantity.normalize():f}",
        )
    if rejected and not reason and key + "reason" not in errors:
        errors[key + "reason"] = _("Say why material is rejected.")
    if errors:
        raise InvalidInput(errors=errors)
    receipt.status, receipt.inspected_at, receipt.inspected_by_id = (
        "accepted",
        clock.utcnow(),
        actor.id,
    )
    receipt.rejected, receipt.reject_reason = rejected, reason
    line.pending -= receipt.quantity
    line.rejected += rejected
    audit.record(
        actor, "receipt.inspect", "po_receipt", receipt.id, subject=buying.ref(line.purchase_order),
        data={"accepted": f"{accepted:f}", "rejected": f"{rejected:f}", "reason": reason},
    )  # fmt: skip
    if accepted:
        _accept(receipt, accepted, actor)
    if rejected:
        po = line.purchase_order
        notifications.notify_users(
            [po.created_by_id], buying.ref(po), "material_rejected",
            {"number": po.number, "component": line.component.code,
             "quantity": f"{rejected:f}", "reason": reason},
        )  # fmt: skip
    _update_status(line.purchase_order)
    materials.changed(actor)  # accepted units reserved, or rejected ones still to come
    return receipt


def _accept(receipt: Receipt, quantity: Decimal, actor: User | None) -> None:
    """Accepted units into stock at the line's price; reserve them for the orders waiting."""
    line = receipt.po_line
    balance = stock.lock_balance(line.component_id)
    value = (quantity * line.unit_price).quantize(CENT, ROUND_HALF_UP)
    stock.move(balance, "receipt", quantity, value, actor, receipt_id=receipt.id,
               reason=line.purchase_order.number)  # fmt: skip
    receipt.accepted = quantity
    line.received += quantity
    made = requirements.allocate(line.component_id, receipt_id=receipt.id)
    orders = {r.requirement.order_id for r in made}
    for order in db.session.scalars(
        db.select(Order).where(Order.id.in_(orders)).order_by(Order.id)
    ):
        if order.status == "in_production":
            requirements.issue_to_order(order, actor)
        if requirements.all_reserved(order.id):
            notifications.notify_users(
                [order.created_by_id, *notifications.department_member_ids("pmc")],
                None,
                "materials_ready",
                {"number": order.number, "order_id": order.id},
            )


def _update_status(po: PurchaseOrder) -> None:
    """Received when every line arrived in full (accepted), partly received once anything did."""
    if po.status not in RECEIVABLE:
        return
    if all(line.received >= line.quantity for line in po.lines):
        po.status = "received"
    elif any(line.received > 0 or line.pending > 0 for line in po.lines):
        po.status = "partly_received"


def set_expected(actor: User, line_id: int, date_text: str) -> PurchaseOrderLine:
    """Purchasing moves a line's expected arrival (the supplier's new date for the rest); the
    plan reads it at once, and the order is no longer late until that day."""
    require_buyer(actor, "expected_date", "purchase_order_line", line_id)
    line = _lock_line(line_id)
    if line.purchase_order.status not in ("pending_approval", *RECEIVABLE):
        raise Conflict(_("This purchase order brings nothing more."))
    errors: dict[str, str] = {}
    today = clock.today()
    try:
        day = date.fromisoformat((date_text or "").strip())
    except ValueError:
        day = None
    last = today + timedelta(days=buying.HORIZON_DAYS)
    if day is None or not today <= day <= last:
        errors[f"expected-{line.id}"] = _(
            "The expected arrival must be between today and %(last)s.", last=last.isoformat()
        )
        raise InvalidInput(errors=errors)
    before = line.expected_date
    line.expected_date = day
    line.purchase_order.late_notified_at = None
    audit.record(
        actor, "purchase_order.expected", "purchase_order_line", line.id,
        subject=buying.ref(line.purchase_order),
        data={"before": before.isoformat(), "after": day.isoformat()},
    )  # fmt: skip
    materials.changed(actor)  # the orders waiting on the line move in the plan
    return line


def receipts_of(po: PurchaseOrder) -> list[Receipt]:
    """The order's receipts, oldest first."""
    line_ids = [line.id for line in po.lines]
    return list(
        db.session.scalars(
            db.select(Receipt).where(Receipt.po_line_id.in_(line_ids)).order_by(Receipt.id)
        )
    )


def pending_inspection() -> list[Receipt]:
    """Receipts waiting for quality, oldest first."""
    return list(
        db.session.scalars(
            db.select(Receipt).where(Receipt.status == "pending_inspection").order_by(Receipt.id)
        )
    )

"""Late purchase orders (采购延期): an order still bringing material whose line's expected date
has passed flags the sales orders it holds up (those with a request on the line and a
requirement not fully reserved). PMC and each held order's owner are told once per late spell
(`notify_late`, a worker job); moving the expected date (receiving.set_expected) starts a new
spell. The order page shows the flag (hooks.py)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from app.core import clock
from app.core.notifications import services as notifications
from app.extensions import db
from app.modules.orders.models import Order
from app.modules.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseRequest,
    Requirement,
)
from app.modules.purchasing.services import buying

SUPPLYING = ("pending_approval", "approved", "partly_received")


@dataclass(frozen=True)
class LateLine:
    """A purchase order line past its expected date with material still to come."""

    po: PurchaseOrder
    line: PurchaseOrderLine
    held: list[int]  # ids of the sales orders it holds up


def _late_lines(today: date, po_ids: list[int] | None = None, order_id: int | None = None):
    stmt = (
        db.select(PurchaseOrderLine, PurchaseRequest.order_id)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .join(PurchaseRequest, PurchaseRequest.po_line_id == PurchaseOrderLine.id)
        .join(Requirement, Requirement.id == PurchaseRequest.requirement_id)
        .where(
            PurchaseOrder.status.in_(SUPPLYING),
            PurchaseOrderLine.expected_date < today,
            PurchaseOrderLine.received < PurchaseOrderLine.quantity,
            Requirement.reserved < Requirement.quantity,
        )
        .order_by(PurchaseOrderLine.id, PurchaseRequest.order_id)
    )
    if po_ids is not None:
        stmt = stmt.where(PurchaseOrder.id.in_(po_ids))
    if order_id is not None:
        stmt = stmt.where(PurchaseRequest.order_id == order_id)
    held: dict[PurchaseOrderLine, list[int]] = defaultdict(list)
    for line, held_order in db.session.execute(stmt):
        if held_order not in held[line]:
            held[line].append(held_order)
    return [LateLine(line.purchase_order, line, orders) for line, orders in held.items()]


def late_for_order(order_id: int) -> list[LateLine]:
    """The late purchase order lines holding this sales order up (the order page's flag)."""
    return _late_lines(clock.today(), order_id=order_id)


def late_lines() -> list[LateLine]:
    """Every late purchase order line that holds an order up."""
    return _late_lines(clock.today())


def notify_late() -> int:
    """Tell PMC and the held orders' owners of each purchase order that became late (once per
    spell); returns how many purchase orders were announced. Run by the worker every round:
    it reads only orders not announced yet."""
    today = clock.today()
    fresh = list(
        db.session.scalars(
            db.select(PurchaseOrder.id)
            .join(PurchaseOrderLine, PurchaseOrderLine.purchase_order_id == PurchaseOrder.id)
            .where(
                PurchaseOrder.status.in_(SUPPLYING),
                PurchaseOrder.late_notified_at.is_(None),
                PurchaseOrderLine.expected_date < today,
                PurchaseOrderLine.received < PurchaseOrderLine.quantity,
            )
            .distinct()
            .order_by(PurchaseOrder.id)
        )
    )
    if not fresh:
        return 0
    by_po: dict[int, set[int]] = defaultdict(set)
    pos: dict[int, PurchaseOrder] = {}
    for late in _late_lines(today, po_ids=fresh):
        by_po[late.po.id].update(late.held)
        pos[late.po.id] = late.po
    pmc = notifications.department_member_ids("pmc")
    for po_id in fresh:
        po = pos.get(po_id) or db.session.get(PurchaseOrder, po_id)
        po.late_notified_at = clock.utcnow()
        held = by_po.get(po_id, set())
        if not held:
            continue
        orders = list(
            db.session.scalars(db.select(Order).where(Order.id.in_(held)).order_by(Order.id))
        )
        params = {"number": po.number, "orders": [o.number for o in orders]}
        owners = [o.created_by_id for o in orders]
        notifications.notify_users([*pmc, *owners, po.created_by_id], buying.ref(po),
                                   "purchase_order_late", params)  # fmt: skip
    return len(fresh)

"""Purchasing's answer to "when are this order's materials ready?" for the plan (the schedule's
material sources, app/modules/schedule/services/materials.py), above the warehouse review's.

An order with computed requirements is ready when every requirement is reserved (or issued);
otherwise it is expected by the latest expected arrival of the purchase order lines its open
purchase requests are on, and "not yet ordered" while one of them is on no purchase order. A
not-yet-ordered order whose warehouse review gave a date is expected by that date (or by a later
purchase order line of its), and says so: purchasing's word would otherwise hide the review's
date from the plan. Orders without requirements (no BOM) are left to the lower sources.
"""

from collections import defaultdict
from collections.abc import Collection
from datetime import date

from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.modules.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseRequest,
    Requirement,
)
from app.modules.schedule.services import materials
from app.modules.schedule.services.materials import MaterialStatus, chunks

# Above the warehouse review (0): purchasing knows better once requirements exist.
PRIORITY = 10
READY = _l("Purchasing: all materials reserved")
NOT_ORDERED = _l("Purchasing: short, not yet ordered")
NOT_ORDERED_REVIEW_DATE = _l("Purchasing: short, not yet ordered (the warehouse review's date)")
NO_SUPPLY = _l("Purchasing: short, nothing on order")
# Purchase orders that still bring material (not draft, rejected or cancelled).
SUPPLYING = ("pending_approval", "approved", "partly_received")


def _short_orders(order_ids: Collection[int]) -> tuple[set[int], dict[int, list[int]]]:
    """Orders with requirements, and per order the ids of its requirements not fully reserved."""
    known: set[int] = set()
    short: dict[int, list[int]] = defaultdict(list)
    for part in chunks(order_ids):
        rows = db.session.execute(
            db.select(
                Requirement.order_id, Requirement.id, Requirement.quantity, Requirement.reserved
            )
            .where(Requirement.order_id.in_(part))
            .order_by(Requirement.id)
        )
        for order_id, requirement_id, quantity, reserved in rows:
            known.add(order_id)
            if reserved < quantity:
                short[order_id].append(requirement_id)
    return known, short


def statuses(order_ids: Collection[int]) -> dict[int, MaterialStatus]:
    """The material status of each of these orders that has requirements."""
    known, short = _short_orders(order_ids)
    found = {order_id: MaterialStatus.ready(READY) for order_id in known - set(short)}
    if not short:
        return found
    latest: dict[int, tuple[date, str, int]] = {}
    unordered: set[int] = set()
    for part in chunks(short):
        rows = db.session.execute(
            db.select(
                PurchaseRequest.order_id,
                PurchaseRequest.requirement_id,
                PurchaseRequest.po_line_id,
                PurchaseOrderLine.expected_date,
                PurchaseOrderLine.quantity,
                PurchaseOrderLine.received,
                PurchaseOrder.number,
                PurchaseOrder.id,
                PurchaseOrder.status,
            )
            .outerjoin(PurchaseOrderLine, PurchaseOrderLine.id == PurchaseRequest.po_line_id)
            .outerjoin(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
            .where(PurchaseRequest.order_id.in_(part), PurchaseRequest.status != "cancelled")
            .order_by(PurchaseRequest.id)
        )
        for order_id, requirement_id, po_line_id, day, ordered, received, number, po_id, st in rows:
            if requirement_id not in short[order_id]:
                continue
            if po_line_id is None:
                unordered.add(order_id)
            elif st in SUPPLYING and received < ordered:
                if order_id not in latest or day > latest[order_id][0]:
                    latest[order_id] = (day, number, po_id)
    reviewed = materials.warehouse_review(unordered) if unordered else {}
    for order_id in short:
        review = reviewed.get(order_id)
        if order_id in unordered and review is not None and review.expected is not None:
            day = max(review.expected, latest.get(order_id, (review.expected,))[0])
            found[order_id] = MaterialStatus.expected_by(
                day, NOT_ORDERED_REVIEW_DATE, review.detail
            )
        elif order_id in unordered:
            found[order_id] = MaterialStatus.unknown(NOT_ORDERED)
        elif order_id in latest:
            day, number, po_id = latest[order_id]
            basis = _l("Purchase order %(number)s", number=number)
            detail = ("purchasing.po_detail", {"po_id": po_id})
            found[order_id] = MaterialStatus.expected_by(day, basis, detail)
        else:
            found[order_id] = MaterialStatus.unknown(NO_SUPPLY)
    return found

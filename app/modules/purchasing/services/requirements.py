"""Material requirements (物料需求) of released orders and their reservations.

When an order is released, each of its lines needs its BOM times its quantity of every
component (rounded up to the ledger's thousandths: never buy short). Free stock (on hand less
reserved) is reserved for the requirements waiting on it, first come first served by the
order's promised date, under the component's balance row lock (SELECT ... FOR UPDATE): two
orders released at once never reserve the same units. What stock does not cover becomes a
purchase request; receipts later reserve what arrives the same way (receiving.py).
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from flask_babel import gettext as _

from app.core.audit import services as audit
from app.core.users import permissions
from app.core.users.models import User
from app.errors import InvalidInput, PermissionDenied
from app.extensions import db
from app.modules.orders.models import IN_PLAN_STATUSES, Order, OrderLine
from app.modules.orders.services import subject as order_subject
from app.modules.purchasing.models import (
    BomLine,
    PurchaseRequest,
    Requirement,
    Reservation,
    StockBalance,
)
from app.modules.purchasing.services import components, stock
from app.modules.schedule.services import materials

THOUSANDTH = Decimal("0.001")


def bom_for(item: OrderLine) -> list[BomLine]:
    """The BOM an order line is made to: engineering's for a non-standard item (its own), else
    its product's (or the standard product it became)."""
    own = components.bom_of_item(item.id)
    if own:
        return own
    product_id = item.product_id or item.standard_product_id
    return components.bom_of_product(product_id) if product_id else []


def needed(item: OrderLine, per_unit: Decimal) -> Decimal:
    """What the line needs of a component: quantity x BOM quantity, rounded up to 0.001."""
    return (item.quantity * per_unit).quantize(THOUSANDTH, rounding=ROUND_CEILING)


def allocate(component_id: int, receipt_id: int | None = None) -> list[Reservation]:
    """Reserve the component's free stock for the requirements waiting on it (orders still to
    make), earliest promised date first (no date last), then the order released first."""
    balance = stock.lock_balance(component_id)
    free = balance.free
    made: list[Reservation] = []
    if free <= 0:
        return made
    waiting = db.session.scalars(
        db.select(Requirement)
        .join(Order, Order.id == Requirement.order_id)
        .where(
            Requirement.component_id == component_id,
            Requirement.reserved < Requirement.quantity,
            Order.status.in_(IN_PLAN_STATUSES),
        )
        .order_by(
            Requirement.promised_date.is_(None),
            Requirement.promised_date,
            Requirement.order_id,
            Requirement.id,
        )
        .execution_options(populate_existing=True)
    )
    for requirement in waiting:
        take = min(free, requirement.quantity - requirement.reserved)
        if take <= 0:
            break
        reservation = Reservation(
            requirement=requirement, component_id=component_id, quantity=take, receipt_id=receipt_id
        )
        db.session.add(reservation)
        requirement.reserved += take
        balance.reserved += take
        free -= take
        made.append(reservation)
    db.session.flush()
    return made


def _release_excess(requirement: Requirement) -> None:
    """A requirement that shrank (a change lowered the quantity) gives back what it no longer
    needs of its reservation (a negative reservation row)."""
    excess = requirement.reserved - max(requirement.quantity, requirement.issued)
    if excess <= 0:
        return
    balance = stock.lock_balance(requirement.component_id)
    db.session.add(
        Reservation(
            requirement=requirement, component_id=requirement.component_id, quantity=-excess
        )
    )
    requirement.reserved -= excess
    balance.reserved -= excess


def _upsert(order: Order) -> list[Requirement]:
    """The order's requirements as its lines and BOMs say now (new, grown or shrunk)."""
    existing = {
        (r.order_line_id, r.component_id): r
        for r in db.session.scalars(
            db.select(Requirement).where(Requirement.order_id == order.id).order_by(Requirement.id)
        )
    }
    found = []
    for item in order.lines:
        for bom in bom_for(item):
            quantity = needed(item, bom.quantity)
            requirement = existing.get((item.id, bom.component_id))
            if requirement is None:
                requirement = Requirement(
                    order_id=order.id,
                    order_line_id=item.id,
                    component_id=bom.component_id,
                    quantity=quantity,
                    reserved=Decimal(0),
                    issued=Decimal(0),
                )
                db.session.add(requirement)
            requirement.quantity = quantity
            requirement.promised_date = order.promised_date
            found.append(requirement)
    db.session.flush()
    return found


def _requested(requirement_ids: list[int]) -> dict[int, Decimal]:
    rows = db.session.execute(
        db.select(PurchaseRequest.requirement_id, db.func.sum(PurchaseRequest.quantity))
        .where(
            PurchaseRequest.requirement_id.in_(requirement_ids),
            PurchaseRequest.status != "cancelled",
        )
        .group_by(PurchaseRequest.requirement_id)
        .order_by(PurchaseRequest.requirement_id)
    )
    return {rid: Decimal(total or 0) for rid, total in rows}


def _from_stock(requirement_ids: list[int]) -> dict[int, Decimal]:
    rows = db.session.execute(
        db.select(Reservation.requirement_id, db.func.sum(Reservation.quantity))
        .where(Reservation.requirement_id.in_(requirement_ids), Reservation.receipt_id.is_(None))
        .group_by(Reservation.requirement_id)
        .order_by(Reservation.requirement_id)
    )
    return {rid: Decimal(total or 0) for rid, total in rows}


@dataclass(frozen=True)
class Computed:
    """What computing an order's requirements did."""

    requirements: list[Requirement]
    reserved: list[Reservation]
    requests: list[PurchaseRequest]


def compute_for_order(order: Order, actor: User | None = None) -> Computed:
    """Compute (or recompute) the order's material requirements, reserve free stock for them
    and ask purchasing for what stock does not cover. Idempotent: a second run for an order
    whose lines did not change reserves and requests nothing more."""
    requirements = _upsert(order)
    for requirement in requirements:
        _release_excess(requirement)
    reserved: list[Reservation] = []
    # Components in id order: two orders locking the same balances never wait on each other
    # in a cycle.
    for component_id in sorted({r.component_id for r in requirements}):
        reserved += allocate(component_id)
    ids = [r.id for r in requirements]
    requested, from_stock = _requested(ids), _from_stock(ids)
    requests = []
    for requirement in requirements:
        short = (
            requirement.quantity
            - from_stock.get(requirement.id, 0)
            - requested.get(requirement.id, 0)
        )
        if short > 0 and requirement.reserved < requirement.quantity:
            short = min(short, requirement.quantity - requirement.reserved)
            request = PurchaseRequest(
                requirement_id=requirement.id,
                order_id=order.id,
                component_id=requirement.component_id,
                quantity=short,
                needed_by=order.promised_date,
            )
            db.session.add(request)
            requests.append(request)
    db.session.flush()
    if requirements:
        audit.record(
            actor,
            "material.requirements",
            "sales_order",
            order.id,
            subject=order_subject.ref(order),
            data={
                "requirements": len(requirements),
                "reserved": [f"{r.quantity:f}" for r in reserved],
                "requests": [r.id for r in requests],
            },
        )
        materials.changed(actor)  # the order's material status is purchasing's from now on
    return Computed(requirements, reserved, requests)


def on_released(order: Order) -> None:
    """The release hook (orders.events.released): compute the order's requirements."""
    compute_for_order(order)


def requirements_of(order_id: int) -> list[Requirement]:
    """The order's requirements, by line and component."""
    return list(
        db.session.scalars(
            db.select(Requirement)
            .where(Requirement.order_id == order_id)
            .order_by(Requirement.order_line_id, Requirement.component_id)
        )
    )


def issue_to_order(order: Order, actor: User | None = None) -> list:
    """Move what is reserved for the order and not issued yet out of stock to it (at the moving
    average); the reservation ends as the units leave."""
    moves = []
    waiting = [r for r in requirements_of(order.id) if r.reserved > r.issued]
    for requirement in sorted(waiting, key=lambda r: (r.component_id, r.id)):
        balance: StockBalance = stock.lock_balance(requirement.component_id)
        quantity = requirement.reserved - requirement.issued
        value = stock.average_value(balance, quantity)
        moves.append(
            stock.move(
                balance,
                "issue",
                -quantity,
                -value,
                actor,
                order_id=order.id,
                order_line_id=requirement.order_line_id,
            )
        )
        balance.reserved -= quantity
        requirement.issued += quantity
    if moves:
        audit.record(
            actor,
            "stock.issue",
            "sales_order",
            order.id,
            subject=order_subject.ref(order),
            data={"moves": [m.id for m in moves]},
        )
    return moves


def issue_by_warehouse(actor: User, order: Order) -> list:
    """The warehouse issues an order's reserved material from its page."""
    if not permissions.may_move_stock(actor):
        audit.record(actor, "denied.stock_issue", "sales_order", order.id)
        db.session.flush()
        raise PermissionDenied(_("Only the warehouse issues material to orders."))
    moves = issue_to_order(order, actor)
    if not moves:
        raise InvalidInput(_("Nothing reserved for this order is left to issue."))
    return moves


def on_production_started(order: Order) -> None:
    """The production-start hook: the order's reserved material leaves the stock for it."""
    issue_to_order(order)


def all_reserved(order_id: int) -> bool:
    """Whether every requirement of the order is reserved in full (its materials are ready)."""
    short = db.session.scalar(
        db.select(db.func.count())
        .select_from(Requirement)
        .where(Requirement.order_id == order_id, Requirement.reserved < Requirement.quantity)
    )
    return short == 0


def on_cancelled(order: Order) -> None:
    """The cancel hook: the order's reservations not issued go back to free stock (and on to
    the orders waiting for it), its purchase requests not on a purchase order are cancelled."""
    freed = set()
    for requirement in sorted(requirements_of(order.id), key=lambda r: (r.component_id, r.id)):
        back = requirement.reserved - requirement.issued
        if back <= 0:
            continue
        balance = stock.lock_balance(requirement.component_id)
        db.session.add(
            Reservation(
                requirement=requirement, component_id=requirement.component_id, quantity=-back
            )
        )
        requirement.reserved -= back
        balance.reserved -= back
        freed.add(requirement.component_id)
    db.session.execute(
        db.update(PurchaseRequest)
        .where(PurchaseRequest.order_id == order.id, PurchaseRequest.status == "open")
        .values(status="cancelled")
    )
    db.session.flush()
    for component_id in sorted(freed):
        allocate(component_id)

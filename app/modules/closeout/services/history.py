"""The per-product cost history that closed orders feed, and what the product page and (later)
quotations read of it: average and latest actual unit cost, and margin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from app.extensions import db
from app.modules.closeout.models import Closeout, CloseoutLine, ProductCost
from app.modules.closeout.services.money import percent, unit

RECENT = 10


@dataclass(frozen=True)
class ClosedLine:
    """One closed order line of a product."""

    order_number: str
    closed_at: datetime | None
    quantity: Decimal
    unit_cost: Decimal | None
    margin_pct: Decimal | None


@dataclass(frozen=True)
class CostHistory:
    """A product's cost history: quantity-weighted average and latest unit cost, margins."""

    product_id: int
    orders_closed: int
    quantity: Decimal
    average_unit_cost: Decimal | None
    average_margin_pct: Decimal | None
    latest_unit_cost: Decimal | None
    latest_margin_pct: Decimal | None
    latest_at: datetime | None
    recent: list[ClosedLine]


def feed(closeout: Closeout) -> None:
    """Add a closed order's lines to their products' running sums (one row per product)."""
    for item in closeout.lines:
        if item.product_id is None:
            continue  # a non-standard item never standardised has no product to learn from
        row = db.session.get(ProductCost, item.product_id, with_for_update=True)
        if row is None:
            row = ProductCost(
                product_id=item.product_id,
                orders_closed=0,
                quantity=Decimal(0),
                actual_cost=Decimal(0),
                revenue=Decimal(0),
            )
            db.session.add(row)
        row.orders_closed += 1
        row.quantity += item.quantity
        row.actual_cost += item.actual_cost
        row.revenue += item.revenue
        row.latest_unit_cost = unit(item.actual_cost, item.quantity)
        row.latest_margin_pct = percent(item.revenue - item.actual_cost, item.revenue)
        row.latest_order_id = closeout.order_id
        row.latest_at = closeout.closed_at
    db.session.flush()


def cost_history(product_id: int) -> CostHistory | None:
    """A product's cost history (None if no closed order had it); for the product page and
    for quotations (a quote's cost basis)."""
    row = db.session.get(ProductCost, product_id)
    if row is None:
        return None
    return CostHistory(
        product_id=product_id,
        orders_closed=row.orders_closed,
        quantity=row.quantity,
        average_unit_cost=unit(row.actual_cost, row.quantity),
        average_margin_pct=percent(row.revenue - row.actual_cost, row.revenue),
        latest_unit_cost=row.latest_unit_cost,
        latest_margin_pct=row.latest_margin_pct,
        latest_at=row.latest_at,
        recent=_recent(product_id),
    )


def _recent(product_id: int) -> list[ClosedLine]:
    from app.modules.orders.models import Order

    rows = db.session.execute(
        db.select(CloseoutLine, Order.number)
        .join(Closeout, Closeout.id == CloseoutLine.closeout_id)
        .join(Order, Order.id == Closeout.order_id)
        .where(CloseoutLine.product_id == product_id, CloseoutLine.closed_at.is_not(None))
        .order_by(CloseoutLine.closed_at.desc(), CloseoutLine.id.desc())
        .limit(RECENT)
    )
    return [
        ClosedLine(
            order_number=number,
            closed_at=item.closed_at,
            quantity=item.quantity,
            unit_cost=unit(item.actual_cost, item.quantity),
            margin_pct=percent(item.revenue - item.actual_cost, item.revenue),
        )
        for item, number in rows
    ]

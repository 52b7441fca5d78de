"""What the planner is given: each order as a job (its hours per unit on each line that can
make it) and the lines it may use. A job that cannot be built says why, in the reader's language."""

from __future__ import annotations

import math
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.errors import InvalidInput
from app.extensions import db
from app.modules.orders.models import (
    IN_PLAN_STATUSES,
    Order,
    OrderLine,
    Product,
    ProductionLine,
    ProductLineRate,
)
from app.modules.schedule.models import PlanSlot
from app.planning import Job, NoCapableLine, PlanningError, order_hours

# Orders that still take capacity once they hold a slot (an approved rush before release).
ACTIVE_STATUSES = (
    "in_review",
    "review_passed",
    "awaiting_customer",
    "confirmed",
    *IN_PLAN_STATUSES,
)


def usable_hours(value: object) -> bool:
    """A positive, finite number of hours (a rate or capacity of 0.00 in the database is not)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return False
    return math.isfinite(value) and value > 0


def remaining_quantity(item: OrderLine) -> Decimal:
    """What is still to make of an order line: its quantity less what production reported done."""
    done = item.quantity_done or Decimal(0)
    return max((item.quantity or Decimal(0)) - done, Decimal(0))


def _items(order: Order) -> list[tuple]:
    """(remaining quantity, {line code: hours per unit}, item, unusable rates) per order line
    still to make: a line made in full needs no capacity and no capable line any more.

    Rates of zero or less name no line: they are left out and reported when nothing is left.
    """
    items = []
    for item in order.lines:
        if item.quantity and item.quantity > 0 and remaining_quantity(item) <= 0:
            continue
        usable, bad = line_rates(item)
        items.append((remaining_quantity(item), usable, item, bad))
    return items


def line_rates(item: OrderLine) -> tuple[dict[str, Decimal], dict[str, object]]:
    """An order line's hours per unit by line code: the usable ones, and those of 0 or less.

    A catalogue item takes its product's rates; a described item the reviewers' estimate (or,
    once standardised without one, its standard product's rates).
    """
    product = item.product or item.standard_product
    rates: dict[str, object] = {}
    estimate = item.planned_estimate if item.product is None else None
    if estimate is not None:
        rates = {estimate.line.code: estimate.hours_per_unit}
    elif product is not None:
        rates = {rate.line.code: rate.hours_per_unit for rate in product.rates}
    bad = {code: rate for code, rate in rates.items() if not usable_hours(rate)}
    return {code: rate for code, rate in rates.items() if code not in bad}, bad


def job_for(order: Order) -> Job | None:
    """The order's remaining work as a job to plan (None when every line is made in full);
    `InvalidInput` says which item has no hours on any line.

    Remaining hours of a line = its hours x (1 - quantity done / quantity), that is the hours of
    the quantity not yet done (docs/FULFILMENT.md).
    """
    items = _items(order)
    if not items and order.lines:
        return None
    for _quantity, rates, item, bad in items:
        if not rates and bad:
            raise InvalidInput(
                _(
                    "Line %(n)s of order %(number)s has no usable hours per unit (%(rates)s): "
                    "correct the line rates of its product, or have production estimate it again.",
                    n=item.position,
                    number=order.number,
                    rates=", ".join(f"{code} {rate}" for code, rate in sorted(bad.items())),
                )
            )
        if not rates:
            raise InvalidInput(
                _(
                    "Line %(n)s of order %(number)s has no hours per unit on any production "
                    "line: add line rates to its product, or have production estimate it.",
                    n=item.position,
                    number=order.number,
                )
            )
    try:
        hours = order_hours(order.number, [(q, rates) for q, rates, _item, _bad in items])
        return Job(order.id, order.number, hours, order.promised_date, order.released_at)
    except NoCapableLine as exc:
        raise InvalidInput(
            _(
                "No single production line can make every item of order %(number)s; the "
                "plan cannot place it.",
                number=order.number,
            )
        ) from exc
    except PlanningError as exc:
        raise InvalidInput(
            _("Order %(number)s cannot be planned: check its quantities.", number=order.number)
        ) from exc


# Everything job_for and the plan pages read of an order, loaded a table at a time: the plan
# costs the same few statements whatever the number of open orders, and none per order.
PLAN_LOADING = (
    selectinload(Order.customer),
    selectinload(Order.lines).options(
        selectinload(OrderLine.prod_line),
        selectinload(OrderLine.eng_line),
        selectinload(OrderLine.product)
        .selectinload(Product.rates)
        .selectinload(ProductLineRate.line),
        selectinload(OrderLine.standard_product)
        .selectinload(Product.rates)
        .selectinload(ProductLineRate.line),
    ),
)


def orders_to_plan() -> list[Order]:
    """Orders whose production is to do (released, in production), and any order still active
    that holds a slot (an approved rush before its release).

    Only open statuses are read (by the status index): finished orders (production complete,
    and later shipped, delivered, closed) and cancelled ones are never touched, so the plan's
    cost depends on open work only, not on history.
    """
    slotted = db.select(PlanSlot.order_id)
    return list(
        db.session.scalars(
            db.select(Order)
            .where(
                Order.status.in_(ACTIVE_STATUSES),
                Order.status.in_(IN_PLAN_STATUSES) | Order.id.in_(slotted),
            )
            .options(*PLAN_LOADING)
            .order_by(Order.id)
        )
    )


def usable_lines(rows: dict[str, ProductionLine]) -> tuple[dict[str, ProductionLine], list[str]]:
    """The lines the plan can use, and why the others are left out."""
    usable, problems = {}, []
    for code, row in rows.items():
        if usable_hours(row.daily_hours):
            usable[code] = row
        else:
            problems.append(
                _(
                    "Line %(line)s is left out of the plan: its daily capacity is %(hours)s "
                    "hours. Correct it on the Products page.",
                    line=code,
                    hours=row.daily_hours,
                )
            )
    return usable, problems

"""A quoted line's cost basis, margin and flags (docs/QUOTATIONS.md, "Figures").

The cost basis of a catalogue product is its actual cost history from closed orders when it
has one (close-out's `cost_history`, read as it is, never recomputed here), else its standard
cost; a non-standard item has none until it is standardised. Costs are in CNY; a price in
another currency is converted with the app config's EXCHANGE_RATES (CNY per unit).

A line is flagged when its margin is below QUOTATION_MIN_MARGIN_PCT, or its price is more than
QUOTATION_BELOW_PAST_PCT % below the median of this customer's last five prices for the product
(orders in the quotation's currency), or its margin cannot be computed for want of a rate.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from flask_babel import gettext as _

from app.extensions import db
from app.modules.closeout.services import history
from app.modules.closeout.services.money import CNY, percent
from app.modules.orders.models import Order, OrderLine, Product

PAST_PRICES = 5
# Orders whose prices never held: they do not count as the customer's past prices.
NOT_PRICES = ("rejected", "cancelled", "error")
LOW_MARGIN = "low_margin"
BELOW_PAST = "below_past"
NO_RATE = "no_rate"


@dataclass(frozen=True)
class Rules:
    """The thresholds in force (app config)."""

    min_margin_pct: Decimal
    below_past_pct: Decimal


def rules() -> Rules:
    """The flagging thresholds of this installation."""
    config = current_app.config
    return Rules(
        Decimal(str(config.get("QUOTATION_MIN_MARGIN_PCT", 15))),
        Decimal(str(config.get("QUOTATION_BELOW_PAST_PCT", 15))),
    )


@dataclass(frozen=True)
class CostBasis:
    """What a unit costs (CNY) and where the figure comes from."""

    source: str  # "history" | "standard" | "none"
    unit_cost: Decimal | None
    orders: int = 0  # closed orders the history rests on


@dataclass(frozen=True)
class LineFigures:
    """A line's cost basis, margin, the customer's past median price and its flags."""

    basis: CostBasis
    margin_pct: Decimal | None
    past_median: Decimal | None
    past_count: int
    flags: list[dict] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        """Whether the line needs an approver's look."""
        return bool(self.flags)


def cost_basis(product: Product | None) -> CostBasis:
    """The product's actual cost history when closed orders give one, else its standard cost."""
    if product is None:
        return CostBasis("none", None)
    found = history.cost_history(product.id)
    if found is not None and found.orders_closed and found.average_unit_cost is not None:
        return CostBasis("history", found.average_unit_cost, found.orders_closed)
    return CostBasis("standard", Decimal(product.standard_cost or 0))


def exchange_rate(currency: str) -> Decimal | None:
    """CNY per unit of the currency (1 for CNY), or None when no rate is configured."""
    if currency == CNY:
        return Decimal(1)
    configured = current_app.config.get("EXCHANGE_RATES", {}).get(currency)
    return Decimal(str(configured)) if configured else None


def margin(unit_price: Decimal, unit_cost: Decimal, rate: Decimal) -> Decimal:
    """(price in CNY − cost) ÷ price in CNY × 100, half up to 2 places; −100 at a zero price."""
    price = unit_price * rate
    found = percent(price - unit_cost, price)
    return Decimal("-100.00") if found is None else found


def past_prices(customer_id: int | None, product_id: int | None, currency: str) -> list[Decimal]:
    """The customer's last five unit prices for the product (orders in this currency)."""
    if customer_id is None or product_id is None:
        return []
    rows = db.session.scalars(
        db.select(OrderLine.unit_price)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.customer_id == customer_id,
            OrderLine.product_id == product_id,
            Order.currency == currency,
            Order.status.not_in(NOT_PRICES),
        )
        .order_by(Order.created_at.desc(), OrderLine.id.desc())
        .limit(PAST_PRICES)
    )
    return [Decimal(price) for price in rows]


def figures(
    customer_id: int | None,
    currency: str,
    product: Product | None,
    unit_price: Decimal,
    limits: Rules | None = None,
) -> LineFigures:
    """The cost basis, margin, past median and flags of one line as quoted."""
    limits = limits or rules()
    basis = cost_basis(product)
    flags: list[dict] = []
    margin_pct = None
    if basis.unit_cost is not None:
        rate = exchange_rate(currency)
        if rate is None:
            flags.append({"code": NO_RATE, "currency": currency})
        else:
            margin_pct = margin(unit_price, basis.unit_cost, rate)
            if margin_pct < limits.min_margin_pct:
                flags.append(
                    {
                        "code": LOW_MARGIN,
                        "margin": f"{margin_pct:f}",
                        "minimum": f"{limits.min_margin_pct:f}",
                    }
                )
    prices = past_prices(customer_id, product.id if product else None, currency)
    median = None
    if prices:
        median = Decimal(statistics.median(prices)).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP
        )
        floor = median * (100 - limits.below_past_pct) / 100
        if unit_price < floor:
            below = percent(median - unit_price, median)
            flags.append(
                {
                    "code": BELOW_PAST,
                    "below": f"{below:f}",
                    "median": f"{median.normalize():f}",
                    "count": len(prices),
                    "limit": f"{limits.below_past_pct:f}",
                }
            )
    return LineFigures(basis, margin_pct, median, len(prices), flags)


def flag_text(flag: dict) -> str:
    """Why a line is flagged, in the reader's language."""
    code = flag.get("code")
    if code == LOW_MARGIN:
        return _(
            "The margin %(margin)s %% is below the minimum of %(minimum)s %%.",
            margin=flag.get("margin"),
            minimum=flag.get("minimum"),
        )
    if code == BELOW_PAST:
        return _(
            "The price is %(below)s %% below the median %(median)s of this customer's last "
            "%(count)s prices for the product (more than %(limit)s %%).",
            below=flag.get("below"),
            median=flag.get("median"),
            count=flag.get("count"),
            limit=flag.get("limit"),
        )
    if code == NO_RATE:
        return _(
            "No exchange rate for %(currency)s is configured, so the margin is unknown.",
            currency=flag.get("currency"),
        )
    return str(code)


def stored_flags(text: str | None) -> list[dict]:
    """The flags stored on a line (JSON)."""
    try:
        found = json.loads(text or "[]")
    except ValueError:
        return []
    return found if isinstance(found, list) else []

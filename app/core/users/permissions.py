"""Who may read what: the price rule, and the helpers that apply it to what pages show.

Prices, amounts, margins and costs are commercial data: sales, PMC, finance, management and
admins read them; every other department (engineering, production, quality, warehouse,
purchasing, …) works from quantities, specifications, dates and drawings. Services that assemble
a page ask this module (never a template on its own); docs/ACCESS.md lists every place.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from app.core.audit import services as audit
from app.core.users.models import User
from app.errors import PermissionDenied
from app.modules.orders.models import Order

PRICE_DEPARTMENTS = frozenset({"sales", "pmc", "finance", "management"})
# A form field, diff row or stored value whose name matches carries money (unit_price,
# standard_cost, amount, total, margin, value_delta …); process owners' new forms are covered
# by their field names.
PRICE_NAME = re.compile(r"price|cost|amount|total|margin|value_delta", re.IGNORECASE)
# Attachments that carry the order's prices (the sheet the customer signed).
PRICED_ATTACHMENT_KINDS = frozenset({"signed_confirmation"})


def can_see_prices(user: Any) -> bool:
    """Whether the user may read prices, amounts, margins and costs (the one rule)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_admin:
        return True
    return user.department is not None and user.department.key in PRICE_DEPARTMENTS


def is_price_field(name: str) -> bool:
    """Whether a field (form field, diff row, snapshot key) carries money."""
    return bool(PRICE_NAME.search(name or ""))


@dataclass(frozen=True)
class OrderPrices:
    """An order's money, for readers allowed to see it: per line id and the total."""

    currency: str
    unit_price: dict[int, Decimal]
    amount: dict[int, Decimal]
    total: Decimal


def order_prices(viewer: User, order: Order) -> OrderPrices | None:
    """The order's prices for this reader, or None when the reader may not see them."""
    if not can_see_prices(viewer):
        return None
    return OrderPrices(
        currency=order.currency,
        unit_price={line.id: line.unit_price for line in order.lines},
        amount={line.id: line.amount for line in order.lines},
        total=order.total,
    )


def product_costs(viewer: User, products: Iterable[Any]) -> dict[int, Decimal] | None:
    """Standard cost per product id for readers allowed to see costs, else None."""
    if not can_see_prices(viewer):
        return None
    return {product.id: product.standard_cost for product in products}


def visible_fields(viewer: User, fields: Iterable[Any]) -> list[Any]:
    """Form field views (anything with a `name`) without the money fields for other readers."""
    if can_see_prices(viewer):
        return list(fields)
    return [f for f in fields if not is_price_field(f.name)]


def visible_rows(viewer: User, rows: Iterable[Mapping]) -> list[Mapping]:
    """Diff rows (`field`, `old`, `new`) without the money rows for other readers."""
    if can_see_prices(viewer):
        return list(rows)
    return [row for row in rows if not is_price_field(str(row.get("field", "")))]


def visible_values(viewer: User, values: Mapping[str, Any]) -> dict[str, Any]:
    """Form values (e.g. an order prefilled for a change) without money for other readers."""
    if can_see_prices(viewer):
        return dict(values)
    return {k: v for k, v in values.items() if not is_price_field(k)}


def require_prices(viewer: User, order: Order, action: str, ip: str | None = None) -> None:
    """Refuse (403, audited) a document that carries the order's prices to other readers."""
    if can_see_prices(viewer):
        return
    audit.record(viewer, "denied." + action, "order", order.id, order_id=order.id, ip=ip)
    raise PermissionDenied(
        _(
            "This document shows prices, which only sales, PMC, finance, management and "
            "administrators may see."
        )
    )

"""Who may touch an order: the core's rules (app/core/users/permissions.py) applied to orders.

The refusals here are recorded in the audit trail against the order, then raised.
"""

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _

from app.core.audit import services as audit
from app.core.users import permissions
from app.core.users.models import User
from app.errors import PermissionDenied
from app.extensions import db
from app.modules.orders.models import Order
from app.modules.orders.services import subject as order_subject


@dataclass(frozen=True)
class OrderPrices:
    """An order's money, for readers allowed to see it: per line id and the total."""

    currency: str
    unit_price: dict[int, Decimal]
    amount: dict[int, Decimal]
    total: Decimal


def order_prices(viewer: User, order: Order) -> OrderPrices | None:
    """The order's prices for this reader, or None when the reader may not see them."""
    if not permissions.can_see_prices(viewer):
        return None
    return OrderPrices(
        currency=order.currency,
        unit_price={line.id: line.unit_price for line in order.lines},
        amount={line.id: line.amount for line in order.lines},
        total=order.total,
    )


def require_prices(viewer: User, order: Order, action: str, ip: str | None = None) -> None:
    """Refuse (403, audited) a document that carries the order's prices to other readers."""
    if permissions.can_see_prices(viewer):
        return
    audit.record(
        viewer, "denied." + action, "order", order.id, subject=order_subject.ref(order), ip=ip
    )
    raise PermissionDenied(
        _(
            "This document shows prices, which only sales, PMC, finance, management and "
            "administrators may see."
        )
    )


def deny_order(
    user: User, order: Order | None, action: str, ip: str | None = None, message: str | None = None
) -> PermissionDenied:
    """Record a refused order-level attempt (by default: only sales handles the order itself)."""
    subject = order_subject.ref(order) if order is not None else None
    audit.record(user, "denied." + action, "order", subject and subject.key, subject=subject, ip=ip)
    db.session.flush()
    return PermissionDenied(message or _("Only the sales department can do this."))


def require_sales(actor: User, order: Order | None, action: str, ip: str | None = None) -> None:
    """Refuse (403, audited) anyone but sales: sales enters, revises and sends orders."""
    if not permissions.may_handle_orders(actor):
        raise deny_order(actor, order, action, ip)

"""What the domains above orders show on the order page (`orders.detail`).

Confirmations, changes, rush and schedule use orders; orders uses none of them, so the order page
cannot ask them for their sections. Each registers a builder here from its `hooks.register()`
instead, as the task page takes panels from app/core/tasks/registry.py; the page renders what the
builders return for the order, by slot, each slot ordered by `Panel.order`:

- "actions": buttons in the order's card, below sales' own "Revise the order" (raise a change,
  request a rush);
- "summary": below them in the order's card (the order's place in the plan, its rush requests,
  its change history);
- "sections": cards of their own between the order's card and its files (the customer's
  confirmation);
- "timeline": in the order's timeline, below its steps (the comments and notes on its tasks,
  from app/core/comments, registered in orders' own hooks).

The other way round, a page of a domain above shows a piece of an order through the Panel orders
builds for it (`public_summary`, `order_form`, `customer_filter_field`, `unknown_customer`), so
that only orders names its templates.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.core.tasks.registry import Panel, panels_by_slot
from app.modules.orders.models import Order, Product

SLOTS = ("actions", "summary", "sections", "timeline")


@dataclass(frozen=True)
class OrderPage:
    """What a panel builder knows about the order page being built."""

    viewer: Any
    is_sales: bool  # the viewer handles orders (sales' buttons and forms are shown)
    may_see_prices: bool


OrderPanels = Callable[[Order, OrderPage], list[Panel]]
_BUILDERS: list[OrderPanels] = []


def register_order_panels(build: OrderPanels) -> None:
    """Register a builder of order-page panels: (order, page) -> panels (empty if none)."""
    if build not in _BUILDERS:  # every app the process builds registers again
        _BUILDERS.append(build)


def order_panels(order: Order, page: OrderPage) -> dict[str, list[Panel]]:
    """Every domain's panels for this order's page, by slot, in order."""
    return panels_by_slot(_BUILDERS, SLOTS, order, page, "order page")


# The product page (`catalogue.product`) takes panels the same way: close-out shows the
# product's cost history there ("sections": cards below the product's own).
PRODUCT_SLOTS = ("sections",)


@dataclass(frozen=True)
class ProductPage:
    """What a panel builder knows about the product page being built."""

    viewer: Any
    may_see_prices: bool


ProductPanels = Callable[[Product, ProductPage], list[Panel]]
_PRODUCT_BUILDERS: list[ProductPanels] = []


def register_product_panels(build: ProductPanels) -> None:
    """Register a builder of product-page panels: (product, page) -> panels (empty if none)."""
    if build not in _PRODUCT_BUILDERS:
        _PRODUCT_BUILDERS.append(build)


def product_panels(product: Product, page: ProductPage) -> dict[str, list[Panel]]:
    """Every domain's panels for this product's page, by slot, in order."""
    return panels_by_slot(_PRODUCT_BUILDERS, PRODUCT_SLOTS, product, page, "product page")


def public_summary(order: Order) -> Panel:
    """The order as its customer reads it (customer, dates, lines, amounts), for a page of a
    domain above orders (the confirmation link's page)."""
    return Panel("summary", "orders/_summary_public.html", {"order": order})


def order_form(context: dict) -> Panel:
    """The order form's fields (header and lines), for a form of a domain above orders that
    edits an order (a change request). `context`: `order_form.form_context(values, errors)`
    and `show_prices`."""
    return Panel("form", "orders/_form.html", context, scripts=("order_lines.js",))


def customer_filter_field(customer_filter: Any) -> Panel:
    """A list's customer field with its suggestions (`customer_filter.read(...)`), for the list
    page of a domain above orders (quotations, returns), inside that page's filter form."""
    return Panel("filter", "orders/_customer_filter.html", {"customer_filter": customer_filter})


def unknown_customer(customer_filter: Any) -> Panel:
    """The message a list shows when the typed name is no customer (empty otherwise)."""
    return Panel("filter", "orders/_customer_unknown.html", {"customer_filter": customer_filter})

"""What the close-out pages read: the costing form's rows, the figures of a close-out, the list
of close-outs and a product's cost history."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import selectinload

from app.core import clock, paging
from app.errors import NotFound
from app.extensions import db
from app.modules.closeout.models import Closeout, CloseoutLine, ProductCost
from app.modules.closeout.services import costing, rates
from app.modules.closeout.services.money import CNY
from app.modules.orders.models import Order, OrderLine, Product

PAGE = 50


@dataclass(frozen=True)
class CostingRow:
    """One order line in the costing form, with what to pre-fill."""

    item: OrderLine
    key: str
    values: dict
    material_known: bool = False  # the material was pre-filled from the stock issued to it


def costing_form(order: Order, closeout: Closeout, values, errors: dict) -> dict:
    """The costing step's inputs: one row per order line (pre-filled with what was typed, else
        with the figures of an earlier round, else the line it was probably made on and the material
    cost the registered sources know)."""
    earlier = {item.order_line_id: item for item in closeout.lines}
    material = costing.material_costs(order)
    rows = []
    for item in order.lines:
        key = f"co-{item.id}-"
        stored = earlier.get(item.id)
        if values is not None and hasattr(values, "get") and values.get(key + "line") is not None:
            filled = {f: values.get(key + f, "") for f in costing.FIELDS}
        elif stored is not None:
            filled = {
                "line": str(stored.line_id),
                "material": stored.material_cost,
                "labour_hours": stored.labour_hours,
                "machine_hours": stored.machine_hours,
                "other": stored.other_cost,
            }
        else:
            line = costing.default_line(item)
            filled = {"line": str(line.id) if line else "", "other": "0"}
            if item.id in material:
                filled["material"] = material[item.id]
        rows.append(CostingRow(item, key, filled, item.id in material))
    rate = closeout.exchange_rate if closeout.exchange_rate is not None else order.exchange_rate
    if values is not None and hasattr(values, "get") and values.get("co-exchange_rate"):
        rate = values.get("co-exchange_rate")
    return {
        "order": order,
        "rows": rows,
        "lines": rates.current(clock.today()),
        "foreign": order.currency != CNY,
        "exchange_rate": rate,
        "errors": errors or {},
        "hours_bound": costing.HOURS,
    }


@dataclass(frozen=True)
class FiguresView:
    """A close-out's figures for a page (per line and per order, CNY)."""

    closeout: Closeout
    order: Order
    lines: list[CloseoutLine]

    @property
    def planned_margin(self) -> Decimal | None:
        """Revenue less the planned cost."""
        c = self.closeout
        return None if c.planned_cost is None else c.revenue - c.planned_cost

    @property
    def variance(self) -> Decimal | None:
        """Actual less planned cost (positive: it cost more than planned)."""
        c = self.closeout
        return None if c.planned_cost is None else c.actual_cost - c.planned_cost


def figures_view(closeout: Closeout) -> FiguresView:
    """The stored figures of a close-out."""
    return FiguresView(closeout, closeout.order, list(closeout.lines))


# A close-out's states, in the list's status filter (the work first: to cost, to approve).
STATUSES = ("open", "costed", "closed", "cancelled")


def closeouts(status: str = "", page: int | None = None) -> paging.Listed[Closeout]:
    """One page of close-outs, newest first, of one status if asked, with their count; each with
    its order and customer. It showed the newest 50 and nothing older, and read each row's order
    and customer one statement at a time (issue 14)."""
    where = [Closeout.status == status] if status in STATUSES else []
    shown = selectinload(Closeout.order).selectinload(Order.customer)
    return paging.newest(Closeout, where, PAGE, page, shown)


def get_closeout(closeout_id: int) -> Closeout:
    """A close-out by id, or NotFound."""
    closeout = db.session.get(Closeout, closeout_id)
    if closeout is None:
        raise NotFound()
    return closeout


def get_product(product_id: int) -> Product:
    """A product by id, or NotFound."""
    product = db.session.get(Product, product_id)
    if product is None:
        raise NotFound()
    return product


def costed_products(page: int | None = None) -> paging.Listed[tuple[ProductCost, Product]]:
    """One page of the products closed orders have costed, the latest costed first, with their
    count. It showed the latest 50 and nothing older (issue 14)."""
    rows = (
        db.select(ProductCost, Product)
        .join(Product, Product.id == ProductCost.product_id)
        .order_by(ProductCost.latest_at.desc(), Product.code)
    )
    total = db.session.scalar(db.select(db.func.count()).select_from(ProductCost)) or 0
    shown = paging.window(total, PAGE, page)
    found = db.session.execute(rows.offset(shown.offset).limit(PAGE))
    return paging.Listed(
        [(cost, product) for cost, product in found], total, shown.page, shown.pages
    )

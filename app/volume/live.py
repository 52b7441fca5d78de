"""Orders, change and rush requests made through the services: real, running processes."""

from datetime import timedelta
from random import Random

from app.core.clock import utcnow
from app.core.users.models import User
from app.extensions import db
from app.modules.changes.models import ChangeRequest
from app.modules.changes.services import changes
from app.modules.orders.models import Customer, Order, Product
from app.modules.orders.services import lifecycle, orders
from app.modules.orders.services.order_input import LineInput, OrderInput
from app.modules.rush.services import rush
from app.volume.driver import Driver
from app.volume.shapes import LineShape, line_shapes, order_input

# Where an open order stands, each with the steps already done (the next one is left open).
STAGES = ("intake", "pmc_check", "review", "consolidate", "rejected", "awaiting_customer",
          "sheet_sent", "meeting", "standardising")  # fmt: skip
CANCEL = {"action": "cancel", "cancel_reason": "客户取消订单 Customer withdrew the order"}


class Live:
    """Creates orders and requests through the services and walks them to a given step."""

    def __init__(self, rng: Random, sales: User):
        self.rng = rng
        self.sales = sales
        self.driver = Driver(rng)

    def enter(self, customer: Customer, order_type: str, shapes: list[LineShape]) -> Order:
        """Sales enters an order: revision 1, its lifecycle started."""
        when = utcnow().date()
        return orders.create_order(self.sales, order_input(customer, order_type, shapes, when))

    def walk(self, order: Order, stage: str) -> None:
        """Complete the steps before `stage`, as the departments would."""
        d = self.driver
        if stage == "intake":
            return
        d.step(order, "confirm_order")
        if stage == "pmc_check":
            return  # a regular repeat order of catalogue products waits for PMC's check
        if stage == "review":
            d.step(order, "pmc_dispatch")
            for step in self.rng.sample(("review_engineering", "review_quality"), 1):
                d.step(order, step)
            return
        if stage == "consolidate":
            d.step(order, "pmc_dispatch")
            for step in ("review_engineering", "review_production", "review_quality"):
                d.step(order, step)
            d.step(order, "review_warehouse")
            return
        d.review(order, reject_in="review_production" if stage == "rejected" else None)
        if stage in ("rejected", "awaiting_customer"):
            return
        d.step(order, "send_confirmation")
        if stage == "sheet_sent":
            return  # sales sent the sheet; the customer has not signed yet
        d.confirm_by_customer(order, self.sales, order.customer.contact[:40] or "客户代表")
        if stage == "meeting":
            return
        d.step(order, "review_meeting")  # released; engineering standardises the items

    def run_to_end(self, order: Order, limit: int = 40) -> None:
        """Complete every open step with approving answers and sign for the customer."""
        for _ in range(limit):
            db.session.refresh(order)
            instance = lifecycle.lifecycle_of(order)
            if instance.status != "running":
                return
            open_tasks = self.driver.open_tasks(order)
            if open_tasks:
                self.driver.complete(open_tasks[0])
            else:
                self.driver.confirm_by_customer(order, self.sales, "客户代表 Buyer")
        raise RuntimeError(f"{order.number} did not finish")

    def revise(self, order: Order) -> None:
        """After a rejection sales changes line 1's quantity (revision 2) and resubmits."""
        data = current_input(order)
        data.lines[0].quantity = f"{order.lines[0].quantity * 2:f}"
        orders.update_order(self.sales, order.id, data, "按评审意见调整数量 Quantity as reviewed")
        self.driver.step(order, "sales_revise")

    def cancel(self, order: Order) -> None:
        """Sales cancels a rejected order."""
        self.driver.step(order, "sales_revise", CANCEL)

    def change(self, order: Order, approve: bool) -> ChangeRequest:
        """Sales raises a change (later delivery, more of line 1); optionally it goes through."""
        data = current_input(order)
        data.lines[0].quantity = f"{order.lines[0].quantity + 10:f}"
        promised = (order.promised_date or utcnow().date()) + timedelta(days=7)
        data.promised_date = promised.isoformat()
        change = changes.raise_change(
            self.sales, order.id, data, "customer_request", "客户追加数量 Customer adds 10", "CR"
        )
        if approve:
            self.driver.finish_instance(change.instance_id)
        return change

    def rush(self, order: Order, approve: bool):
        """Sales asks to put the order ahead of the plan; optionally it is approved."""
        required = (utcnow() + timedelta(days=20)).date().isoformat()
        seen = rush.preview_request(self.sales, order.id, required, "")
        request = rush.request_rush(
            self.sales,
            order.id,
            required,
            "",
            "重点客户急单 Key customer",
            "RUSH",
            seen.preview_key,
        )
        if approve:
            self.driver.finish_instance(request.instance_id)
        return request


def current_input(order: Order) -> OrderInput:
    """The order's current data as the order form would post it."""
    return OrderInput(
        customer_id=str(order.customer_id),
        customer_po=order.customer_po,
        order_type=order.order_type,
        requested_date=order.requested_date.isoformat() if order.requested_date else "",
        promised_date=order.promised_date.isoformat() if order.promised_date else "",
        currency=order.currency,
        notes=order.notes,
        lines=[
            LineInput(
                product_id=str(line.product_id or ""),
                description=line.description,
                quantity=f"{line.quantity:f}",
                unit_price=f"{line.unit_price:f}",
                specs={} if line.product_id else _specs(line),
            )
            for line in order.lines
        ],
    )


def _specs(line) -> dict[str, str]:
    from app.modules.orders.models import SPEC_FIELDS

    return {name: getattr(line, name) for name in SPEC_FIELDS}


def run_life(live: Live, order: Order, kind: str) -> None:
    """Drive an entered order to the end of one of the lives history is made of: `full` or
    `short` (every step approved: the route follows the order), `revised` (rejected, revised,
    approved) or `cancelled` (rejected, then cancelled by sales)."""
    if kind in ("revised", "cancelled"):
        live.walk(order, "rejected")
        if kind == "cancelled":
            live.cancel(order)
            return
        live.revise(order)
    live.run_to_end(order)


# The first order of each life: its type and whether it has a non-standard line.
FIRST_OF_LIVES = {"full": ("non_standard", True), "short": ("regular", False),
                  "revised": ("new", True), "cancelled": ("new", False)}  # fmt: skip


def template_orders(live: Live, customer: Customer, products: list[Product]) -> dict[str, Order]:
    """Four lifecycles run to their end: full review, short path, revised, cancelled."""
    made = {}
    for kind, (order_type, custom) in FIRST_OF_LIVES.items():
        made[kind] = live.enter(customer, order_type, _shapes(live.rng, products, custom))
        run_life(live, made[kind], kind)
    return made


def _shapes(rng: Random, products: list[Product], custom: bool) -> list[LineShape]:
    shapes = line_shapes(rng, products, nonstandard=False)[:1]
    if custom:
        shapes += [s for s in line_shapes(rng, products, nonstandard=True) if not s.product][:1]
    return shapes

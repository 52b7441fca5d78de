"""Delivered orders made directly in the database, with production lines and cost rates, for
the close-out tests (services, web, browser)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from werkzeug.datastructures import MultiDict

from app.core.tasks import completion
from app.core.tasks.models import HumanTask
from app.extensions import db
from app.modules.closeout.models import CostRate
from app.modules.closeout.services import process
from app.modules.orders.models import (
    Customer,
    Order,
    OrderLine,
    Product,
    ProductionLine,
    ProductLineRate,
)
from app.modules.orders.services import subject as order_subject


class CloseoutWorld:
    """Lines L1 (labour 40.00, machine 25.00 CNY/h) and L2 (55.50, 30.00), product P-100 of
    standard cost 12.3456 made on L1; orders added with .order() are delivered."""

    def __init__(self, make_user):
        self.make_user = make_user
        self.owner = make_user("sales")
        self.customer = Customer(name="ACME", contact="Ann", address="1 Road", tier="standard")
        self.l1 = ProductionLine(code="L1", name="Line 1", daily_hours=Decimal(8))
        self.l2 = ProductionLine(code="L2", name="Line 2", daily_hours=Decimal(8))
        db.session.add_all([self.customer, self.l1, self.l2])
        db.session.flush()
        self.product = Product(code="P-100", name="Bracket", unit="pcs")
        self.product.standard_cost = Decimal("12.3456")
        self.product.rates.append(ProductLineRate(line=self.l1, hours_per_unit=Decimal("0.1")))
        db.session.add(self.product)
        for line, labour, machine in ((self.l1, "40.00", "25.00"), (self.l2, "55.50", "30.00")):
            db.session.add(
                CostRate(
                    line_id=line.id,
                    labour_rate=Decimal(labour),
                    machine_rate=Decimal(machine),
                    valid_from=date(2020, 1, 1),
                )
            )
        db.session.commit()
        self.count = 0

    def catalogue(self, quantity: str, price: str) -> OrderLine:
        """A catalogue line of P-100."""
        return OrderLine(
            product=self.product, quantity=Decimal(quantity), unit_price=Decimal(price)
        )

    def custom(self, quantity: str, price: str, hours: str | None = "0.5") -> OrderLine:
        """A non-standard item production estimated at `hours` per unit on L2."""
        return OrderLine(
            description="Custom frame",
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            prod_hours_per_unit=Decimal(hours) if hours else None,
            prod_line_id=self.l2.id if hours else None,
        )

    def order(self, *lines: OrderLine, currency="CNY", rate=None, status="delivered") -> Order:
        """A delivered order of these lines (committed); its close-out is not started."""
        self.count += 1
        order = Order(
            number=f"SO-2026-{self.count:05d}",
            customer=self.customer,
            status=status,
            currency=currency,
            exchange_rate=Decimal(rate) if rate else None,
            created_by_id=self.owner.id,
        )
        for position, line in enumerate(lines, start=1):
            line.position = position
            order.lines.append(line)
        db.session.add(order)
        db.session.commit()
        return order

    def started(self, *lines: OrderLine, **kw) -> Order:
        """A delivered order whose close-out has started."""
        order = self.order(*lines, **kw)
        process.start_for(order, None)
        db.session.commit()
        return order

    def task(self, order: Order, step: str) -> HumanTask | None:
        """The ready inbox row of a close-out step."""
        return db.session.scalar(
            db.select(HumanTask).where(
                order_subject.about_order(HumanTask, order.id),
                HumanTask.spec_name == step,
                HumanTask.state == "ready",
            )
        )

    def costing_form(self, order: Order, *rows: tuple, line=None, **extra) -> MultiDict:
        """The costing form: per order line (material, labour h, machine h, other)."""
        data = dict(extra)
        for item, (material, labour, machine, other) in zip(order.lines, rows, strict=True):
            k = f"co-{item.id}-"
            estimate = item.planned_estimate
            chosen = line or (estimate.line if estimate else self.l1)
            data.update(
                {
                    k + "line": str(chosen.id),
                    k + "material": material,
                    k + "labour_hours": labour,
                    k + "machine_hours": machine,
                    k + "other": other,
                }
            )
        return MultiDict(data)

    def cost(self, order: Order, *rows: tuple, user=None, **extra) -> None:
        """Finance completes the costing step."""
        task = self.task(order, process.COSTING_STEP)
        assert task is not None, "costing is not open"
        user = user or self.make_user("finance")
        completion.complete_task(task.id, user, self.costing_form(order, *rows, **extra))
        db.session.commit()

    def decide(self, order: Order, step: str, decision: str = "approve", reason: str = ""):
        """The finance head or the general manager decides an approval step."""
        task = self.task(order, step)
        assert task is not None, f"{step} is not open"
        dept = "finance" if step == "closeout_approval_finance" else "management"
        user = self.make_user(dept, role="head")
        data = {"decision": decision, **({"reason": reason} if reason else {})}
        completion.complete_task(task.id, user, MultiDict(data))
        db.session.commit()

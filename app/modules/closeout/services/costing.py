"""The close-out figures: per order line and per order, actual cost against the quoted price
and the planned cost, in CNY (docs/CLOSEOUT.md, "Figures").

Until quotations exist the quoted price is the line's unit price (in the order's currency,
converted with the rate recorded at confirmation); the planned cost is the product's standard
cost, or for a non-standard item its estimated hours x the rates of its estimated line.
Material is pre-filled from the material cost sources registered here (purchasing registers
the value of the stock issued to each order line, docs/PURCHASING.md); finance confirms it or
enters it where no source knows it. Close-out never imports the domains above it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _

from app import limits
from app.core import clock
from app.limits import NumberBound
from app.modules.closeout.models import CostRate
from app.modules.closeout.services import rates
from app.modules.closeout.services.money import CNY, cents, percent
from app.modules.orders.models import Order, OrderLine, ProductionLine

# Sources of a line's material cost: fn(order) -> {order line id: CNY}, lines it knows only.
MaterialCost = Callable[[Order], Mapping[int, Decimal]]
_MATERIAL_SOURCES: list[MaterialCost] = []
HOURS = NumberBound(Decimal("0"), Decimal("1000000"), 2)
EXCHANGE_RATE = NumberBound(Decimal("0.000001"), Decimal("100000"), 6)
FIELDS = ("line", "material", "labour_hours", "machine_hours", "other")


@dataclass(frozen=True)
class LineInput:
    """What finance enters for one order line (CNY, hours)."""

    line: ProductionLine
    material: Decimal
    labour_hours: Decimal
    machine_hours: Decimal
    other: Decimal


@dataclass(frozen=True)
class LineFigures:
    """One order line's figures, each amount rounded half up to cents."""

    order_line: OrderLine
    line: ProductionLine
    rate: CostRate
    revenue: Decimal
    planned_cost: Decimal | None
    material: Decimal
    labour_hours: Decimal
    labour_cost: Decimal
    machine_hours: Decimal
    machine_cost: Decimal
    other: Decimal

    @property
    def actual_cost(self) -> Decimal:
        """Material + labour + machine + other (already in cents)."""
        return self.material + self.labour_cost + self.machine_cost + self.other

    @property
    def margin(self) -> Decimal:
        """Revenue less actual cost."""
        return self.revenue - self.actual_cost

    @property
    def margin_pct(self) -> Decimal | None:
        """The margin as a percentage of revenue (two places)."""
        return percent(self.margin, self.revenue)


@dataclass(frozen=True)
class Figures:
    """An order's figures: its lines and the totals (sums of the rounded line amounts)."""

    exchange_rate: Decimal
    lines: list[LineFigures]

    @property
    def revenue(self) -> Decimal:
        """The quoted price of the order in CNY."""
        return sum((item.revenue for item in self.lines), Decimal(0))

    @property
    def planned_cost(self) -> Decimal | None:
        """The planned cost of the order; None when a line has none (no standard or estimate)."""
        planned = [item.planned_cost for item in self.lines]
        return None if any(p is None for p in planned) else sum(planned, Decimal(0))

    @property
    def actual_cost(self) -> Decimal:
        """The actual cost of the order."""
        return sum((item.actual_cost for item in self.lines), Decimal(0))

    @property
    def margin(self) -> Decimal:
        """Revenue less actual cost."""
        return self.revenue - self.actual_cost

    @property
    def margin_pct(self) -> Decimal | None:
        """The margin as a percentage of revenue (two places); None for a zero revenue."""
        return percent(self.margin, self.revenue)

    def process_data(self) -> dict:
        """What the process's decision reads: the margin % (a zero revenue reads as -100, so
        the general manager looks at an order sold for nothing)."""
        pct = self.margin_pct
        return {"closeout": {"margin_pct": float(pct if pct is not None else Decimal(-100))}}


def register_material_cost(source: MaterialCost) -> None:
    """Register a source of the material cost of an order's lines (the costing form's default)."""
    if source not in _MATERIAL_SOURCES:  # every app the process builds registers again
        _MATERIAL_SOURCES.append(source)


def material_costs(order: Order) -> dict[int, Decimal]:
    """Each order line's material cost (CNY, cents) as the registered sources know it; the
    first source that knows a line wins."""
    found: dict[int, Decimal] = {}
    for source in _MATERIAL_SOURCES:
        for line_id, amount in source(order).items():
            found.setdefault(line_id, cents(amount))
    return found


def default_line(item: OrderLine) -> ProductionLine | None:
    """The line an order line was most likely made on: the estimate the plan used (production's,
    else engineering's), else its product's first line by code."""
    estimate = item.planned_estimate
    if estimate is not None:
        return estimate.line
    product = item.product or item.standard_product
    if product is not None and product.rates:
        return sorted((r.line for r in product.rates), key=lambda line: line.code)[0]
    return None


def planned_cost(item: OrderLine, found: dict[int, CostRate]) -> Decimal | None:
    """The line's planned cost: quantity x the product's standard cost, else quantity x the
    estimated hours per unit x (labour + machine rate) of the estimated line (the estimate the
    plan used: production's, else engineering's)."""
    product = item.product
    if product is not None:
        return cents(item.quantity * product.standard_cost)
    estimate = item.planned_estimate
    if estimate is not None and estimate.line.id in found:
        rate = found[estimate.line.id]
        return cents(
            item.quantity * estimate.hours_per_unit * (rate.labour_rate + rate.machine_rate)
        )
    return None


def compute(order: Order, inputs: dict[int, LineInput], exchange_rate: Decimal) -> Figures:
    """The figures of an order from finance's inputs (by order line id), at today's rates."""
    found = rates.rates_on(clock.today())
    lines = []
    for item in order.lines:
        entry = inputs[item.id]
        rate = found[entry.line.id]
        lines.append(
            LineFigures(
                order_line=item,
                line=entry.line,
                rate=rate,
                revenue=cents(item.quantity * item.unit_price * exchange_rate),
                planned_cost=planned_cost(item, found),
                material=entry.material,
                labour_hours=entry.labour_hours,
                labour_cost=cents(entry.labour_hours * rate.labour_rate),
                machine_hours=entry.machine_hours,
                machine_cost=cents(entry.machine_hours * rate.machine_rate),
                other=entry.other,
            )
        )
    return Figures(exchange_rate=exchange_rate, lines=lines)


def parse(order: Order, formdata, errors: dict) -> Figures | None:
    """Read finance's inputs (`co-<line id>-<field>`, `co-exchange_rate`) and compute the
    figures; field errors in the reader's language, nothing computed when any is wrong."""
    exchange_rate = _exchange_rate(order, formdata, errors)
    found = rates.rates_on(clock.today())
    lines = {line.id: line for line in rates.production_lines()}
    inputs: dict[int, LineInput] = {}
    for item in order.lines:
        key = f"co-{item.id}-"
        line = lines.get(limits.record_id(formdata.get(key + "line")))
        if line is None:
            errors[key + "line"] = _("Choose the production line.")
        elif line.id not in found:
            errors[key + "line"] = _(
                "Line %(code)s has no cost rates yet: finance sets them on the rates page.",
                code=line.code,
            )
        material = limits.parse_number(
            formdata.get(key + "material"), "cost", errors, key + "material"
        )
        labour = limits.parse_number(
            formdata.get(key + "labour_hours"), HOURS, errors, key + "labour_hours"
        )
        machine = limits.parse_number(
            formdata.get(key + "machine_hours"), HOURS, errors, key + "machine_hours"
        )
        other = limits.parse_number(
            formdata.get(key + "other") or "0", "cost", errors, key + "other"
        )
        if not any(k.startswith(key) for k in errors):
            inputs[item.id] = LineInput(line, material, labour, machine, other)
    if errors:
        return None
    return compute(order, inputs, exchange_rate)


def _exchange_rate(order: Order, formdata, errors: dict) -> Decimal | None:
    """1 for a CNY order; else the rate typed at close-out (pre-filled with the rate recorded
    at confirmation), CNY per unit of the order's currency."""
    if order.currency == CNY:
        return Decimal(1)
    text = (formdata.get("co-exchange_rate") or "").strip()
    if not text:
        errors["co-exchange_rate"] = _(
            "Enter the exchange rate: CNY per 1 %(currency)s.", currency=order.currency
        )
        return None
    return limits.parse_number(text, EXCHANGE_RATE, errors, "co-exchange_rate")

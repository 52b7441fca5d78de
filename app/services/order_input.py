"""Checking what sales typed for an order: header, lines, non-standard specifications."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from app.extensions import db
from app.models import Customer, OrderLine, Product
from app.models.orders import ORDER_TYPES, SPEC_FIELDS

# Specifications a non-standard line cannot do without (DOMAIN.md: parameters, technical,
# process, quality and packaging requirements); packaging materials may follow later.
REQUIRED_SPECS = SPEC_FIELDS[:-1]
MAX_TEXT = 4000
CURRENCIES = ("CNY", "USD", "EUR", "HKD", "JPY")


@dataclass
class LineInput:
    """One order line as typed: product id or a described item, quantity, unit price, specs."""

    product_id: str = ""
    description: str = ""
    quantity: str = ""
    unit_price: str = ""
    specs: dict[str, str] = field(default_factory=dict)

    def is_blank(self) -> bool:
        """A row the user left empty."""
        texts = [self.product_id, self.description, self.quantity, *self.specs.values()]
        return not any(t.strip() for t in texts)


@dataclass
class OrderInput:
    """The order form as typed by sales."""

    customer_id: str = ""
    customer_po: str = ""
    order_type: str = "regular"
    requested_date: str = ""
    promised_date: str = ""
    currency: str = "CNY"
    notes: str = ""
    lines: list[LineInput] = field(default_factory=list)


@dataclass
class CheckedOrder:
    """Valid order data, ready to store."""

    customer: Customer
    customer_po: str
    order_type: str
    requested_date: date | None
    promised_date: date | None
    currency: str
    notes: str
    lines: list[OrderLine]


def _decimal(text: str, positive: bool) -> Decimal | None:
    try:
        value = Decimal(text.strip().replace(",", ""))
    except (InvalidOperation, AttributeError):
        return None
    if not value.is_finite() or value < 0 or (positive and value == 0) or value > Decimal("1e9"):
        return None
    return value


def _date(text: str, key: str, errors: dict) -> date | None:
    if not text:
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        errors[key] = _("Enter a date as YYYY-MM-DD.")
        return None
    if not date(2000, 1, 1) <= value <= date(2100, 12, 31):
        errors[key] = _("Enter a date between 2000 and 2100.")
        return None
    return value


def _line(index: int, line: LineInput, errors: dict[str, str]) -> OrderLine:
    key = f"lines-{index}-"
    product = None
    if line.product_id:
        product = (
            db.session.get(Product, int(line.product_id)) if line.product_id.isdigit() else None
        )
        if product is None:
            errors[key + "product_id"] = _("Choose a product from the list.")
    else:
        if not line.description.strip():
            errors[key + "description"] = _("Describe the non-standard item.")
        for spec in REQUIRED_SPECS:
            if not line.specs.get(spec, "").strip():
                errors[key + spec] = _("A non-standard item needs this specification.")
    qty = _decimal(line.quantity, positive=True)
    if qty is None:
        errors[key + "quantity"] = _("Enter a quantity greater than zero.")
    price = _decimal(line.unit_price or "0", positive=False)
    if price is None:
        errors[key + "unit_price"] = _("Enter a price of zero or more.")
    specs = {} if product else {k: line.specs.get(k, "").strip()[:MAX_TEXT] for k in SPEC_FIELDS}
    return OrderLine(
        product=product,
        description=line.description.strip()[:MAX_TEXT],
        quantity=qty,
        unit_price=price,
        **specs,
    )


def check_order(data: OrderInput) -> tuple[CheckedOrder | None, dict[str, str]]:
    """Validate the typed order; returns the checked data or field errors (never both)."""
    errors: dict[str, str] = {}
    customer = (
        db.session.get(Customer, int(data.customer_id)) if data.customer_id.isdigit() else None
    )
    if customer is None:
        errors["customer_id"] = _("Choose a customer.")
    if data.order_type not in ORDER_TYPES:
        errors["order_type"] = _("Choose an order type.")
    requested = _date(data.requested_date, "requested_date", errors)
    promised = _date(data.promised_date, "promised_date", errors)
    if len(data.customer_po) > 80:
        errors["customer_po"] = _("At most %(n)s characters.", n=80)
    if data.currency not in CURRENCIES:
        errors["currency"] = _("Choose a currency.")
    lines = []
    for index, line in enumerate(data.lines):
        if not line.is_blank():
            lines.append(_line(index, line, errors))
    if not lines:
        errors["lines"] = _("Add at least one order line.")
    elif data.order_type == "regular" and any(line.product is None for line in lines):
        errors["order_type"] = _("An order with non-standard items cannot be a regular order.")
    if errors:
        return None, errors
    for position, line in enumerate(lines, start=1):
        line.position = position
    return CheckedOrder(
        customer,
        data.customer_po.strip(),
        data.order_type,
        requested,
        promised,
        data.currency,
        data.notes.strip()[:MAX_TEXT],
        lines,
    ), {}

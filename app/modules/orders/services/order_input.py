"""Checking what sales typed for an order: header, lines, non-standard specifications."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

from app import limits
from app.extensions import db
from app.limits import record_id
from app.modules.orders.models import ORDER_TYPES, SPEC_FIELDS, Customer, Order, OrderLine, Product

# Specifications a non-standard line cannot do without (DOMAIN.md: parameters, technical,
# process, quality and packaging requirements); packaging materials may follow later.
REQUIRED_SPECS = SPEC_FIELDS[:-1]
CURRENCIES = ("CNY", "USD", "EUR", "HKD", "JPY")


@dataclass
class LineInput:
    """One order line as typed: product id or a described item, quantity, unit price, specs."""

    product_id: str = ""
    description: str = ""
    quantity: str = ""
    unit_price: str = ""
    specs: dict[str, str] = field(default_factory=dict)
    row: int | None = None  # the row's number in the posted form, for its error messages

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
    key = f"lines-{index if line.row is None else line.row}-"
    product = None
    if line.product_id:
        product_id = record_id(line.product_id)
        product = db.session.get(Product, product_id) if product_id is not None else None
        if product is None:
            errors[key + "product_id"] = _("Choose a product from the list.")
    description = limits.check_text(line.description, "notes", errors, key + "description")
    specs = {
        k: limits.check_text(line.specs.get(k, ""), "notes", errors, key + k) for k in SPEC_FIELDS
    }
    if not line.product_id:
        if not description:
            errors.setdefault(key + "description", _("Describe the non-standard item."))
        for spec in REQUIRED_SPECS:
            if not specs[spec]:
                errors[key + spec] = _("A non-standard item needs this specification.")
    qty = limits.parse_number(line.quantity, "quantity", errors, key + "quantity")
    price = limits.parse_number(line.unit_price or "0", "price", errors, key + "unit_price")
    return OrderLine(
        product=product,
        description=description,
        quantity=qty,
        unit_price=price,
        **({} if product else specs),
    )


def _lines(data: OrderInput, errors: dict[str, str]) -> list[OrderLine]:
    typed = [(index, line) for index, line in enumerate(data.lines) if not line.is_blank()]
    most = int(limits.get("order_lines"))
    if len(typed) > most:
        errors["lines"] = _(
            "An order holds at most %(n)s lines; this one has %(count)s. Split it into "
            "several orders.",
            n=most,
            count=len(typed),
        )
        return []
    lines = [_line(index, line, errors) for index, line in typed]
    if all(line.quantity is not None and line.unit_price is not None for line in lines):
        total = sum((line.quantity * line.unit_price for line in lines), Decimal(0))
        limits.check_total(total, errors)
    return lines


def check_order(data: OrderInput) -> tuple[CheckedOrder | None, dict[str, str]]:
    """Validate the typed order; returns the checked data or field errors (never both)."""
    errors: dict[str, str] = {}
    customer_id = record_id(data.customer_id)
    customer = db.session.get(Customer, customer_id) if customer_id is not None else None
    if customer is None:
        errors["customer_id"] = _("Choose a customer.")
    if data.order_type not in ORDER_TYPES:
        errors["order_type"] = _("Choose an order type.")
    requested = _date(data.requested_date, "requested_date", errors)
    promised = _date(data.promised_date, "promised_date", errors)
    po_length = limits.column_length(Order.customer_po)
    customer_po = limits.check_text(data.customer_po, po_length, errors, "customer_po")
    notes = limits.check_text(data.notes, "notes", errors, "notes")
    if data.currency not in CURRENCIES:
        errors["currency"] = _("Choose a currency.")
    lines = _lines(data, errors)
    if not lines:
        errors.setdefault("lines", _("Add at least one order line."))
    elif data.order_type == "regular" and any(line.product is None for line in lines):
        errors["order_type"] = _("An order with non-standard items cannot be a regular order.")
    if errors:
        return None, errors
    for position, line in enumerate(lines, start=1):
        line.position = position
    return CheckedOrder(
        customer,
        customer_po,
        data.order_type,
        requested,
        promised,
        data.currency,
        notes,
        lines,
    ), {}

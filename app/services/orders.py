"""Entering orders and reading them back."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.models import Customer, HumanTask, Order, OrderLine, Product, User
from app.models.base import utcnow
from app.models.orders import ORDER_TYPES
from app.services import audit, instances

REVIEW_PROCESS = "order_review"


@dataclass
class LineInput:
    """One order line as typed: product id or a description, quantity, unit price."""

    product_id: str = ""
    description: str = ""
    quantity: str = ""
    unit_price: str = ""


@dataclass
class OrderInput:
    """The new-order form as typed by sales."""

    customer_id: str = ""
    customer_po: str = ""
    order_type: str = "regular"
    requested_date: str = ""
    currency: str = "CNY"
    notes: str = ""
    lines: list[LineInput] = field(default_factory=list)


def _decimal(text: str, positive: bool) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        return None
    if not value.is_finite() or value < 0 or (positive and value == 0) or value > Decimal("1e9"):
        return None
    return value


def _check_lines(lines: list[LineInput], errors: dict[str, str]) -> list[OrderLine]:
    result = []
    for index, line in enumerate(lines):
        if not (line.product_id or line.description.strip() or line.quantity.strip()):
            continue
        product = None
        if line.product_id:
            product = db.session.get(Product, int(line.product_id)) if line.product_id.isdigit() else None
            if product is None:
                errors[f"lines-{index}-product_id"] = _("Choose a product from the list.")
        elif not line.description.strip():
            errors[f"lines-{index}-description"] = _("Describe the non-standard item.")
        qty = _decimal(line.quantity, positive=True)
        if qty is None:
            errors[f"lines-{index}-quantity"] = _("Enter a quantity greater than zero.")
        price = _decimal(line.unit_price or "0", positive=False)
        if price is None:
            errors[f"lines-{index}-unit_price"] = _("Enter a price of zero or more.")
        result.append(
            OrderLine(position=len(result) + 1, product=product, description=line.description.strip(),
                      quantity=qty, unit_price=price)
        )
    if not result and "lines" not in errors:
        errors["lines"] = _("Add at least one order line.")
    return result


def _next_number(today: date) -> str:
    prefix = f"SO-{today.year}-"
    last = db.session.scalar(
        db.select(db.func.max(Order.number)).where(Order.number.like(prefix + "%"))
    )
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:05d}"


def create_order(actor: User, data: OrderInput) -> Order:
    """Check and store a new order, then start its review process."""
    errors: dict[str, str] = {}
    customer = db.session.get(Customer, int(data.customer_id)) if data.customer_id.isdigit() else None
    if customer is None:
        errors["customer_id"] = _("Choose a customer.")
    if data.order_type not in ORDER_TYPES:
        errors["order_type"] = _("Choose an order type.")
    requested = None
    if data.requested_date:
        try:
            requested = date.fromisoformat(data.requested_date)
        except ValueError:
            errors["requested_date"] = _("Enter a date as YYYY-MM-DD.")
    if len(data.customer_po) > 80:
        errors["customer_po"] = _("At most %(n)s characters.", n=80)
    lines = _check_lines(data.lines, errors)
    if errors:
        raise InvalidInput(errors=errors)
    order = Order(
        number=_next_number(utcnow().date()),
        customer=customer,
        customer_po=data.customer_po.strip(),
        order_type=data.order_type,
        requested_date=requested,
        currency=(data.currency or "CNY").upper()[:3],
        notes=data.notes.strip(),
        created_by_id=actor.id,
        lines=lines,
        status="in_review",
    )
    db.session.add(order)
    db.session.flush()
    audit.record(actor, "order.create", "order", order.id, order_id=order.id,
                 data={"number": order.number, "lines": len(lines)})
    instances.start_process(REVIEW_PROCESS, actor, order=order, data={"order": order_summary(order)})
    return order


def order_summary(order: Order) -> dict:
    """The order facts a process may read in its expressions."""
    return {
        "id": order.id,
        "number": order.number,
        "type": order.order_type,
        "customer": order.customer.name,
        "line_count": len(order.lines),
        "non_standard_lines": sum(1 for line in order.lines if line.product_id is None),
    }


def get_order(order_id: int) -> Order:
    """One order or NotFound."""
    order = db.session.get(Order, order_id)
    if order is None:
        raise NotFound(_("This order does not exist."))
    return order


def list_orders(status: str = "", customer_id: int | None = None, waiting_on: int | None = None,
                query: str = "", limit: int = 200) -> list[Order]:
    """Orders for the list page, newest first, filtered."""
    stmt = db.select(Order).options(db.joinedload(Order.customer)).order_by(Order.id.desc())
    if status:
        stmt = stmt.where(Order.status == status)
    if customer_id:
        stmt = stmt.where(Order.customer_id == customer_id)
    if waiting_on:
        stmt = stmt.where(
            Order.id.in_(
                db.select(HumanTask.order_id).where(
                    HumanTask.state == "ready", HumanTask.department_id == waiting_on
                )
            )
        )
    if query:
        stmt = stmt.where(Order.number.ilike(f"%{query.strip()}%"))
    return list(db.session.scalars(stmt.limit(limit)))


def order_tasks(order_id: int) -> list[HumanTask]:
    """Every human task of the order, in the order they were created."""
    return list(
        db.session.scalars(
            db.select(HumanTask).where(HumanTask.order_id == order_id).order_by(HumanTask.id)
        )
    )


def customers() -> list[Customer]:
    """All customers by name."""
    return list(db.session.scalars(db.select(Customer).order_by(Customer.name)))


def products() -> list[Product]:
    """The catalogue by code."""
    return list(db.session.scalars(db.select(Product).order_by(Product.code)))

"""Customers, catalogue products and production lines: the master data orders refer to."""

from decimal import Decimal

from flask_babel import gettext as _

from app import limits
from app.core.audit import services as audit
from app.core.notifications import services as notifications
from app.core.submissions import uniqueness
from app.core.users import permissions
from app.core.users.models import User
from app.errors import InvalidInput, PermissionDenied
from app.extensions import db
from app.modules.orders.models import Customer, Product, ProductionLine
from app.modules.orders.services import products as product_service

TIERS = ("key", "standard", "new")


def _deny(actor: User, what: str) -> PermissionDenied:
    audit.record(actor, "denied.catalogue", what, None)
    db.session.flush()
    return PermissionDenied(_("You may not change this part of the catalogue."))


def create_customer(
    actor: User,
    name: str,
    contact: str,
    address: str,
    tier: str,
    form_token: str = "",
    email: str = "",
) -> Customer:
    """Add a customer (once per rendered form: `form_token`, see uniqueness.claim_submission)."""
    if not permissions.may_edit_customers(actor):
        raise _deny(actor, "customer")
    submission = uniqueness.claim_submission(actor, form_token, "customer")
    errors: dict[str, str] = {}
    name = " ".join((name or "").split())
    if len(name) > limits.column_length(Customer.name):
        limits.check_text(name, limits.column_length(Customer.name), errors, "name")
    elif len(name) < 2:
        errors["name"] = _("Enter the customer's name (2 to 200 characters).")
    elif db.session.scalar(db.select(Customer.id).where(Customer.name == name)):
        errors["name"] = _("This customer already exists.")
    contact = limits.check_text(contact, limits.column_length(Customer.contact), errors, "contact")
    address = limits.check_text(address, "notes", errors, "address")
    if tier not in TIERS:
        errors["tier"] = _("Choose a tier.")
    email = notifications.clean_email(email, errors) or ""
    if errors:
        raise InvalidInput(errors=errors)
    customer = Customer(name=name, contact=contact, address=address, tier=tier, email=email)
    with uniqueness.refuse_duplicate("name", _("This customer already exists.")):
        db.session.add(customer)
    uniqueness.bind_submission(submission, customer.id)
    audit.record(actor, "customer.create", "customer", customer.id, data={"name": name})
    return customer


def _daily_hours(text: str, errors: dict) -> Decimal | None:
    return limits.parse_number(text, "capacity", errors, "daily_hours")


def create_line(actor: User, code: str, name: str, daily_hours: str = "16") -> ProductionLine:
    """Add a production line with its daily capacity in hours."""
    if not permissions.may_edit_products(actor):
        raise _deny(actor, "production_line")
    errors: dict[str, str] = {}
    hours = _daily_hours(daily_hours, errors)
    code = product_service.check_code(code, errors)
    if "code" not in errors and db.session.scalar(
        db.select(ProductionLine.id).where(ProductionLine.code == code)
    ):
        errors["code"] = _("This code is taken.")
    name = product_service.check_name(name, errors)
    if errors:
        raise InvalidInput(errors=errors)
    line = ProductionLine(code=code, name=name, daily_hours=hours)
    with uniqueness.refuse_duplicate("code", _("This code is taken.")):
        db.session.add(line)
    audit.record(actor, "production_line.create", "production_line", line.id, data={"code": code})
    return line


def set_capacity(actor: User, line_id: int, daily_hours: str) -> ProductionLine:
    """Change a line's hours per working day (the plan recomputes with it)."""
    if not permissions.may_edit_products(actor):
        raise _deny(actor, "production_line")
    line = db.session.get(ProductionLine, line_id)
    if line is None:
        raise InvalidInput(errors={"daily_hours": _("This production line does not exist.")})
    errors: dict[str, str] = {}
    hours = _daily_hours(daily_hours, errors)
    if errors:
        raise InvalidInput(errors=errors)
    old, line.daily_hours = line.daily_hours, hours
    audit.record(
        actor,
        "production_line.capacity",
        "production_line",
        line.id,
        data={"from": str(old), "to": str(hours)},
    )
    return line


def create_product(
    actor: User,
    code: str,
    name: str,
    unit: str,
    standard_cost: str,
    rates: dict[int, str],
    form_token: str = "",
) -> Product:
    """Add a catalogue product with the hours per unit on each line that can make it."""
    if not permissions.may_edit_products(actor):
        raise _deny(actor, "product")
    submission = uniqueness.claim_submission(actor, form_token, "product")
    errors: dict[str, str] = {}
    code = product_service.check_code(code, errors)
    if "code" not in errors and db.session.scalar(
        db.select(Product.id).where(Product.code == code)
    ):
        errors["code"] = product_service.code_taken(code)
    name = product_service.check_name(name, errors)
    unit = limits.check_text(unit, limits.column_length(Product.unit), errors, "unit")
    if not unit:
        errors.setdefault("unit", _("Enter the unit, e.g. pcs."))
    cost = limits.parse_number(standard_cost or "0", "cost", errors, "standard_cost")
    product_rates = product_service.parse_rates(rates, errors)
    if errors:
        raise InvalidInput(errors=errors)
    product = Product(code=code, name=name, unit=unit, standard_cost=cost)
    with uniqueness.refuse_duplicate("code", product_service.code_taken(code)):
        db.session.add(product)
        product_service.set_rates(product, product_rates)
    uniqueness.bind_submission(submission, product.id)
    product_service.record_change(actor, product, "create", {}, "")
    audit.record(actor, "product.create", "product", product.id, data={"code": code})
    return product


def lines() -> list[ProductionLine]:
    """Every production line by code."""
    return list(db.session.scalars(db.select(ProductionLine).order_by(ProductionLine.code)))

"""Customers, catalogue products and production lines: the master data orders refer to."""

import re
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from app.errors import InvalidInput, PermissionDenied
from app.extensions import db
from app.models import Customer, Product, ProductionLine, ProductLineRate, User
from app.services import audit, uniqueness

TIERS = ("key", "standard", "new")
_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{1,39}")


def may_edit_customers(user: User) -> bool:
    """Sales keeps its customers; admins may too."""
    return user.is_admin or (user.department is not None and user.department.key == "sales")


def may_edit_products(user: User) -> bool:
    """Engineering keeps the catalogue and the lines; admins may too."""
    return user.is_admin or (
        user.department is not None and user.department.key in ("engineering", "production")
    )


def _deny(actor: User, what: str) -> PermissionDenied:
    audit.record(actor, "denied.catalogue", what, None)
    db.session.flush()
    return PermissionDenied(_("You may not change this part of the catalogue."))


def create_customer(
    actor: User, name: str, contact: str, address: str, tier: str, token: str = ""
) -> Customer:
    """Add a customer (once per rendered form: `token`, see uniqueness.claim_submission)."""
    if not may_edit_customers(actor):
        raise _deny(actor, "customer")
    submission = uniqueness.claim_submission(actor, token, "customer")
    errors: dict[str, str] = {}
    name = " ".join(name.split())
    if not 2 <= len(name) <= 200:
        errors["name"] = _("Enter the customer's name (2 to 200 characters).")
    elif db.session.scalar(db.select(Customer.id).where(Customer.name == name)):
        errors["name"] = _("This customer already exists.")
    if tier not in TIERS:
        errors["tier"] = _("Choose a tier.")
    if errors:
        raise InvalidInput(errors=errors)
    customer = Customer(
        name=name, contact=contact.strip()[:200], address=address.strip()[:2000], tier=tier
    )
    with uniqueness.refuse_duplicate("name", _("This customer already exists.")):
        db.session.add(customer)
    uniqueness.bind_submission(submission, customer.id)
    audit.record(actor, "customer.create", "customer", customer.id, data={"name": name})
    return customer


def _code(text: str, errors: dict, key: str = "code") -> str:
    code = text.strip().upper()
    if not _CODE.fullmatch(code):
        errors[key] = _("Use 2-40 capital letters, digits or dashes.")
    return code


def _daily_hours(text: str, errors: dict) -> Decimal | None:
    try:
        value = Decimal((text or "").strip())
        ok = value.is_finite() and Decimal(0) < value <= Decimal(24 * 20)
    except InvalidOperation:
        ok = False
    if not ok:
        errors["daily_hours"] = _(
            "Enter the hours the line works per working day, e.g. 16 for two 8-hour shifts."
        )
        return None
    return value.quantize(Decimal("0.01"))


def create_line(actor: User, code: str, name: str, daily_hours: str = "16") -> ProductionLine:
    """Add a production line with its daily capacity in hours."""
    if not may_edit_products(actor):
        raise _deny(actor, "production_line")
    errors: dict[str, str] = {}
    hours = _daily_hours(daily_hours, errors)
    code = _code(code, errors)
    if "code" not in errors and db.session.scalar(
        db.select(ProductionLine.id).where(ProductionLine.code == code)
    ):
        errors["code"] = _("This code is taken.")
    if not name.strip():
        errors["name"] = _("Enter a name.")
    if errors:
        raise InvalidInput(errors=errors)
    line = ProductionLine(code=code, name=name.strip()[:200], daily_hours=hours)
    with uniqueness.refuse_duplicate("code", _("This code is taken.")):
        db.session.add(line)
    audit.record(actor, "production_line.create", "production_line", line.id, data={"code": code})
    return line


def set_capacity(actor: User, line_id: int, daily_hours: str) -> ProductionLine:
    """Change a line's hours per working day (the plan recomputes with it)."""
    if not may_edit_products(actor):
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


def _amount(text: str, errors: dict, key: str, positive: bool) -> Decimal | None:
    try:
        value = Decimal(text.strip())
        ok = (
            value.is_finite() and (value > 0 if positive else value >= 0) and value < Decimal("1e9")
        )
    except (InvalidOperation, AttributeError):
        ok = False
    if not ok:
        errors[key] = (
            _("Enter a number greater than zero.")
            if positive
            else _("Enter a number of zero or more.")
        )
        return None
    return value


def create_product(
    actor: User,
    code: str,
    name: str,
    unit: str,
    standard_cost: str,
    rates: dict[int, str],
    token: str = "",
) -> Product:
    """Add a catalogue product with the hours per unit on each line that can make it."""
    if not may_edit_products(actor):
        raise _deny(actor, "product")
    submission = uniqueness.claim_submission(actor, token, "product")
    errors: dict[str, str] = {}
    code = _code(code, errors)
    if "code" not in errors and db.session.scalar(
        db.select(Product.id).where(Product.code == code)
    ):
        errors["code"] = _("Product code %(code)s is already in the catalogue.", code=code)
    if not name.strip():
        errors["name"] = _("Enter a name.")
    if not unit.strip():
        errors["unit"] = _("Enter the unit, e.g. pcs.")
    cost = _amount(standard_cost or "0", errors, "standard_cost", positive=False)
    product_rates = []
    for line_id, text in rates.items():
        if not text.strip():
            continue
        hours = _amount(text, errors, f"rate-{line_id}", positive=True)
        line = db.session.get(ProductionLine, line_id)
        if hours is not None and line is not None:
            product_rates.append(ProductLineRate(line=line, hours_per_unit=hours))
    if errors:
        raise InvalidInput(errors=errors)
    product = Product(
        code=code,
        name=name.strip()[:200],
        unit=unit.strip()[:20],
        standard_cost=cost,
        rates=product_rates,
    )
    taken = _("Product code %(code)s is already in the catalogue.", code=code)
    with uniqueness.refuse_duplicate("code", taken):
        db.session.add(product)
    uniqueness.bind_submission(submission, product.id)
    audit.record(actor, "product.create", "product", product.id, data={"code": code})
    return product


def lines() -> list[ProductionLine]:
    """Every production line by code."""
    return list(db.session.scalars(db.select(ProductionLine).order_by(ProductionLine.code)))

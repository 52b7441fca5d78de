"""Suppliers (供应商): who purchasing buys from."""

import re
from dataclasses import dataclass

from flask_babel import gettext as _

from app import limits
from app.core.audit import services as audit
from app.core.submissions import uniqueness
from app.core.users import permissions
from app.core.users.models import User
from app.errors import InvalidInput, NotFound, PermissionDenied
from app.extensions import db
from app.modules.purchasing.models import Supplier

CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{1,39}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
FIELDS = ("code", "name", "contact", "phone", "email")


@dataclass(frozen=True)
class SupplierInput:
    """What the supplier form sends."""

    code: str
    name: str
    contact: str = ""
    phone: str = ""
    email: str = ""


def require_buyer(actor: User, action: str, object_type: str, object_id=None) -> None:
    """Refuse (403, audited) anyone but purchasing."""
    if not permissions.may_purchase(actor):
        audit.record(actor, f"denied.{action}", object_type, object_id)
        db.session.flush()
        raise PermissionDenied(_("Only purchasing does this."))


def _check(data: SupplierInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    values = {}
    code = (data.code or "").strip().upper()
    if not CODE.fullmatch(code):
        errors["code"] = _("Use 2-40 capital letters, digits or dashes.")
    values["code"] = code
    for name in ("name", "contact", "phone", "email"):
        column = getattr(Supplier, name)
        values[name] = limits.check_text(
            getattr(data, name), limits.column_length(column), errors, name
        )
    if not values["name"] and "name" not in errors:
        errors["name"] = _("Enter a name.")
    if values["email"] and "email" not in errors and not EMAIL.fullmatch(values["email"]):
        errors["email"] = _("Enter an e-mail address such as name@example.com.")
    if errors:
        raise InvalidInput(errors=errors)
    return values


def create_supplier(actor: User, data: SupplierInput) -> Supplier:
    """Add a supplier; a code taken (even by a form sent at the same time) is refused."""
    require_buyer(actor, "supplier", "supplier")
    values = _check(data)
    supplier = Supplier(**values)
    taken = _("Supplier code %(code)s is already in use.", code=values["code"])
    with uniqueness.refuse_duplicate("code", taken):
        db.session.add(supplier)
    audit.record(actor, "supplier.create", "supplier", supplier.id, data=values)
    return supplier


def edit_supplier(actor: User, supplier_id: int, data: SupplierInput, active: bool) -> Supplier:
    """Change a supplier's details; an inactive one takes no new purchase orders."""
    require_buyer(actor, "supplier", "supplier", supplier_id)
    supplier = get_supplier(supplier_id)
    values = _check(data)
    before = {name: getattr(supplier, name) for name in FIELDS}
    taken = _("Supplier code %(code)s is already in use.", code=values["code"])
    with uniqueness.refuse_duplicate("code", taken):
        for name, value in values.items():
            setattr(supplier, name, value)
        supplier.is_active = active
    audit.record(
        actor,
        "supplier.edit",
        "supplier",
        supplier.id,
        data={"before": before, "after": values, "active": active},
    )
    return supplier


def get_supplier(supplier_id: int) -> Supplier:
    """One supplier, or NotFound."""
    supplier = db.session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound(_("This supplier does not exist."))
    return supplier


def suppliers(active_only: bool = False) -> list[Supplier]:
    """Suppliers by code (only the active ones if asked)."""
    stmt = db.select(Supplier).order_by(Supplier.code)
    if active_only:
        stmt = stmt.where(Supplier.is_active.is_(True))
    return list(db.session.scalars(stmt))

"""Catalogue products after they exist: their line rates, edits by engineering (or an admin),
the history of every change, and the product a standardisation creates (docs/PRODUCTS.md)."""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _

from app import limits
from app.core.audit import services as audit
from app.core.submissions import uniqueness
from app.core.users import permissions
from app.core.users.models import User
from app.errors import InvalidInput, PermissionDenied
from app.extensions import db
from app.modules.orders.models import (
    OrderLine,
    Product,
    ProductChange,
    ProductionLine,
    ProductLineRate,
)

CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{1,39}")
RATE_FIELD = "rate:"  # history rows name a rate "rate:<line code>"


@dataclass
class ProductInput:
    """What a product form sends: its fields, the hours per unit by line id, why (edits)."""

    code: str = ""
    name: str = ""
    unit: str = "pcs"
    standard_cost: str | None = None  # None: not shown to this user, keep what is stored
    rates: dict[int, str] = field(default_factory=dict)
    reason: str = ""


@dataclass(frozen=True)
class ChangeView:
    """One history entry as the product page shows it."""

    action: str
    at: datetime
    by: str
    reason: str
    rows: list[dict]


def check_code(text: str, errors: dict, key: str = "code") -> str:
    """A product or line code: 2-40 capital letters, digits or dashes (lower case is raised)."""
    code = (text or "").strip().upper()
    if not CODE.fullmatch(code):
        errors[key] = _("Use 2-40 capital letters, digits or dashes.")
    return code


def check_name(text: str, errors: dict, key: str = "name") -> str:
    """A name within the names bound, not empty."""
    name = limits.check_text(text, "name", errors, key)
    if not name:
        errors.setdefault(key, _("Enter a name."))
    return name


def code_taken(code: str) -> str:
    """The message for a product code already in the catalogue."""
    return _("Product code %(code)s is already in the catalogue.", code=code)


def parse_rates(
    rates: dict[int, str], errors: dict, prefix: str = "rate-", required: bool = False
) -> dict[ProductionLine, Decimal]:
    """Hours per unit by line from `{line id: text}`; blank means the line cannot make it."""
    lines = {line.id: line for line in db.session.scalars(db.select(ProductionLine))}
    found = {}
    for line_id, text in sorted(rates.items()):
        if not (text or "").strip():
            continue
        hours = limits.parse_number(text, "rate", errors, f"{prefix}{line_id}")
        line = lines.get(line_id)
        if line is None:
            errors[f"{prefix}{line_id}"] = _("This production line does not exist.")
        elif hours is not None:
            found[line] = hours
    if required and not found and not any(k.startswith(prefix) for k in errors):
        errors["rates"] = _(
            "Give the hours per unit on at least one line: without it the product cannot be"
            " planned."
        )
    return found


def snapshot(product: Product) -> dict[str, str]:
    """The product's fields and rates as text, the way the history compares them."""
    values = {
        "code": product.code,
        "name": product.name,
        "unit": product.unit,
        "standard_cost": f"{Decimal(product.standard_cost or 0).normalize():f}",
    }
    for rate in sorted(product.rates, key=lambda r: r.line.code):
        values[RATE_FIELD + rate.line.code] = f"{rate.hours_per_unit.normalize():f}"
    return values


def record_change(
    actor: User | None, product: Product, action: str, before: dict[str, str], reason: str
) -> ProductChange | None:
    """Keep what changed (field, old, new); an edit that changes nothing records nothing."""
    after = snapshot(product)
    rows = [
        {"field": name, "old": before.get(name, ""), "new": after.get(name, "")}
        for name in sorted(set(before) | set(after))
        if before.get(name, "") != after.get(name, "")
    ]
    if not rows:
        return None
    change = ProductChange(
        product_id=product.id,
        action=action,
        changed_by_id=actor.id if actor else None,
        reason=reason,
        changes=json.dumps(rows, ensure_ascii=False),
    )
    db.session.add(change)
    return change


def set_rates(product: Product, rates: dict[ProductionLine, Decimal]) -> None:
    """Make the product's rates exactly `rates` (lines left out can no longer make it)."""
    kept = {rate.line_id: rate for rate in product.rates}
    product.rates = [
        kept.get(line.id) or ProductLineRate(line=line, hours_per_unit=hours)
        for line, hours in sorted(rates.items(), key=lambda item: item[0].code)
    ]
    for rate in product.rates:
        rate.hours_per_unit = rates[rate.line]


def edit_product(actor: User, product_id: int, data: ProductInput) -> Product:
    """Change a product's code, name, unit, cost (readers of costs only) and line rates, with a
    reason; the change is kept in the product's history."""
    if not permissions.may_edit_products(actor):
        audit.record(actor, "denied.catalogue", "product", product_id)
        db.session.flush()
        raise PermissionDenied(_("You may not change this part of the catalogue."))
    product = db.session.get(Product, product_id, with_for_update=True)
    if product is None:
        raise InvalidInput(errors={"__form__": _("This product does not exist.")})
    errors: dict[str, str] = {}
    code = check_code(data.code, errors)
    if "code" not in errors and code != product.code and _code_used(code):
        errors["code"] = code_taken(code)
    name = check_name(data.name, errors)
    unit = limits.check_text(data.unit, limits.column_length(Product.unit), errors, "unit")
    if not unit:
        errors.setdefault("unit", _("Enter the unit, e.g. pcs."))
    cost = product.standard_cost
    if data.standard_cost is not None and permissions.can_see_prices(actor):
        cost = limits.parse_number(data.standard_cost or "0", "cost", errors, "standard_cost")
    rates = parse_rates(data.rates, errors, required=True)
    reason = limits.check_text(data.reason, "notes", errors, "reason")
    if not reason:
        errors.setdefault("reason", _("Say why the product changes."))
    if errors:
        raise InvalidInput(errors=errors)
    before = snapshot(product)
    with uniqueness.refuse_duplicate("code", code_taken(code)):
        product.code, product.name, product.unit, product.standard_cost = code, name, unit, cost
        set_rates(product, rates)
    if record_change(actor, product, "edit", before, reason) is None:
        raise InvalidInput(errors={"__form__": _("Nothing was changed.")})
    audit.record(actor, "product.edit", "product", product.id, data={"code": code})
    return product


def _code_used(code: str) -> bool:
    return db.session.scalar(db.select(Product.id).where(Product.code == code)) is not None


def create_from_item(
    actor: User,
    item: OrderLine,
    data: ProductInput,
    rates: dict[ProductionLine, Decimal],
    reason: str,
) -> Product:
    """The standard product a non-standard item becomes, with its line rates; a code taken
    meanwhile (two standardisations at once) is refused on the code field."""
    product = Product(
        code=data.code,
        name=data.name,
        standard_cost=Decimal(str(data.standard_cost or 0)),
        unit="pcs",
    )
    with uniqueness.refuse_duplicate("code", code_taken(data.code)):
        db.session.add(product)
        set_rates(product, rates)
    item.standard_product_id = product.id
    record_change(actor, product, "create", {}, reason)
    return product


def history(product: Product, viewer: User) -> list[ChangeView]:
    """The product's changes, newest first; cost rows only for readers of costs."""
    changes = db.session.scalars(
        db.select(ProductChange)
        .where(ProductChange.product_id == product.id)
        .order_by(ProductChange.changed_at.desc(), ProductChange.id.desc())
    )
    return [
        ChangeView(
            action=change.action,
            at=change.changed_at,
            by=change.changed_by.display_name if change.changed_by else "—",
            reason=change.reason,
            rows=permissions.visible_rows(viewer, json.loads(change.changes)),
        )
        for change in changes
    ]


def form_values(product: Product) -> dict[str, str]:
    """The edit form prefilled with what is stored."""
    values = {
        "code": product.code,
        "name": product.name,
        "unit": product.unit,
        "standard_cost": f"{Decimal(product.standard_cost or 0).normalize():f}",
    }
    for rate in product.rates:
        values[f"rate-{rate.line_id}"] = f"{rate.hours_per_unit.normalize():f}"
    return values

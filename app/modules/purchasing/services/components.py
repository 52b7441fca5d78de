"""Components (物料) and bills of materials (BOM): what a product, or a non-standard order line
as engineering gives it in review, takes of each component per unit, in the component's one
unit of measure (no conversion)."""

import re
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _

from app import limits
from app.core.audit import services as audit
from app.core.submissions import uniqueness
from app.core.users import permissions
from app.core.users.models import User
from app.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.extensions import db
from app.limits import NumberBound
from app.modules.orders.models import RELEASED_STATUSES, Order, OrderLine, Product
from app.modules.orders.services import subject as order_subject
from app.modules.purchasing.models import BomLine, Component, StockBalance, StockMove

CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{1,39}")
# BOM quantities per unit: a thousandth of a unit up to a million (the component's unit).
PER_UNIT = NumberBound(Decimal("0.001"), Decimal("1000000"), 3)
# Most components a bill of materials may list.
MAX_BOM_LINES = 100


@dataclass(frozen=True)
class ComponentInput:
    """What the component form sends."""

    code: str
    name: str
    unit: str


def _deny(actor: User, what: str, object_id=None) -> PermissionDenied:
    audit.record(actor, f"denied.{what}", "component", object_id)
    db.session.flush()
    return PermissionDenied(_("Only engineering or purchasing keeps components and BOMs."))


def require_bom_keeper(actor: User, product_id: int | None = None) -> None:
    """Refuse (403, audited) anyone but engineering, purchasing or an admin."""
    if not permissions.may_edit_boms(actor):
        raise _deny(actor, "bom", product_id)


def get_product(product_id: int) -> Product:
    """One catalogue product, or NotFound."""
    product = db.session.get(Product, product_id)
    if product is None:
        raise NotFound(_("This product does not exist."))
    return product


def _check(data: ComponentInput) -> tuple[str, str, str]:
    errors: dict[str, str] = {}
    code = (data.code or "").strip().upper()
    if not CODE.fullmatch(code):
        errors["code"] = _("Use 2-40 capital letters, digits or dashes.")
    name = limits.check_text(data.name, limits.column_length(Component.name), errors, "name")
    if not name and "name" not in errors:
        errors["name"] = _("Enter a name.")
    unit = limits.check_text(data.unit, limits.column_length(Component.unit), errors, "unit")
    if not unit and "unit" not in errors:
        errors["unit"] = _("Enter the unit of measure, e.g. kg, m or pcs.")
    if errors:
        raise InvalidInput(errors=errors)
    return code, name, unit


def _taken(code: str) -> str:
    return _("Component code %(code)s is already in use.", code=code)


def create_component(actor: User, data: ComponentInput) -> Component:
    """Add a component; a code taken (even by a form sent at the same time) is refused."""
    if not permissions.may_edit_boms(actor):
        raise _deny(actor, "component")
    code, name, unit = _check(data)
    component = Component(code=code, name=name, unit=unit)
    with uniqueness.refuse_duplicate("code", _taken(code)):
        db.session.add(component)
        db.session.flush()
        # Its balance row exists from the start: every movement locks it, none creates it.
        db.session.add(StockBalance(component_id=component.id))
    audit.record(actor, "component.create", "component", component.id, data={"code": code})
    return component


def edit_component(actor: User, component_id: int, data: ComponentInput) -> Component:
    """Change a component's code or name; its unit only while no BOM or ledger row uses it."""
    if not permissions.may_edit_boms(actor):
        raise _deny(actor, "component", component_id)
    component = get_component(component_id)
    code, name, unit = _check(data)
    if unit != component.unit and in_use(component.id):
        raise InvalidInput(
            errors={"unit": _("The unit cannot change: BOMs or stock already count in it.")}
        )
    before = {"code": component.code, "name": component.name, "unit": component.unit}
    with uniqueness.refuse_duplicate("code", _taken(code)):
        component.code, component.name, component.unit = code, name, unit
    audit.record(
        actor,
        "component.edit",
        "component",
        component.id,
        data={"before": before, "after": {"code": code, "name": name, "unit": unit}},
    )
    return component


def in_use(component_id: int) -> bool:
    """Whether a BOM line or the stock ledger counts in the component's unit."""
    for model in (BomLine, StockMove):
        found = db.session.scalar(
            db.select(model.id).where(model.component_id == component_id).limit(1)
        )
        if found is not None:
            return True
    return False


def get_component(component_id: int) -> Component:
    """One component, or NotFound."""
    component = db.session.get(Component, component_id)
    if component is None:
        raise NotFound(_("This component does not exist."))
    return component


def components() -> list[Component]:
    """Every component by code."""
    return list(db.session.scalars(db.select(Component).order_by(Component.code)))


def bom_of_product(product_id: int) -> list[BomLine]:
    """A product's BOM lines by component code."""
    return list(
        db.session.scalars(
            db.select(BomLine)
            .join(Component)
            .where(BomLine.product_id == product_id)
            .order_by(Component.code)
        )
    )


def bom_of_item(order_line_id: int) -> list[BomLine]:
    """A non-standard order line's BOM lines (engineering's) by component code."""
    return list(
        db.session.scalars(
            db.select(BomLine)
            .join(Component)
            .where(BomLine.order_line_id == order_line_id)
            .order_by(Component.code)
        )
    )


def parse_bom(rows: list[tuple[str, str]], errors: dict) -> dict[Component, Decimal]:
    """A BOM from (component id, quantity per unit) pairs as typed; blank rows are skipped, a
    component twice, an unknown one or a quantity out of bounds is refused on its row."""
    known = {c.id: c for c in components()}
    chosen: dict[Component, Decimal] = {}
    seen: set[int] = set()
    if len(rows) > MAX_BOM_LINES:
        errors["bom"] = _("A BOM lists at most %(n)s components.", n=MAX_BOM_LINES)
        return chosen
    for index, (component_text, quantity_text) in enumerate(rows):
        if not (component_text or "").strip() and not (quantity_text or "").strip():
            continue
        component = known.get(limits.record_id(component_text))
        if component is None:
            errors[f"bom-{index}-component"] = _("Choose a component.")
            continue
        if component.id in seen:
            errors[f"bom-{index}-component"] = _(
                "Component %(code)s is listed twice.", code=component.code
            )
            continue
        seen.add(component.id)
        quantity = limits.parse_number(quantity_text, PER_UNIT, errors, f"bom-{index}-quantity")
        if quantity is not None:
            chosen[component] = quantity
    return chosen


def _replace(existing: list[BomLine], wanted: dict[Component, Decimal], **owner) -> list[dict]:
    """Make the BOM lines say `wanted`; the changes made, for the audit row."""
    changes = []
    by_component = {line.component_id: line for line in existing}
    for line in existing:
        if line.component not in wanted:
            changes.append({"component": line.component.code, "before": str(line.quantity)})
            db.session.delete(line)
    for component, quantity in wanted.items():
        line = by_component.get(component.id)
        if line is None:
            db.session.add(BomLine(component=component, quantity=quantity, **owner))
            changes.append({"component": component.code, "after": f"{quantity:f}"})
        elif line.quantity != quantity:
            changes.append(
                {
                    "component": component.code,
                    "before": f"{line.quantity:f}",
                    "after": f"{quantity:f}",
                }
            )
            line.quantity = quantity
    db.session.flush()
    return changes


def set_product_bom(actor: User, product_id: int, rows: list[tuple[str, str]]) -> list[dict]:
    """Replace a product's BOM with the rows typed; returns what changed (audited)."""
    require_bom_keeper(actor, product_id)
    product = db.session.get(Product, product_id, with_for_update=True)
    if product is None:
        raise NotFound(_("This product does not exist."))
    errors: dict[str, str] = {}
    wanted = parse_bom(rows, errors)
    if errors:
        raise InvalidInput(errors=errors)
    changes = _replace(bom_of_product(product.id), wanted, product_id=product.id)
    if not changes:
        raise InvalidInput(errors={"__form__": _("Nothing was changed.")})
    audit.record(actor, "bom.edit", "product", product.id, data={"changes": changes})
    return changes


def get_item(order_line_id: int) -> OrderLine:
    """A non-standard order line (the items engineering gives a BOM), or NotFound."""
    item = db.session.get(OrderLine, order_line_id)
    if item is None or item.product_id is not None:
        raise NotFound(_("This order line is not a non-standard item."))
    return item


def set_item_bom(actor: User, order_line_id: int, rows: list[tuple[str, str]]) -> list[dict]:
    """Replace a non-standard order line's BOM: engineering (or purchasing) during the order's
    review, before its release (the release computes the requirements from it)."""
    require_bom_keeper(actor)
    item = get_item(order_line_id)
    order = db.session.get(Order, item.order_id, with_for_update=True)
    if order.status in RELEASED_STATUSES or order.status in ("cancelled", "error"):
        raise Conflict(_("The order is released: its items' BOMs are fixed."))
    errors: dict[str, str] = {}
    wanted = parse_bom(rows, errors)
    if errors:
        raise InvalidInput(errors=errors)
    changes = _replace(bom_of_item(item.id), wanted, order_line_id=item.id)
    if not changes:
        raise InvalidInput(errors={"__form__": _("Nothing was changed.")})
    audit.record(
        actor,
        "bom.edit",
        "order_line",
        item.id,
        subject=order_subject.ref(order),
        data={"changes": changes},
    )
    return changes

"""What some steps do to order data besides moving the process on.

Effects are keyed by the step's spec id (stable in docs/LIFECYCLE_CONTRACT.md). `check` adds field
errors before anything changes; `apply` runs in the same transaction as the completion.
"""

import json
from decimal import Decimal

from flask_babel import gettext as _

from app import limits
from app.core.audit import services as audit
from app.core.tasks.models import HumanTask
from app.core.users.models import User
from app.extensions import db
from app.modules.changes.services import changes
from app.modules.orders.models import Order, OrderLine, Product, ProductionLine
from app.modules.orders.services.order_input import record_id
from app.modules.rush.services import rush

ESTIMATING_STEPS = {"review_production": True, "review_engineering": False}  # step -> required


def nonstandard_lines(order: Order | None) -> list[OrderLine]:
    """The order's described (non-catalogue) lines."""
    return [line for line in order.lines if line.product_id is None] if order else []


def production_lines() -> list[ProductionLine]:
    """Every production line, by code."""
    return list(db.session.scalars(db.select(ProductionLine).order_by(ProductionLine.code)))


def _estimates(task: HumanTask, data: dict, formdata, errors: dict) -> dict[int, tuple]:
    required = ESTIMATING_STEPS[task.spec_name] and data.get("decision") != "reject"
    lines = {line.id: line for line in production_lines()}
    found = {}
    for item in nonstandard_lines(task.order):
        key = f"est-{item.id}-"
        hours_text = (formdata.get(key + "hours") or "").strip()
        line_text = (formdata.get(key + "line") or "").strip()
        if not hours_text and not line_text:
            if required:
                errors[key + "hours"] = _("Estimate the hours per unit and the line for this item.")
            continue
        hours = limits.parse_number(hours_text, "rate", errors, key + "hours")
        line_id = record_id(line_text)
        line = lines.get(line_id) if line_id is not None else None
        if line is None:
            errors[key + "line"] = _("Choose the production line.")
        if hours is not None and line is not None:
            found[item.id] = (hours, line)
    return found


def _standardise_check(task: HumanTask, data: dict, errors: dict) -> None:
    if data.get("make_standard") and data.get("standard_cost") is not None:
        # The form's schema says "a number >= 0"; the column holds what the cost bound allows.
        limits.parse_number(str(data["standard_cost"]), "cost", errors, "standard_cost")
    if data.get("make_standard") and data.get("code"):
        taken = db.session.scalar(db.select(Product.id).where(Product.code == data["code"]))
        if taken:
            errors["code"] = _(
                "Product code %(code)s is already in the catalogue.", code=data["code"]
            )
    if task_line(task) is None:
        errors["__form__"] = _("This task names no order line; it cannot be completed.")


def task_line(task: HumanTask) -> OrderLine | None:
    """The order line a per-line task (e.g. standardisation) is about."""
    context = json.loads(task.context) if task.context else {}
    line_id = (context.get("line") or {}).get("line_id")
    line = db.session.get(OrderLine, line_id) if isinstance(line_id, int) else None
    return line if line is not None and line.order_id == task.order_id else None


def check(task: HumanTask, data: dict, formdata, errors: dict) -> dict:
    """Validate a step's extra input; returns what `apply` needs."""
    if task.spec_name in ESTIMATING_STEPS:
        return {"estimates": _estimates(task, data, formdata, errors)}
    if task.spec_name == "standardise_item":
        _standardise_check(task, data, errors)
    if task.spec_name in changes.APPROVAL_STEPS:
        change = changes.for_instance(task.instance_id)
        if change is not None:
            changes.check_approval(change, data.get("decision"), errors)
    if task.spec_name in rush.DECISION_STEPS:
        return rush.check_decision(task, data, formdata, errors)
    return {}


def apply(task: HumanTask, data: dict, extra: dict, actor: User) -> None:
    """Write a completed step's effects on the order data."""
    if task.spec_name in rush.DECISION_STEPS:
        rush.record_preview(task, extra)
    for line_id, (hours, line) in extra.get("estimates", {}).items():
        item = db.session.get(OrderLine, line_id)
        item.est_hours_per_unit, item.est_line_id = hours, line.id
    if task.spec_name == "standardise_item" and data.get("make_standard"):
        item = task_line(task)
        product = Product(
            code=data["code"],
            name=data["name"],
            standard_cost=Decimal(str(data["standard_cost"])),
            unit="pcs",
        )
        db.session.add(product)
        db.session.flush()
        item.standard_product_id = product.id
        audit.record(
            actor,
            "product.create",
            "product",
            product.id,
            order_id=task.order_id,
            data={"code": product.code, "from_line": item.id},
        )

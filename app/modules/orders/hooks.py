"""How orders plug into the core (app/core/tasks/registry.py): the lifecycle's handlers, what
some lifecycle steps do to order data, and what a task page shows about its order.

Step effects are keyed by the step's spec id (stable in docs/LIFECYCLE_CONTRACT.md). `check` adds
field errors before anything changes; `apply` runs in the same transaction as the completion.
"""

import json

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import limits
from app.core.audit import services as audit
from app.core.comments import services as comments
from app.core.notifications import services as notifications
from app.core.processes import forms
from app.core.subjects import services as subjects
from app.core.tasks import completion, registry
from app.core.tasks.models import HumanTask
from app.core.tasks.registry import Panel, TaskPage
from app.core.users import permissions
from app.core.users.models import User
from app.extensions import db
from app.i18n import current_locale
from app.modules.orders.labels import SPEC_LABELS
from app.modules.orders.models import Order, OrderLine, Product, ProductionLine
from app.modules.orders.panels import OrderPage, register_order_panels
from app.modules.orders.services import access, lifecycle, orders, products, reviews
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.history import order_history
from app.modules.orders.services.order_input import record_id
from app.modules.orders.services.orders import ORDER_LIFECYCLE

# Steps that estimate the non-standard items: step -> (department, estimate required). Each
# department's estimate is kept apart; the plan uses production's when given (docs/PLANNING.md).
ESTIMATING_STEPS = {
    "review_production": ("production", True),
    "review_engineering": ("engineering", False),
}
OTHER_DEPARTMENT = {"production": "engineering", "engineering": "production"}


def nonstandard_lines(order: Order | None) -> list[OrderLine]:
    """The order's described (non-catalogue) lines."""
    return [line for line in order.lines if line.product_id is None] if order else []


def production_lines() -> list[ProductionLine]:
    """Every production line, by code."""
    return list(db.session.scalars(db.select(ProductionLine).order_by(ProductionLine.code)))


def _estimates(task: HumanTask, data: dict, formdata, errors: dict) -> dict[int, tuple]:
    required = ESTIMATING_STEPS[task.spec_name][1] and data.get("decision") != "reject"
    lines = {line.id: line for line in production_lines()}
    found = {}
    for item in nonstandard_lines(order_subject.order_of(task)):
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


def _write_estimates(department: str, estimates: dict[int, tuple]) -> None:
    """Store each item's estimate as this department's; the other department's stays."""
    prefix = "prod" if department == "production" else "eng"
    for line_id, (hours, line) in estimates.items():
        item = db.session.get(OrderLine, line_id)
        setattr(item, f"{prefix}_hours_per_unit", hours)
        setattr(item, f"{prefix}_line_id", line.id)


def _estimate_values(task: HumanTask, order: Order, page: TaskPage) -> dict:
    """What the estimate table shows: what was typed, else this department's stored estimate."""
    if page.values:
        return page.values
    department = ESTIMATING_STEPS[task.spec_name][0]
    values = {}
    for item in nonstandard_lines(order):
        estimate = item.estimate_of(department)
        if estimate is not None:
            values[f"est-{item.id}-hours"] = f"{estimate.hours_per_unit.normalize():f}"
            values[f"est-{item.id}-line"] = str(estimate.line.id)
    return values


def _standardise_check(task: HumanTask, data: dict, formdata, errors: dict) -> dict:
    rates = {}
    if data.get("make_standard"):
        typed = {line.id: formdata.get(f"rate-{line.id}", "") for line in production_lines()}
        rates = products.parse_rates(typed, errors, required=True)
    if data.get("make_standard") and data.get("standard_cost") is not None:
        # The form's schema says "a number >= 0"; the column holds what the cost bound allows.
        limits.parse_number(str(data["standard_cost"]), "cost", errors, "standard_cost")
    if data.get("make_standard") and data.get("code"):
        taken = db.session.scalar(db.select(Product.id).where(Product.code == data["code"]))
        if taken:
            errors["code"] = products.code_taken(data["code"])
    if task_line(task) is None:
        errors["__form__"] = _("This task names no order line; it cannot be completed.")
    return {"rates": rates}


def task_line(task: HumanTask) -> OrderLine | None:
    """The order line a per-line task (e.g. standardisation) is about."""
    context = json.loads(task.context) if task.context else {}
    line_id = (context.get("line") or {}).get("line_id")
    line = db.session.get(OrderLine, line_id) if isinstance(line_id, int) else None
    order = order_subject.order_of(task)
    return line if line is not None and order is not None and line.order_id == order.id else None


def _check(task: HumanTask, data: dict, formdata, errors: dict) -> dict:
    """Validate a lifecycle step's extra input; returns what `_apply` needs."""
    if task.spec_name in ESTIMATING_STEPS:
        return {"estimates": _estimates(task, data, formdata, errors)}
    if task.spec_name == "standardise_item":
        return _standardise_check(task, data, formdata, errors)
    return {}


def _apply(task: HumanTask, data: dict, extra: dict, actor: User) -> None:
    """Write a completed lifecycle step's effects on the order data."""
    if task.spec_name in ESTIMATING_STEPS:
        _write_estimates(ESTIMATING_STEPS[task.spec_name][0], extra.get("estimates", {}))
    if task.spec_name == "standardise_item" and data.get("make_standard"):
        item = task_line(task)
        wanted = products.ProductInput(
            code=data["code"], name=data["name"], standard_cost=str(data["standard_cost"])
        )
        # The history names where the product came from: codes only, read in any language.
        origin = f"{item.order.number} #{item.position}"
        product = products.create_from_item(actor, item, wanted, extra["rates"], origin)
        audit.record(
            actor,
            "product.create",
            "product",
            product.id,
            subject=subjects.ref_of(task),
            data={"code": product.code, "from_line": item.id},
        )


# Steps where sales, PMC and the meeting decide with every department's answers in view.
REVIEW_CONTEXT_STEPS = ("sales_revise", "pmc_consolidate", "review_meeting")


def _editable_step_data(task: HumanTask) -> dict:
    """Sales may have revised the order during its own step: the process reads it afresh."""
    order = order_subject.order_of(task)
    return orders.process_data(order) if order is not None else {}


def _dispatch_panel(task: HumanTask, order: Order, page: TaskPage, locale: str) -> Panel | None:
    """PMC's dispatch instructions (priority, review deadline, notes) and the order's files,
    shown before the form of every later step so nobody opens the order to find them."""
    dispatch = order_subject.dispatch_task(order.id)
    fields = []
    if dispatch is not None and dispatch.id != task.id:
        doc = completion.form_document(dispatch)
        if doc is not None:
            fields = forms.field_views(doc, locale, completion.submitted_data(dispatch))
    files = [
        a
        for a in order.attachments
        if permissions.can_see_prices(page.viewer)
        or a.kind not in permissions.PRICED_ATTACHMENT_KINDS
    ]
    if not fields and not files:
        return None
    context = {"order": order, "dispatch_fields": fields, "dispatch": dispatch, "files": files}
    return Panel("before_form", "orders/_task_dispatch.html", context, order=5)


def _task_panels(task: HumanTask, page: TaskPage) -> list[Panel]:
    """What a task page shows about its order: number, line, estimates, answers, summary."""
    order = order_subject.order_of(task)
    if order is None:
        return []
    locale = current_locale()
    panels = [
        Panel("title", text=order.number),
        Panel(
            "aside",
            "orders/_summary.html",
            {
                "order": order,
                "spec_labels": list(SPEC_LABELS.items()),
                "prices": access.order_prices(page.viewer, order),
                "may_see_prices": permissions.can_see_prices(page.viewer),
            },
        ),
    ]
    dispatched = _dispatch_panel(task, order, page, locale)
    if dispatched is not None:
        panels.append(dispatched)
    steps = order_history(order.id, page.viewer, locale)
    if steps:
        panels.append(Panel("below", "orders/_task_history.html", {"steps": steps}))
    line = task_line(task) if task.context else None
    if line is not None:
        context = {"task_line": line, "spec_labels": list(SPEC_LABELS.items())}
        panels.append(Panel("before_form", "orders/_task_line.html", context, order=10))
    if task.spec_name == "standardise_item" and line is not None:
        panels.append(_rates_panel(line, page))
    if task.spec_name in REVIEW_CONTEXT_STEPS:
        panels.append(
            Panel(
                "before_form",
                "orders/_task_reviews.html",
                {"reviews": reviews.latest_reviews(order)},
                order=50,
            )
        )
    if task.spec_name in ESTIMATING_STEPS:
        panels.append(
            Panel(
                "in_form",
                "orders/_task_estimates.html",
                {
                    "estimate_lines": nonstandard_lines(order),
                    "production_lines": production_lines(),
                    "other_department": OTHER_DEPARTMENT[ESTIMATING_STEPS[task.spec_name][0]],
                    "values": _estimate_values(task, order, page),
                    "errors": page.errors,
                },
                order=50,
            )
        )
    return panels


def _rates_panel(item: OrderLine, page: TaskPage) -> Panel:
    """Standardisation asks the new product's hours per unit on each line, prefilled from the
    estimate the plan uses for the item."""
    values = page.values
    if not values:
        estimate = item.planned_estimate
        values = (
            {f"rate-{estimate.line.id}": f"{estimate.hours_per_unit.normalize():f}"}
            if estimate is not None
            else {}
        )
    context = {
        "production_lines": production_lines(),
        "estimate": item.planned_estimate,
        "values": values,
        "errors": page.errors,
    }
    return Panel("in_form", "orders/_task_rates.html", context, order=50)


def _timeline_panels(order: Order, page: OrderPage) -> list[Panel]:
    """The comments and notes on the order's tasks, in its timeline (app/core/comments)."""
    panel = comments.timeline_panel(order_subject.ref(order), page.viewer, "timeline")
    return [panel] if panel is not None else []


def register() -> None:
    """Plug orders into the core: the lifecycle kind, its steps, task panels, create forms."""
    registry.register(
        ORDER_LIFECYCLE,
        on_cancel=lifecycle.end_with_lifecycle,
        on_error=lifecycle.stop_order,
    )
    registry.register_outcome_listener(lifecycle.follow_status)
    registry.register_step((*ESTIMATING_STEPS, "standardise_item"), check=_check, apply=_apply)
    registry.register_step(orders.EDITABLE_STEPS, process_data=_editable_step_data)
    registry.register_task_panels(_task_panels)
    register_order_panels(_timeline_panels)
    registry.register_submitted_page("order", "orders.detail", "order_id")
    order_subject.register()
    notifications.register_kind(
        "order_released", "orders/_notice_released.html", _l("Order released to production")
    )
    notifications.register_kind(
        "process_cancelled", "orders/_notice_cancelled.html", _l("Process cancelled")
    )
    registry.register_submitted_page("customer", "catalogue.customers")
    registry.register_submitted_page("product", "catalogue.products")

"""How close-out plugs into the core and the orders: its process kind, the delivery listeners
that start it, the costing step's check and apply, its task-page panels, the order-page section
and its notification kinds."""

from flask_babel import lazy_gettext as _l

from app.core.notifications import services as notifications
from app.core.tasks import registry
from app.core.tasks.models import HumanTask
from app.core.tasks.registry import Panel, TaskPage
from app.core.users import permissions
from app.core.users.models import User
from app.modules.closeout.services import costing, history, process, reading
from app.modules.orders import events
from app.modules.orders.models import Order, Product
from app.modules.orders.panels import (
    OrderPage,
    ProductPage,
    register_order_panels,
    register_product_panels,
)
from app.modules.orders.services import subject as order_subject


def _check(task: HumanTask, data: dict, formdata, errors: dict) -> dict:
    """The costing step: finance's per-line figures, computed before anything changes; the
    margin goes to the process (its approval level decision reads it)."""
    order = order_subject.order_of(task)
    if order is None:
        return {}
    figures = costing.parse(order, formdata, errors)
    if figures is None:
        return {}
    return {"closeout_figures": figures, "process_data": figures.process_data()}


def _apply(task: HumanTask, data: dict, extra: dict, actor: User) -> None:
    figures = extra.get("closeout_figures")
    order = order_subject.order_of(task)
    closeout = process.closeout_of(order.id) if order is not None else None
    if figures is not None and closeout is not None:
        process.record_costing(closeout, figures, actor)


def _task_panels(task: HumanTask, page: TaskPage) -> list[Panel]:
    if task.spec_name != process.COSTING_STEP and task.spec_name not in process.APPROVAL_STEPS:
        return []
    order = order_subject.order_of(task)
    closeout = process.closeout_of(order.id) if order is not None else None
    if closeout is None or not permissions.can_see_prices(page.viewer):
        return []
    if task.spec_name == process.COSTING_STEP:
        context = reading.costing_form(order, closeout, page.values, page.errors)
        return [Panel("in_form", "closeout/_task_costing.html", context, order=40)]
    context = {"view": reading.figures_view(closeout)}
    return [Panel("before_form", "closeout/_figures.html", context, order=40)]


def _order_panels(order: Order, page: OrderPage) -> list[Panel]:
    if order.status not in (process.DELIVERED, process.CLOSED) or not page.may_see_prices:
        return []
    closeout = process.closeout_of(order.id)
    if closeout is None or closeout.costed_at is None:
        return []
    return [
        Panel(
            "sections", "closeout/_figures.html", {"view": reading.figures_view(closeout)}, order=60
        )
    ]


def _product_panels(product: Product, page: ProductPage) -> list[Panel]:
    """The product's cost history from closed orders, for price readers."""
    if not page.may_see_prices:
        return []
    context = {"product": product, "cost": history.cost_history(product.id)}
    return [Panel("sections", "closeout/_product_costs.html", context, order=10)]


def register() -> None:
    """Plug close-out into the core and the orders."""
    registry.register(process.KIND, on_outcome=process.on_outcome, on_cancel=process.on_cancel)
    registry.register_outcome_listener(process.on_any_outcome)
    events.on_delivered(process.on_delivered)
    registry.register_step(process.COSTING_STEP, check=_check, apply=_apply)
    registry.register_task_panels(_task_panels)
    register_order_panels(_order_panels)
    register_product_panels(_product_panels)
    notifications.register_kind(
        "closeout_due", "closeout/_notice_due.html", _l("Delivered order to close out")
    )
    notifications.register_kind(
        "order_closed", "closeout/_notice_closed.html", _l("Order closed out")
    )

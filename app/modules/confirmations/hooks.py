"""How confirmations plug into the core and the order page: the "send the confirmation" task
and the order page show the link, QR, sheet and scan upload (the customer's answer completes the
step on its own)."""

from flask_babel import lazy_gettext as _l

from app.core.notifications import services as notifications
from app.core.tasks import registry
from app.core.tasks.models import HumanTask
from app.core.tasks.registry import Panel, TaskPage
from app.core.users import permissions
from app.modules.confirmations.services import confirmations
from app.modules.orders.models import Order
from app.modules.orders.panels import OrderPage, register_order_panels
from app.modules.orders.services import subject as order_subject


def _task_panels(task: HumanTask, page: TaskPage) -> list[Panel]:
    order = order_subject.order_of(task)
    if task.spec_name != confirmations.ANSWERED_STEP or order is None:
        return []
    context = {
        "order": order,
        "confirmations": confirmations.confirmations_of(order),
        "is_sales": page.can_act,
        "may_see_prices": permissions.can_see_prices(page.viewer),
    }
    return [Panel("before_form", "confirmations/_task_panel.html", context, order=40)]


def _order_panels(order: Order, page: OrderPage) -> list[Panel]:
    context = {
        "order": order,
        "confirmations": confirmations.confirmations_of(order),
        "is_sales": page.is_sales,
        "may_see_prices": page.may_see_prices,
    }
    return [Panel("sections", "confirmations/_order_panel.html", context, order=10)]


def register() -> None:
    """Plug confirmations into the core and the order page."""
    registry.register_task_panels(_task_panels)
    register_order_panels(_order_panels)
    notifications.register_kind(
        "customer_confirmed",
        "confirmations/_notice_confirmed.html",
        _l("Customer confirmed my order"),
    )

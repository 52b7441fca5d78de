"""How quotations plug into the core (their subject type, the approval process's kind and task
panel, their notifications, where the create form lands) and into the order page (the
quotation an order came from)."""

from flask_babel import lazy_gettext as _l

from app.core.notifications import services as notifications
from app.core.subjects import services as subjects
from app.core.tasks import registry
from app.core.tasks.models import HumanTask
from app.core.tasks.registry import Panel, TaskPage
from app.core.users import permissions
from app.modules.orders.models import Order
from app.modules.orders.panels import OrderPage, register_order_panels
from app.modules.quotations.services import acceptance, approval, quotations, reading


def _task_panels(task: HumanTask, page: TaskPage) -> list[Panel]:
    found = approval.for_instance(task.instance_id)
    if found is None or not permissions.can_see_prices(page.viewer):
        return []
    context = {"quotation": found, "line_flags": reading.line_flags}
    return [Panel("before_form", "quotations/_task_panel.html", context, order=20)]


def _order_panels(order: Order, page: OrderPage) -> list[Panel]:
    found = acceptance.from_order(order.id)
    if found is None or not page.may_see_prices:
        return []
    return [Panel("summary", "quotations/_order_panel.html", {"quotation": found}, order=15)]


def register() -> None:
    """Plug quotations into the core and the order page."""
    subjects.register_type(quotations.SUBJECT, quotations.card, "quotations.detail", "quotation_id")
    registry.register(
        approval.KIND, on_outcome=approval.on_outcome, on_cancel=approval.on_cancelled
    )
    notifications.register_kind(
        "quotation_news", "quotations/_notice_news.html", _l("News of a quotation")
    )
    registry.register_task_panels(_task_panels)
    registry.register_submitted_page("quotation", "quotations.detail", "quotation_id")
    register_order_panels(_order_panels)

"""How returns plug into the core (the return process's kind, its task-page panel, its
notifications, where its create forms land) and into the order page (the buttons, the order's
returns and complaints with the customer's history, and timeline entries)."""

from flask_babel import lazy_gettext as _l

from app.core.notifications import services as notifications
from app.core.tasks import registry
from app.core.tasks.models import HumanTask
from app.core.tasks.registry import Panel, TaskPage
from app.core.users import permissions
from app.modules.orders.models import Order
from app.modules.orders.panels import OrderPage, register_order_panels
from app.modules.returns.services import complaints, outcomes, reading, requests


def _task_panels(task: HumanTask, page: TaskPage) -> list[Panel]:
    found = requests.for_instance(task.instance_id)
    if found is None:
        return []
    context = {
        "ret": found,
        "may_see_prices": permissions.can_see_prices(page.viewer),
        "reasons": requests.REASONS,
        "outcomes": requests.OUTCOMES,
    }
    return [Panel("before_form", "returns/_task_panel.html", context, order=20)]


def _order_panels(order: Order, page: OrderPage) -> list[Panel]:
    panels = []
    if requests.may_request(page.viewer, order):
        panels.append(Panel("actions", "returns/_order_action.html", {"order": order}, order=30))
    if complaints.may_record(page.viewer, order):
        action = "returns/_complaint_action.html"
        panels.append(Panel("actions", action, {"order": order}, order=31))
    returns = reading.returns_of(order.id)
    found = reading.complaints_of(order.id)
    replaced = reading.replaced_by(order.id)
    if returns or found or replaced:
        context = {
            "returns": returns,
            "complaints": found,
            "replaced": replaced,
            "history": reading.customer_history(order.customer_id),
            "customer": order.customer,
        }
        panels.append(Panel("sections", "returns/_order_panel.html", context, order=40))
        timeline = {"returns": returns, "complaints": found}
        panels.append(Panel("timeline", "returns/_timeline.html", timeline, order=40))
    return panels


def register() -> None:
    """Plug returns and complaints into the core and the order page."""
    registry.register(
        requests.KIND, on_outcome=outcomes.on_outcome, on_cancel=outcomes.on_cancelled
    )
    notifications.register_kind(
        "return_decided", "returns/_notice_decided.html", _l("Decision on a return")
    )
    notifications.register_kind(
        "complaint_recorded", "returns/_notice_complaint.html", _l("Customer complaint")
    )
    registry.register_task_panels(_task_panels)
    registry.register_submitted_page("return_request", "returns.detail", "return_id")
    registry.register_submitted_page("complaint", "returns.index")
    register_order_panels(_order_panels)

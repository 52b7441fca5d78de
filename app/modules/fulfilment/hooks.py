"""How fulfilment plugs into the core and the order page: the fulfilment process's kind and
its start on release (an outcome listener), the progress section and button on the order page,
the late-order notification (also after a material date changes), and where a progress form's
second submit lands."""

from flask_babel import lazy_gettext as _l

from app.core.notifications import services as notifications
from app.core.tasks import registry
from app.core.tasks.registry import Panel
from app.core.users import permissions
from app.modules.fulfilment.services import lateness, process, tracking
from app.modules.orders.models import IN_PLAN_STATUSES, RELEASED_STATUSES, Order
from app.modules.orders.panels import OrderPage, register_order_panels
from app.modules.schedule.services import materials, plan


def _order_panels(order: Order, page: OrderPage) -> list:
    if order.status not in RELEASED_STATUSES:
        return []
    panels = []
    if order.status in IN_PLAN_STATUSES and permissions.may_report_progress(page.viewer):
        panels.append(Panel("actions", "fulfilment/_order_action.html", {"order": order}, order=30))
    job = None
    if order.status in IN_PLAN_STATUSES:
        job, _problem = plan.attempt(lambda: plan.planned(order))
    context = {
        "progress": tracking.progress_of(order, job),
        "late_flag": lateness.flag_of(order.id),
    }
    panels.append(Panel("sections", "fulfilment/_order_progress.html", context, order=10))
    return panels


def register() -> None:
    """Plug fulfilment into the core and the order page."""
    registry.register(process.KIND)
    registry.register_outcome_listener(process.on_release)
    register_order_panels(_order_panels)
    registry.register_submitted_page(
        "progress_report", "fulfilment.progress", "order_id", "#reports"
    )
    notifications.register_kind(
        "order_late", "fulfilment/_notice_late.html", _l("Order behind plan or late")
    )
    # A material date that moves an order past its promised date flags it and tells its owner.
    materials.on_change("late_orders", lateness.check)

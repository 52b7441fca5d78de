"""How shipping plugs into the core and the order page: the order's shipments (a section, a
button for the warehouse, timeline entries), the notices to the order's owner, the status
follower, and where a shipment or receipt form's second submit lands."""

from flask_babel import lazy_gettext as _l

from app.core.notifications import services as notifications
from app.core.tasks import registry
from app.core.tasks.registry import Panel
from app.core.users import permissions
from app.modules.orders.models import RELEASED_STATUSES, Order
from app.modules.orders.panels import OrderPage, register_order_panels
from app.modules.shipping.services import reading, shipping


def _order_panels(order: Order, page: OrderPage) -> list[Panel]:
    if order.status not in RELEASED_STATUSES:
        return []
    shipments = reading.shipments_of(order)
    totals = reading.line_totals(order)
    may_ship = order.status in shipping.SHIPPABLE_STATUSES and permissions.may_ship(page.viewer)
    may_ship = may_ship and any(item.shippable > 0 for item in totals)
    panels = []
    if may_ship:
        context = {"order": order}
        panels.append(Panel("actions", "shipping/_order_action.html", context, order=40))
    if shipments or may_ship or order.status in shipping.AFTER_PRODUCTION:
        context = {"order": order, "shipments": shipments, "totals": totals}
        panels.append(Panel("sections", "shipping/_order_panel.html", context, order=20))
    if shipments:
        panels.append(
            Panel("timeline", "shipping/_timeline.html", {"shipments": shipments}, order=5)
        )
    return panels


def register() -> None:
    """Plug shipping into the core and the order page."""
    register_order_panels(_order_panels)
    registry.register_outcome_listener(shipping.on_outcome)
    registry.register_submitted_page(shipping.SUBMISSION_KIND, "shipping.detail", "shipment_id")
    registry.register_submitted_page(shipping.RECEIPT_KIND, "shipping.detail", "shipment_id")
    notifications.register_kind(
        "order_shipped", "shipping/_notice_shipped.html", _l("Goods of my order shipped")
    )
    notifications.register_kind(
        "order_delivered", "shipping/_notice_delivered.html", _l("My order delivered")
    )

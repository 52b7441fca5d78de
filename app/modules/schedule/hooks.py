"""How the schedule plugs into the core and the order page: the factory calendar's form lives on
its page; the order page shows the order's place in the plan (or why it has none) and its
materials (ready, expected by a date, or unknown; PMC's override and its form)."""

from flask_babel import lazy_gettext as _l

from app.core.calendar.models import CalendarDay
from app.core.notifications import services as notifications
from app.core.tasks import registry
from app.core.tasks.models import HumanTask
from app.core.tasks.registry import Panel
from app.core.users import permissions
from app.modules.orders.models import Order, OrderLine, ProductionLine, ProductLineRate
from app.modules.orders.panels import OrderPage, register_order_panels
from app.modules.schedule.models import MaterialOverride, PlanSlot
from app.modules.schedule.services import inputs, materials, plan
from app.modules.schedule.services.jobs import ACTIVE_STATUSES


def _order_panels(order: Order, page: OrderPage) -> list[Panel]:
    place, problem = plan.attempt(lambda: plan.place_of(order))
    planned, unplanned_reason = place or (None, None)
    panels = []
    if order.status in ACTIVE_STATUSES:
        context = {
            "order": order,
            "material": materials.material_of(order),
            "planned": planned,
            "may_set": permissions.may_plan(page.viewer),
            "reason_limit": materials.REASON_LIMIT,
        }
        panels.append(Panel("sections", "schedule/_order_materials.html", context, order=5))
    if not (planned or unplanned_reason or problem):
        return panels
    context = {"planned": planned, "unplanned_reason": unplanned_reason, "plan_problem": problem}
    return [Panel("summary", "schedule/_order_panel.html", context, order=10), *panels]


def register() -> None:
    """Say where a calendar date, once saved, is shown; show the order's place in the plan."""
    registry.register_submitted_page("calendar_day", "schedule.index", anchor="#calendar")
    register_order_panels(_order_panels)
    materials.register()
    _watch_inputs()


def _watch_inputs() -> None:
    """What the plan is computed from (services/plan.py `_build`, jobs.py, materials.py): a
    write to any of it moves the plan's input version on (services/inputs.py)."""
    inputs.watch(Order, ("status", "promised_date", "released_at", "number"))
    inputs.watch(
        OrderLine,
        (
            "order_id",
            "position",
            "product_id",
            "standard_product_id",
            "quantity",
            "quantity_done",
            "eng_hours_per_unit",
            "eng_line_id",
            "prod_hours_per_unit",
            "prod_line_id",
        ),
    )
    inputs.watch(ProductLineRate)
    inputs.watch(ProductionLine, ("code", "daily_hours"))
    inputs.watch(CalendarDay, ("day", "kind"))
    inputs.watch(PlanSlot)
    inputs.watch(MaterialOverride, ("order_id", "ready_on"))
    inputs.watch(
        HumanTask,
        ("state", "data", "subject_key", "subject_type"),
        when=lambda task: task.spec_name == materials.WAREHOUSE_STEP,
    )
    inputs.install()
    notifications.register_kind(
        "order_delayed", "schedule/_notice_delayed.html", _l("Order late against its promised date")
    )

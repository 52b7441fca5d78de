"""How purchasing plugs into the core (the approval process's kind, its subject, task panel,
notifications and the late-order job), the orders (the release and production-start events,
the product page's BOM, the order page's materials), the plan (a material source above the
warehouse review's) and close-out (the material cost of each order line)."""

from flask_babel import lazy_gettext as _l

from app import worker
from app.core.notifications import services as notifications
from app.core.subjects import services as subjects
from app.core.tasks import registry
from app.core.tasks.models import HumanTask
from app.core.tasks.registry import Panel, TaskPage
from app.core.users import permissions
from app.modules.closeout.services import costing as closeout_costing
from app.modules.orders import events
from app.modules.orders.models import Order, Product
from app.modules.orders.panels import (
    OrderPage,
    ProductPage,
    register_order_panels,
    register_product_panels,
)
from app.modules.orders.services import subject as order_subject
from app.modules.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseRequest,
    Requirement,
)
from app.modules.purchasing.services import (
    buying,
    components,
    costs,
    late,
    readiness,
    reading,
    requirements,
)
from app.modules.schedule.services import inputs as plan_inputs
from app.modules.schedule.services.materials import register_material_source


def _product_panels(product: Product, page: ProductPage) -> list[Panel]:
    context = {
        "product": product,
        "bom": components.bom_of_product(product.id),
        "may_edit": permissions.may_edit_boms(page.viewer),
    }
    return [Panel("sections", "purchasing/_product_bom.html", context, order=20)]


def _order_panels(order: Order, page: OrderPage) -> list[Panel]:
    view = reading.materials_of(order.id)
    if view is None:
        return []
    context = {
        "order": order,
        "view": view,
        "may_issue": view.issuable and permissions.may_move_stock(page.viewer),
    }
    panels = [Panel("sections", "purchasing/_order_materials.html", context, order=25)]
    if view.late:
        panels.append(Panel("summary", "purchasing/_order_late.html", context, order=5))
    return panels


def _task_panels(task: HumanTask, page: TaskPage) -> list[Panel]:
    if task.spec_name == ENGINEERING_REVIEW:
        return _item_bom_panels(task, page)
    if task.spec_name not in buying.APPROVAL_STEPS:
        return []
    po = buying.for_instance(task.instance_id)
    if po is None:
        return []
    context = reading.po_page(po, page.viewer)
    return [Panel("before_form", "purchasing/_task_panel.html", context, order=20)]


# The engineering review gives each non-standard item its BOM (a page of its own, linked here).
ENGINEERING_REVIEW = "review_engineering"


def _item_bom_panels(task: HumanTask, page: TaskPage) -> list[Panel]:
    order = order_subject.order_of(task)
    items = [line for line in order.lines if line.product_id is None] if order else []
    if not items:
        return []
    context = {
        "items": [(item, components.bom_of_item(item.id)) for item in items],
        "may_edit": permissions.may_edit_boms(page.viewer),
    }
    return [Panel("before_form", "purchasing/_task_item_bom.html", context, order=30)]


def register() -> None:
    """Plug purchasing into the core, the orders, the plan and close-out."""
    registry.register(buying.KIND, on_outcome=buying.on_outcome, on_cancel=buying.on_cancel)
    subjects.register_type(buying.SUBJECT, buying.describe, "purchasing.po_detail", "po_id")
    registry.register_task_panels(_task_panels)
    registry.register_submitted_page("purchase_order", "purchasing.po_detail", "po_id")
    register_product_panels(_product_panels)
    register_order_panels(_order_panels)
    events.on_released(requirements.on_released)
    events.on_production_started(requirements.on_production_started)
    events.on_cancelled(requirements.on_cancelled)
    register_material_source(readiness.statuses, readiness.PRIORITY, name="purchasing")
    # What readiness.statuses reads: a write to it moves the plan's input version on.
    plan_inputs.watch(Requirement, ("order_id", "quantity", "reserved"))
    plan_inputs.watch(PurchaseRequest, ("order_id", "requirement_id", "po_line_id", "status"))
    plan_inputs.watch(
        PurchaseOrderLine, ("purchase_order_id", "expected_date", "quantity", "received")
    )
    plan_inputs.watch(PurchaseOrder, ("number", "status"))
    closeout_costing.register_material_cost(costs.material_cost)
    worker.register_job("purchasing.late", late.notify_late)
    for kind, label in (
        ("purchase_order_decided", _l("Decision on a purchase order")),
        ("purchase_order_late", _l("Purchase order late")),
        ("material_to_inspect", _l("Incoming material to inspect")),
        ("material_rejected", _l("Incoming material rejected")),
        ("materials_ready", _l("Materials ready")),
    ):
        notifications.register_kind(kind, f"purchasing/_notice_{kind}.html", label)

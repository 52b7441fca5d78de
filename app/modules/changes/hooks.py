"""How change requests plug into the core: the change process's kind, the approval steps'
check, the task-page panel with the diff, where a change form's result is shown; and into the
order page: the button to raise a change and the order's change history."""

from flask_babel import lazy_gettext as _l

from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.notifications import services as notifications
from app.core.tasks import registry
from app.core.tasks.models import HumanTask
from app.core.tasks.registry import Panel, TaskPage
from app.modules.changes.services import changes, reading
from app.modules.orders.models import Order
from app.modules.orders.panels import OrderPage, register_order_panels
from app.modules.orders.services import subject as order_subject


def _check_approval(task: HumanTask, data: dict, formdata, errors: dict) -> dict:
    change = changes.for_instance(task.instance_id)
    if change is not None:
        changes.check_approval(change, data.get("decision"), errors)
    return {}


def _task_panels(task: HumanTask, page: TaskPage) -> list[Panel]:
    change = changes.for_instance(task.instance_id)
    if change is None:
        return []
    context = reading.view(change, page.viewer).as_context()
    return [Panel("before_form", "changes/_task_panel.html", context, order=20)]


def _order_panels(order: Order, page: OrderPage) -> list[Panel]:
    panels = []
    if changes.may_raise(page.viewer, order):
        panels.append(Panel("actions", "changes/_order_action.html", {"order": order}, order=10))
    history = {"change_history": reading.changes_of(order)}
    if history["change_history"]:
        panels.append(Panel("summary", "changes/_order_panel.html", history, order=30))
    return panels


def _withdrawn(instance, actor, reason: str) -> None:
    """Its requester withdrew the change before anyone acted (撤回): the request is cancelled,
    which frees the order's slot for an open change; the order itself was not touched yet."""
    change = changes.for_instance(instance.id)
    if change is None or change.status != "open":
        return
    change.status, change.decided_at = "cancelled", utcnow()
    audit.record(
        actor,
        "change.withdrawn",
        "change_request",
        change.id,
        subject=order_subject.ref(change.order),
        instance_id=instance.id,
        data={"reason": reason},
    )


def register() -> None:
    """Plug change requests into the core and the order page."""
    registry.register(
        changes.KIND,
        on_outcome=changes.on_outcome,
        on_cancel=changes.on_cancelled,
        on_withdraw=_withdrawn,
    )
    registry.register_step(changes.APPROVAL_STEPS, check=_check_approval)
    notifications.register_kind(
        "change_decided", "changes/_notice_decided.html", _l("Decision on my change request")
    )
    notifications.register_kind(
        "order_unplannable", "changes/_notice_unplannable.html", _l("Order cannot be planned")
    )
    registry.register_task_panels(_task_panels)
    registry.register_submitted_page("change_request", "changes.detail", "change_id")
    register_order_panels(_order_panels)

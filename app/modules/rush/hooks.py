"""How rush requests plug into the core: the rush process's kind, the decision steps (the
impact is recomputed under the plan lock on "approve"), the task-page panels with the live
impact, where a rush form's result is shown; and into the order page: the button to request a
rush and the order's rush requests. Pages of the domains above rush (changes' approvals) show
a rush's impact and the rush counts through the Panels built here."""

from flask_babel import lazy_gettext as _l

from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.notifications import services as notifications
from app.core.tasks import registry
from app.core.tasks.models import HumanTask
from app.core.tasks.registry import Panel, TaskPage
from app.modules.orders.models import Order
from app.modules.orders.panels import OrderPage, register_order_panels
from app.modules.orders.services import subject as order_subject
from app.modules.rush.services import deciding, reading, rush
from app.modules.rush.services.preview import RushPreview

GANTT = {"styles": ("gantt.css",), "scripts": ("gantt.js",)}  # the impact's charts need them


def _task_panels(task: HumanTask, page: TaskPage) -> list[Panel]:
    found = rush.for_instance(task.instance_id)
    if found is None:
        return []
    live = rush.live(found)
    context = {"r": found, "preview": live.preview, "problem": live.problem}
    return [
        Panel("before_form", "rush/_task_panel.html", context, order=30, **GANTT),
        Panel("in_form", "rush/_task_form.html", {"preview": live.preview}, order=10),
    ]


def _order_panels(order: Order, page: OrderPage) -> list[Panel]:
    panels = []
    if rush.may_request(page.viewer, order):
        panels.append(Panel("actions", "rush/_order_action.html", {"order": order}, order=20))
    history = {"rush_history": reading.requests_of(order)}
    if history["rush_history"]:
        panels.append(Panel("summary", "rush/_order_panel.html", history, order=20))
    return panels


def impact_panel(preview: RushPreview | None) -> Panel:
    """A rush insertion's impact on the plan (slips, load, Gantt charts), for a page of a domain
    above rush; `preview` as `rush.live` returns it."""
    return Panel("impact", "rush/_impact.html", {"preview": preview}, **GANTT)


def counts_panel(counts: dict) -> Panel:
    """Rush requests per month, customer and requester (`reading.counts()`), for a page of a domain
    above rush."""
    return Panel("counts", "rush/_counts.html", {"counts": counts})


def _withdrawn(instance, actor, reason: str) -> None:
    """Its requester withdrew the rush before anyone acted (撤回): the request is cancelled;
    the order and the plan were not touched."""
    found = rush.for_instance(instance.id)
    if found is None or found.status != "open":
        return
    found.status, found.decided_at = "cancelled", utcnow()
    found.decision_reason = reason
    audit.record(
        actor,
        "rush.withdrawn",
        "rush_request",
        found.id,
        subject=order_subject.ref(found.order_id),
        instance_id=instance.id,
        data={"reason": reason},
    )


def register() -> None:
    """Plug rush requests into the core and the order page."""
    registry.register(
        rush.KIND,
        on_outcome=deciding.on_outcome,
        on_cancel=deciding.on_cancelled,
        on_withdraw=_withdrawn,
    )
    registry.register_step(
        tuple(rush.DECISION_STEPS),
        check=deciding.check_decision,
        apply=lambda task, data, extra, actor: deciding.record_preview(task, extra),
    )
    notifications.register_kind(
        "rush_decided", "rush/_notice_decided.html", _l("Decision on my rush request")
    )
    registry.register_task_panels(_task_panels)
    registry.register_submitted_page("rush_request", "rush.detail", "rush_id")
    register_order_panels(_order_panels)

"""Deciding a rush request: each approval is checked against the plan as it is now, and once the
process decides, the plan changes (or the request closes) in the same transaction, under the plan
lock (docs/RUSH_CONTRACT.md). Asking for a rush is app/modules/rush/services/rush.py."""

from __future__ import annotations

import json

from flask_babel import gettext as _

from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.notifications import services as notifications
from app.core.tasks.models import HumanTask, ProcessInstance
from app.core.users.models import User
from app.errors import Conflict
from app.extensions import db
from app.modules.orders.services import lifecycle
from app.modules.orders.services import subject as order_subject
from app.modules.rush.models import RushRequest
from app.modules.rush.services.preview import RushPreview, compute
from app.modules.rush.services.rush import DECISION_STEPS, for_instance, live
from app.modules.schedule.services import plan, writing


def check_decision(task: HumanTask, data: dict, formdata, errors: dict) -> dict:
    """On "approve", recompute the impact under the plan lock; refuse it if the page was stale."""
    field = DECISION_STEPS[task.spec_name]
    rush = for_instance(task.instance_id)
    if rush is None or data.get(field) != "approve":
        return {}
    if rush.status != "open":
        errors[field] = _("This rush request is already decided.")
        return {}
    state, problem = plan.attempt(lambda: plan.current(lock=True))
    if problem:
        errors[field] = problem
        return {}
    now = live(rush, state)
    if now.problem:
        errors[field] = now.problem
        return {}
    if (formdata.get("base_fingerprint") or "") != now.preview.base_fingerprint:
        errors[field] = _(
            "The production plan changed since this page was loaded; the impact shown now is "
            "recomputed. Check it and decide again."
        )
        return {}
    return {"rush_preview": now.preview, "process_data": {"impact": now.preview.impact()}}


def record_preview(task: HumanTask, extra: dict) -> None:
    """Keep the preview an approver approved on, as the request's latest preview."""
    preview: RushPreview | None = extra.get("rush_preview")
    rush = for_instance(task.instance_id)
    if preview is None or rush is None:
        return
    rush.preview = preview.to_json()
    rush.base_fingerprint = preview.base_fingerprint


def _rejection_reason(instance_id: int) -> str:
    task = db.session.scalar(
        db.select(HumanTask)
        .where(
            HumanTask.instance_id == instance_id,
            HumanTask.state == "completed",
            HumanTask.spec_name.in_(DECISION_STEPS),
        )
        .order_by(HumanTask.completed_at.desc(), HumanTask.id.desc())
    )
    data = json.loads(task.data or "{}") if task else {}
    return str(data.get("reason") or "")


def on_outcome(instance: ProcessInstance, data: dict, actor: User | None) -> None:
    """Apply the new plan, or close the request, once the process decided it."""
    outcome = data.get("rush_outcome") if isinstance(data, dict) else None
    if outcome not in ("approved", "rejected"):
        return
    rush = for_instance(instance.id)
    if rush is None or rush.status != "open":
        return
    rush.decided_at = utcnow()
    if outcome == "rejected":
        rush.status = "rejected"
        rush.decision_reason = _rejection_reason(instance.id)
        audit.record(
            actor,
            "rush.rejected",
            "rush_request",
            rush.id,
            subject=order_subject.ref(rush.order_id),
        )
        _tell_requester(rush)
        return
    # A plan that cannot be computed now refuses the approval with the reason (nothing changes).
    state = plan.checked(lambda: plan.current(lock=True))
    computed = plan.checked(lambda: compute(rush.order, rush.required_by, rush.line_code, state))
    if computed.preview.base_fingerprint != rush.base_fingerprint:
        raise Conflict(
            _("The production plan changed since this rush was approved on it; decide again.")
        )
    version = writing.write(
        state,
        computed.insertion.after,
        actor,
        "plan.rush",
        {"rush": rush.id, "order": rush.order.number},
    )
    writing.notify_delays(
        state.orders,
        computed.insertion.slips,
        {"cause": "rush", "rush_id": rush.id, "rush_order": rush.order.number},
    )
    rush.status, rush.applied_plan_version = "applied", version
    rush.preview = computed.preview.to_json()
    audit.record(
        actor,
        "rush.applied",
        "rush_request",
        rush.id,
        subject=order_subject.ref(rush.order_id),
        data={"plan_version": version, **computed.preview.impact()},
    )
    _tell_requester(rush)


def _tell_requester(rush: RushRequest) -> None:
    """Whoever asked for the rush hears the decision (approved and planned, or rejected)."""
    notifications.notify_users(
        [rush.requested_by_id],
        order_subject.ref(rush.order_id),
        "rush_decided",
        {
            "number": rush.order.number,
            "rush": rush.id,
            "outcome": rush.status,
            "reason": rush.decision_reason,
        },
    )


def on_cancelled(instance: ProcessInstance, actor: User, reason: str) -> None:
    """An admin cancelled the rush's process: the request closes; the order and plan stay."""
    rush = for_instance(instance.id)
    if rush is None:
        return
    if rush.status == "open":
        rush.status, rush.decided_at = "cancelled", utcnow()
        rush.decision_reason = reason
    audit.record(
        actor,
        "rush.cancelled",
        "rush_request",
        rush.id,
        subject=order_subject.ref(rush.order_id),
        instance_id=instance.id,
        data={"reason": reason, "status": rush.status},
    )
    lifecycle.notify_cancelled(rush.requested_by_id, rush.order, "rush", rush.id, reason)

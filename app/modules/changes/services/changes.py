"""Change requests on confirmed orders (订单变更): a draft revision, reviewed and approved in BPMN.

The draft never touches the order until the process sets `change_outcome = "approved"`; then it
is applied in the same transaction, and only onto the revision it was drafted against.
"""

import json
from dataclasses import asdict, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app import limits
from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.notifications import services as notifications
from app.core.processes.versions import DEMO_DEPARTMENTS
from app.core.submissions import uniqueness
from app.core.tasks import instances
from app.core.tasks.models import ProcessInstance
from app.core.users import permissions
from app.core.users.models import User
from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.modules.changes.models import ChangeRequest
from app.modules.changes.services import diffs
from app.modules.orders.models import IN_PLAN_STATUSES, Order
from app.modules.orders.services import lifecycle, orders, revisions
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.access import deny_order
from app.modules.orders.services.order_input import LineInput, OrderInput, check_order
from app.modules.schedule.services.jobs import ACTIVE_STATUSES, job_for

if TYPE_CHECKING:
    pass

PROCESS = "change_request"
KIND = "change"
# Any department may raise a change notice (issue 4); change_request.bpmn sends it to the head of
# the raising department: one `manager_approval_<key>` step per department, in that lane. A
# department an admin adds later has no step of its own and goes to the sales head (the
# `raised_by` gateway's default flow).
RAISERS = tuple(DEMO_DEPARTMENTS)
REASONS = ("customer_request", "material", "capacity", "quality", "internal", "other")
APPROVAL_STEPS = (*(f"manager_approval_{key}" for key in RAISERS), "gm_approval")


def may_raise(actor: User, order: Order) -> bool:
    """Whether `actor` may raise a change request on `order` now (the order page offers it
    then); only an order released to production and not yet made takes one."""
    return order.status in IN_PLAN_STATUSES and permissions.may_raise_change(actor)


@uniqueness.in_savepoint
def raise_change(
    actor: User,
    order_id: int,
    data: OrderInput,
    reason_category: str,
    reason: str,
    customer_ref: str,
    form_token: str = "",
) -> ChangeRequest:
    """Record a change notice against a released order and start its approval process.

    `form_token` is the form's once-only token: sent twice, the form answers with the first
    request. A refusal undoes only what this call did (a savepoint), not the caller's work.
    """
    order = db.session.scalar(db.select(Order).where(Order.id == order_id).with_for_update())
    if order is None:
        raise NotFound(_("This order does not exist."))
    dept = permissions.department_key(actor)
    if not permissions.may_raise_change(actor):
        message = _("Only a member of a department can raise a change request.")
        raise deny_order(actor, order, "change_request", message=message)
    submission = uniqueness.claim_submission(actor, form_token, "change_request")
    if order.status not in IN_PLAN_STATUSES:
        raise Conflict(
            _("Only a confirmed order that is released to production takes change requests.")
        )
    _ensure_none_open(order)
    errors: dict[str, str] = {}
    if reason_category not in REASONS:
        errors["reason_category"] = _("Choose the kind of reason.")
    reason = limits.check_text(reason, "notes", errors, "reason")
    if not reason:
        errors.setdefault("reason", _("Say why the order must change."))
    ref_length = limits.column_length(ChangeRequest.customer_ref)
    customer_ref = limits.check_text(customer_ref, ref_length, errors, "customer_ref")
    if not permissions.can_see_prices(actor):
        data = _keep_prices(order, data)
    try:
        new, new_total = diffs.draft_snapshot(order, data)
    except InvalidInput as exc:
        errors.update(exc.errors)
        raise InvalidInput(errors=errors) from exc
    old = revisions.snapshot(order)
    rows = diffs.diff(old, new)
    if not rows:
        errors["lines"] = _("Nothing differs from the current revision; change at least one field.")
    if errors:
        raise InvalidInput(errors=errors)
    change = ChangeRequest(
        order=order,
        base_revision=order.revision,
        draft=json.dumps(asdict(data), ensure_ascii=False),
        diff=json.dumps(rows, ensure_ascii=False, default=str),
        reason_category=reason_category,
        reason=reason,
        customer_ref=customer_ref,
        department=dept,
        raised_by_id=actor.id,
    )
    db.session.add(change)
    try:
        db.session.flush()
    except IntegrityError as exc:  # another request opened in the meantime
        raise Conflict(_("Another change request on this order is still open.")) from exc
    uniqueness.bind_submission(submission, change.id)
    flags = diffs.flags(rows, order.total, new_total, old, new)
    audit.record(
        actor,
        "change.raise",
        "change_request",
        change.id,
        subject=order_subject.ref(order),
        data={"reason": change.reason, "fields": [r["field"] for r in rows]},
    )
    instance = instances.start_process(
        PROCESS,
        actor,
        kind=KIND,
        subject=order_subject.ref(order),
        data={
            **orders.order_reference(order),
            "change": {"id": change.id, "raised_by": dept, **flags},
        },
    )
    change.instance_id = instance.id
    return change


def _keep_prices(order: Order, data: OrderInput) -> OrderInput:
    """A raiser who may not see prices cannot change them: each line keeps the price of the
    current line at its position (a line they add is priced 0 for sales to settle)."""
    current = {line.position: line.unit_price for line in order.lines}
    lines = [
        replace(line, unit_price=f"{current.get(i + 1, Decimal(0)).normalize():f}")
        for i, line in enumerate(data.lines)
    ]
    return replace(data, lines=lines)


def _ensure_none_open(order: Order) -> None:
    open_change = db.session.scalar(
        db.select(ChangeRequest).where(
            ChangeRequest.order_id == order.id, ChangeRequest.status == "open"
        )
    )
    if open_change is not None:
        raise Conflict(
            _(
                "Change request #%(id)s on this order is still open; wait for its "
                "decision before raising another.",
                id=open_change.id,
            )
        )


def get_change(change_id: int) -> ChangeRequest:
    """One change request, or NotFound."""
    change = db.session.get(ChangeRequest, change_id)
    if change is None:
        raise NotFound(_("This change request does not exist."))
    return change


def for_instance(instance_id: int | None) -> ChangeRequest | None:
    """The change request a process instance decides, if any."""
    if instance_id is None:
        return None
    return db.session.scalar(
        db.select(ChangeRequest).where(ChangeRequest.instance_id == instance_id)
    )


def check_approval(change: ChangeRequest, decision: str | None, errors: dict) -> None:
    """Refuse to approve a change drafted against a revision that is no longer current."""
    if decision == "approve" and change.base_revision != change.order.revision:
        errors["decision"] = _(
            "The order moved from revision %(a)s to %(b)s since this request was "
            "raised; reject it and raise a new one.",
            a=change.base_revision,
            b=change.order.revision,
        )


def on_outcome(instance: ProcessInstance, data: dict, actor: User | None = None) -> None:
    """Apply or close the change once the process decided it."""
    outcome = data.get("change_outcome") if isinstance(data, dict) else None
    if outcome not in ("approved", "rejected"):
        return
    change = for_instance(instance.id)
    if change is None or change.status != "open":
        return
    change.decided_at = utcnow()
    if outcome == "rejected":
        change.status = "rejected"
        audit.record(
            None,
            "change.rejected",
            "change_request",
            change.id,
            subject=order_subject.ref(change.order_id),
        )
        _tell_requester(change)
        return
    order = db.session.scalar(db.select(Order).where(Order.id == change.order_id).with_for_update())
    if change.base_revision != order.revision:
        raise Conflict(_("The order changed since this request was raised; it cannot be applied."))
    draft = json.loads(change.draft)
    draft["lines"] = [LineInput(**line) for line in draft["lines"]]
    checked, errors = check_order(OrderInput(**draft))
    if errors:
        raise InvalidInput(errors=errors)
    revision = revisions.apply_checked(order, checked, None, revisions.change_reason(change.id))
    change.status, change.applied_revision = "applied", revision.number
    audit.record(
        None,
        "change.applied",
        "change_request",
        change.id,
        subject=order_subject.ref(order),
        data={"revision": revision.number},
    )
    _tell_requester(change)
    _warn_if_unplannable(order, change)


def _tell_requester(change: ChangeRequest) -> None:
    """Whoever raised the change hears the decision (approved and applied, or rejected)."""
    notifications.notify_users(
        [change.raised_by_id],
        order_subject.ref(change.order_id),
        "change_decided",
        {"number": change.order.number, "change": change.id, "outcome": change.status},
    )


def _warn_if_unplannable(order: Order, change: ChangeRequest) -> None:
    """An applied change that takes a planned order off the plan tells PMC and the order's owner."""
    problem = _why_unplannable(order)
    if problem is None:
        return
    recipients = [*notifications.department_member_ids("pmc"), order.created_by_id]
    # The reason is not stored in the notification: each reader sees it on the schedule page,
    # in their own language.
    notifications.notify_users(
        recipients,
        order_subject.ref(order),
        "order_unplannable",
        {"number": order.number, "change": change.id},
    )
    audit.record(
        None,
        "change.unplannable",
        "change_request",
        change.id,
        subject=order_subject.ref(order),
        data={"problem": problem},
    )


def _why_unplannable(order: Order) -> str | None:
    """Why the plan cannot place the order now (None when it can, or it is not to be planned)."""
    from app.modules.schedule.services import plan

    if order.status not in ACTIVE_STATUSES:
        return None
    try:
        job = job_for(order)
    except InvalidInput as exc:
        return exc.message
    if job is None:
        return None
    if not set(job.hours_by_line) & set(plan.current_line_codes()):
        return _("No production line can make this order.")
    return None


def on_cancelled(instance: ProcessInstance, actor: User, reason: str) -> None:
    """An admin cancelled the change's process: the request closes, the order is left as it is.

    A change not yet applied is cancelled (the order's slot for an open change is free again);
    one already applied stays applied. If the process had put the order back to the customer
    for confirmation, the order is released again.
    """
    change = for_instance(instance.id)
    if change is None:
        return
    order = change.order
    if change.status == "open":
        change.status, change.decided_at = "cancelled", utcnow()
    if order.status == "awaiting_customer":
        order.status = "released"
    audit.record(
        actor,
        "change.cancelled",
        "change_request",
        change.id,
        subject=order_subject.ref(order),
        instance_id=instance.id,
        data={"reason": reason, "status": change.status},
    )
    lifecycle.notify_cancelled(change.raised_by_id, order, "change", change.id, reason)

"""Change requests on confirmed orders (订单变更): a draft revision, reviewed and approved in BPMN.

The draft never touches the order until the process sets `change_outcome = "approved"`; then it
is applied in the same transaction, and only onto the revision it was drafted against.
"""

import json
from dataclasses import asdict, dataclass, replace
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
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
from app.core.tasks.models import HumanTask, ProcessInstance
from app.core.users import permissions
from app.core.users.models import User
from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.modules.changes.models import ChangeRequest
from app.modules.orders.models import HEADER_FIELDS, LINE_FIELDS, Order
from app.modules.orders.services import lifecycle, orders, revisions
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.access import deny_order
from app.modules.orders.services.order_input import LineInput, OrderInput, check_order
from app.modules.schedule.services.jobs import ACTIVE_STATUSES, job_for

if TYPE_CHECKING:
    from app.modules.changes.services.effect import ChangeEffect

PROCESS = "change_request"
KIND = "change"
# Any department may raise a change notice (issue 4); change_request.bpmn sends it to the head of
# the raising department: one `manager_approval_<key>` step per department, in that lane. A
# department an admin adds later has no step of its own and goes to the sales head (the
# `raised_by` gateway's default flow).
RAISERS = tuple(DEMO_DEPARTMENTS)
REASONS = ("customer_request", "material", "capacity", "quality", "internal", "other")
APPROVAL_STEPS = (*(f"manager_approval_{key}" for key in RAISERS), "gm_approval")


def _draft_snapshot(order: Order, data: OrderInput) -> tuple[dict, Decimal]:
    checked, errors = check_order(data)
    if errors:
        raise InvalidInput(errors=errors)
    # The order as it would become, in the shape snapshot() reads, without touching the order.
    shadow = SimpleNamespace(
        number=order.number,
        customer_id=checked.customer.id,
        lines=checked.lines,
        **{name: getattr(checked, name) for name in HEADER_FIELDS},
    )
    total = sum((line.quantity * line.unit_price for line in checked.lines), Decimal(0))
    return revisions.snapshot(shadow), total


# A snapshot's line names its catalogue product beside what sales typed.
DIFF_LINE_FIELDS = ("product", *LINE_FIELDS)


def diff(old: dict, new: dict) -> list[dict]:
    """Field-by-field differences between two order snapshots (lines matched by position)."""
    rows = []
    for name in HEADER_FIELDS:
        a, b = old.get(name), new.get(name)
        if name == "customer":
            a, b = (a or {}).get("name"), (b or {}).get("name")
        if a != b:
            rows.append({"field": name, "line": None, "old": a, "new": b})
    old_lines = {line["position"]: line for line in old["lines"]}
    new_lines = {line["position"]: line for line in new["lines"]}
    for position in sorted(old_lines.keys() | new_lines.keys()):
        a, b = old_lines.get(position), new_lines.get(position)
        if a is None or b is None:
            rows.append(
                {
                    "field": "line_added" if a is None else "line_removed",
                    "line": position,
                    "old": None if a is None else a.get("description") or a.get("product"),
                    "new": None if b is None else b.get("description") or b.get("product"),
                }
            )
            continue
        for name in DIFF_LINE_FIELDS:
            if (a.get(name) or "") != (b.get(name) or ""):
                rows.append(
                    {"field": name, "line": position, "old": a.get(name), "new": b.get(name)}
                )
    return rows


def _flags(rows: list[dict], old_total: Decimal, new_total: Decimal, old: dict, new: dict) -> dict:
    fields = {row["field"] for row in rows}
    shift = 0
    for name in ("requested_date", "promised_date"):
        if old.get(name) and new.get(name):
            shift = max(
                shift, abs((date.fromisoformat(new[name]) - date.fromisoformat(old[name])).days)
            )
    delta = abs(new_total - old_total)
    return {
        "quantity": "quantity" in fields,
        "delivery_date": bool(fields & {"requested_date", "promised_date"}),
        "process": "process_requirements" in fields,
        "packaging": bool(fields & {"packaging_requirements", "packaging_materials"}),
        "lines": bool(fields & {"line_added", "line_removed", "product"}),
        "value_delta": float(delta),
        "value_delta_pct": float(delta / old_total * 100) if old_total else 100.0,
        "date_shift_days": shift,
    }


def may_raise(actor: User, order: Order) -> bool:
    """Whether `actor` may raise a change request on `order` now (the order page offers it
    then); only a released order takes one."""
    return order.status == "released" and permissions.may_raise_change(actor)


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
    if order.status != "released":
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
        new, new_total = _draft_snapshot(order, data)
    except InvalidInput as exc:
        errors.update(exc.errors)
        raise InvalidInput(errors=errors) from exc
    old = revisions.snapshot(order)
    rows = diff(old, new)
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
    flags = _flags(rows, order.total, new_total, old, new)
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
        return
    order = db.session.scalar(db.select(Order).where(Order.id == change.order_id).with_for_update())
    if change.base_revision != order.revision:
        raise Conflict(_("The order changed since this request was raised; it cannot be applied."))
    draft = json.loads(change.draft)
    draft["lines"] = [LineInput(**line) for line in draft["lines"]]
    checked, errors = check_order(OrderInput(**draft))
    if errors:
        raise InvalidInput(errors=errors)
    revision = revisions.apply_checked(
        order, checked, None, _("Change request #%(id)s", id=change.id)
    )
    change.status, change.applied_revision = "applied", revision.number
    audit.record(
        None,
        "change.applied",
        "change_request",
        change.id,
        subject=order_subject.ref(order),
        data={"revision": revision.number},
    )
    _warn_if_unplannable(order, change)


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


def changes_of(order: Order) -> list[ChangeRequest]:
    """The order's change history, newest first."""
    return list(
        db.session.scalars(
            db.select(ChangeRequest)
            .where(ChangeRequest.order_id == order.id)
            .order_by(ChangeRequest.id.desc())
        )
    )


def counts() -> dict[str, list[tuple]]:
    """Change requests counted per customer and per reason, by status, for the reports."""
    from app.modules.orders.models import Customer

    by_customer = db.session.execute(
        db.select(Customer.name, ChangeRequest.status, db.func.count())
        .join(Order, Order.id == ChangeRequest.order_id)
        .join(Customer, Customer.id == Order.customer_id)
        .group_by(Customer.name, ChangeRequest.status)
        .order_by(Customer.name)
    ).all()
    by_reason = db.session.execute(
        db.select(ChangeRequest.reason_category, ChangeRequest.status, db.func.count()).group_by(
            ChangeRequest.reason_category, ChangeRequest.status
        )
    ).all()
    return {"customer": [tuple(r) for r in by_customer], "reason": [tuple(r) for r in by_reason]}


@dataclass(frozen=True)
class Review:
    """A department's completed review of a change: its task and what the reviewer answered."""

    task: HumanTask
    answers: dict

    @property
    def delivery_impact_days(self) -> int:
        """The delay the reviewer expects, in working days (0 when none was given)."""
        return int(self.answers.get("delivery_impact_days") or 0)


@dataclass(frozen=True)
class ChangeView:
    """What a change's diff shows one reader: the rows, the reviews and the plan effect."""

    change: ChangeRequest
    rows: list[dict]  # diff rows this reader may see (prices only for those who see them)
    reviews: list[Review]
    impact_days: int  # the largest delay a review reported
    plan_effect: "ChangeEffect | None" = None  # while open: the effect on the plan as it is
    plan_problem: str | None = None  # why the plan effect could not be computed

    def as_context(self) -> dict:
        """The template context of changes/_diff.html."""
        return {
            "change": self.change,
            "rows": self.rows,
            "reviews": self.reviews,
            "impact_days": self.impact_days,
            "plan_effect": self.plan_effect,
            "plan_problem": self.plan_problem,
        }


def reviews_of(change: ChangeRequest) -> list[Review]:
    """The departments' completed reviews of the change, in the order they were done."""
    tasks = db.session.scalars(
        db.select(HumanTask)
        .where(
            HumanTask.instance_id == change.instance_id,
            HumanTask.state == "completed",
            HumanTask.spec_name.like("change_review_%"),
        )
        .order_by(HumanTask.id)
    )
    return [Review(task, json.loads(task.data or "{}")) for task in tasks]


def view(change: ChangeRequest, viewer: User) -> ChangeView:
    """What a diff view shows this reader: the rows, the opinions and the delivery effect."""
    reviews = reviews_of(change)
    effect, problem = None, None
    if change.status == "open":
        from app.modules.schedule.services import plan

        effect, problem = plan.attempt(lambda: _plan_effect(change))
    return ChangeView(
        change=change,
        rows=permissions.visible_rows(viewer, json.loads(change.diff)),
        reviews=reviews,
        impact_days=max((review.delivery_impact_days for review in reviews), default=0),
        plan_effect=effect,
        plan_problem=problem,
    )


def _plan_effect(change: ChangeRequest) -> "ChangeEffect | None":
    """The change's effect on the production plan as it is now (None if it cannot be told)."""
    from app.modules.changes.services import effect as change_effect

    draft = json.loads(change.draft)
    draft["lines"] = [LineInput(**line) for line in draft["lines"]]
    checked, errors = check_order(OrderInput(**draft))
    if errors:
        return None
    return change_effect.effect_of_change(change.order, checked.lines, checked.promised_date)

"""Rush requests (插单): insert an order ahead of the plan, approved in BPMN on a live preview.

The requester sees the impact preview before submitting; every approver sees it recomputed on
the plan as it is when they open the page, and an approval is refused if the plan changed after
that (the page then shows the new numbers). The plan changes only when the process sets
`rush_outcome = "approved"`, in the same transaction, under the plan lock (docs/RUSH_CONTRACT.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app import limits
from app.core import clock
from app.core.audit import services as audit
from app.core.submissions import uniqueness
from app.core.tasks import instances
from app.core.users import permissions
from app.core.users.models import User
from app.errors import Conflict, DomainError, InvalidInput, NotFound
from app.extensions import db
from app.modules.orders.models import Order
from app.modules.orders.services import orders
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.access import deny_order
from app.modules.rush.models import RushRequest
from app.modules.rush.services.preview import RushPreview, compute
from app.modules.schedule.services import plan
from app.modules.schedule.services.jobs import ACTIVE_STATUSES

PROCESS = "rush_order"
KIND = "rush"
# Step -> the form field that carries its approve / reject answer.
DECISION_STEPS = {
    "rush_assess_pmc": "recommendation",
    "rush_approval_production": "decision",
    "rush_approval_gm": "decision",
}
APPROVAL_STEPS = ("rush_approval_production", "rush_approval_gm")


@dataclass(frozen=True)
class RushInput:
    """A rush request's checked input: the order, the date it is needed by, the line asked for
    (None: the best line) and the requester's department."""

    order: Order
    required_by: date
    line_code: str | None
    department: str | None


@dataclass(frozen=True)
class ShownPreview:
    """The preview a requester is shown before submitting, and the key that names it."""

    preview: RushPreview
    preview_key: str


@dataclass(frozen=True)
class LivePreview:
    """The preview to decide on, and why it is not the plan as it is now (None when it is)."""

    preview: RushPreview
    problem: str | None = None


def _eligible(order: Order) -> bool:
    return order.status in ACTIVE_STATUSES


def may_request(actor: User, order: Order) -> bool:
    """Whether `actor` may request a rush for `order` now (the order page offers it then)."""
    return _eligible(order) and permissions.may_raise_rush(actor)


def _checked_input(actor: User, order_id: int, required_by: str, line_code: str) -> RushInput:
    order = db.session.get(Order, order_id)
    if order is None:
        raise NotFound(_("This order does not exist."))
    dept = permissions.department_key(actor)
    if not permissions.may_raise_rush(actor):
        message = _("Only sales or PMC can request a rush.")
        raise deny_order(actor, order, "rush_request", message=message)
    if not _eligible(order):
        raise Conflict(_("Only an order that is open or released can be rushed."))
    errors: dict[str, str] = {}
    try:
        day = date.fromisoformat(required_by.strip())
    except ValueError:
        day = None
        errors["required_by"] = _("Enter the date the customer needs it (YYYY-MM-DD).")
    if day is not None and day < clock.today():
        errors["required_by"] = _("The required date is in the past.")
    elif day is not None and day > date(2100, 12, 31):
        errors["required_by"] = _("Enter a date between 2000 and 2100.")
    line_code = line_code.strip() or None
    if line_code is not None and line_code not in plan.current_line_codes():
        errors["line_code"] = _("Choose a production line.")
    if errors:
        raise InvalidInput(errors=errors)
    return RushInput(order, day, line_code, dept)


def _preview_key(preview: RushPreview, checked: RushInput) -> str:
    """Names one preview: the plan it was computed on and the request's order, date and line."""
    text = "|".join(
        (
            preview.base_fingerprint,
            str(checked.order.id),
            checked.required_by.isoformat(),
            checked.line_code or "",
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()


def preview_request(actor: User, order_id: int, required_by: str, line_code: str) -> ShownPreview:
    """The impact preview a requester sees before submitting (nothing is stored).

    Its `preview_key` goes back with the submission: a submission whose plan, date or line
    differ from the preview shown is refused and the new preview is shown instead.
    """
    checked = _checked_input(actor, order_id, required_by, line_code)
    preview = plan.checked(
        lambda: compute(checked.order, checked.required_by, checked.line_code).preview
    )
    return ShownPreview(preview, _preview_key(preview, checked))


@uniqueness.in_savepoint
def request_rush(
    actor: User,
    order_id: int,
    required_by: str,
    line_code: str,
    reason: str,
    customer_ref: str,
    preview_key: str,
    form_token: str = "",
) -> RushRequest:
    """Store a rush request with the preview the requester saw (its key), start its approval.

    `form_token` is the form's once-only token: sent twice, it answers with the first request.
    A refusal undoes only what this call did (a savepoint), not the caller's other work.
    """
    checked = _checked_input(actor, order_id, required_by, line_code)
    order, day, line_code = checked.order, checked.required_by, checked.line_code
    submission = uniqueness.claim_submission(actor, form_token, "rush_request")
    errors: dict[str, str] = {}
    reason = limits.check_text(reason, "notes", errors, "reason")
    if not reason:
        errors.setdefault("reason", _("Say why this order must go ahead of the plan."))
    ref_length = limits.column_length(RushRequest.customer_ref)
    customer_ref = limits.check_text(customer_ref, ref_length, errors, "customer_ref")
    if errors:
        raise InvalidInput(errors=errors)
    _ensure_none_open(order)
    state = plan.checked(lambda: plan.current(lock=True))
    preview = plan.checked(lambda: compute(order, day, line_code, state).preview)
    if preview_key != _preview_key(preview, checked):
        raise InvalidInput(
            _(
                "The production plan changed since the preview was computed; the impact below "
                "is recomputed. Check it and submit again."
            )
        )
    rush = RushRequest(
        order=order,
        required_by=day,
        line_code=line_code,
        reason=reason,
        customer_ref=customer_ref,
        department=checked.department,
        requested_by_id=actor.id,
        preview=preview.to_json(),
        base_fingerprint=preview.base_fingerprint,
    )
    db.session.add(rush)
    try:
        db.session.flush()
    except IntegrityError as exc:  # another request opened in the meantime
        raise Conflict(_("Another rush request on this order is still open.")) from exc
    uniqueness.bind_submission(submission, rush.id)
    audit.record(
        actor,
        "rush.request",
        "rush_request",
        rush.id,
        subject=order_subject.ref(order),
        data={"required_by": day.isoformat(), "line": preview.line, **preview.impact()},
    )
    instance = instances.start_process(
        PROCESS,
        actor,
        kind=KIND,
        subject=order_subject.ref(order),
        data={
            **orders.order_reference(order),
            "rush": {
                "id": rush.id,
                "requested_by": checked.department,
                "required_by": day.isoformat(),
                "line": preview.line,
                "meets_required_date": preview.meets_required_date,
            },
            "impact": preview.impact(),
        },
    )
    rush.instance_id = instance.id
    return rush


def _ensure_none_open(order: Order) -> None:
    open_rush = db.session.scalar(
        db.select(RushRequest).where(RushRequest.order_id == order.id, RushRequest.status == "open")
    )
    if open_rush is not None:
        raise Conflict(
            _(
                "Rush request #%(id)s on this order is still open; wait for its decision.",
                id=open_rush.id,
            )
        )


def get(rush_id: int) -> RushRequest:
    """A rush request, or NotFound."""
    rush = db.session.get(RushRequest, rush_id)
    if rush is None:
        raise NotFound(_("This rush request does not exist."))
    return rush


def for_instance(instance_id: int | None) -> RushRequest | None:
    """The rush request a process instance decides, if any."""
    if instance_id is None:
        return None
    return db.session.scalar(db.select(RushRequest).where(RushRequest.instance_id == instance_id))


def stored_preview(rush: RushRequest) -> RushPreview:
    """The preview the request last stored (shown, approved on, or applied)."""
    return RushPreview.from_json(rush.preview)


def live(rush: RushRequest, state=None, unavailable: str | None = None) -> LivePreview:
    """The preview to decide on: recomputed on the plan now while open, else the one applied.

    `unavailable` is the message of a plan that could not be computed (the stored preview is
    shown with it).
    """
    stored = stored_preview(rush)
    if rush.status != "open":
        return LivePreview(stored)
    if not _eligible(rush.order):
        return LivePreview(
            stored, _("The order is no longer open or released; reject this rush request.")
        )
    if unavailable is not None:
        return LivePreview(stored, unavailable)
    try:
        now, problem = plan.attempt(
            lambda: compute(rush.order, rush.required_by, rush.line_code, state).preview
        )
    except DomainError as exc:
        message = (
            exc.message
            if not getattr(exc, "errors", None)
            else _("The order can no longer be placed on the requested line.")
        )
        return LivePreview(stored, message)
    # If the plan cannot be computed now, the page shows the preview last stored, and says so.
    return LivePreview(stored, problem) if problem is not None else LivePreview(now)

"""Approval of a flagged quotation (workflows/quotation_approval.bpmn): the sales head, and the
general manager too when the lowest margin is below the threshold of quotation_rules.dmn."""

from decimal import Decimal

from flask_babel import gettext as _

from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.notifications import services as notifications
from app.core.tasks import instances
from app.core.tasks.models import ProcessInstance
from app.core.users.models import User
from app.errors import Conflict
from app.extensions import db
from app.modules.quotations.models import Quotation
from app.modules.quotations.services import quotations

PROCESS = "quotation_approval"
KIND = "quotation"
APPROVAL_STEPS = ("quotation_approval_sales", "quotation_approval_gm")
# An unknown margin (no cost basis with a flag, or no exchange rate) goes to the highest level.
UNKNOWN_MARGIN = Decimal("-100")


def lowest_margin(quotation: Quotation) -> Decimal:
    """The lowest known margin of the quotation's flagged lines (what the DMN table reads)."""
    known = [line.margin_pct for line in quotation.lines if line.margin_pct is not None]
    if any(line.margin_pct is None and line.cost_source != "none" for line in quotation.lines):
        return UNKNOWN_MARGIN
    return min(known) if known else UNKNOWN_MARGIN


def start_data(quotation: Quotation) -> dict:
    """What quotation_approval.bpmn reads (docs/QUOTATIONS.md)."""
    return {
        "quotation_id": quotation.id,
        "quotation": {
            "id": quotation.id,
            "number": quotation.number,
            "customer": quotation.customer.name,
            "revision": quotation.revision,
            "total": float(quotation.total),
            "currency": quotation.currency,
            "lowest_margin_pct": float(lowest_margin(quotation)),
        },
    }


def request_approval(actor: User, quotation_id: int) -> Quotation:
    """Sales submits a flagged quotation to its approvers (the sales head hears of the task)."""
    quotation = quotations.get_quotation(quotation_id, lock=True)
    if not quotations.may_edit(actor):
        raise quotations.deny(actor, "quotation_submit", quotation_id)
    if not quotation.flagged:
        raise Conflict(_("This quotation has no flagged line: it may be sent directly."))
    if quotation.status not in ("draft", "rejected"):
        raise Conflict(_("Only a draft or rejected quotation goes to approval."))
    if quotations.is_expired(quotation):
        raise Conflict(_("This quotation has expired; give it a new validity date first."))
    quotation.status, quotation.decision_reason = "in_approval", ""
    instance = instances.start_process(
        PROCESS, actor, kind=KIND, subject=quotations.ref(quotation), data=start_data(quotation)
    )
    quotation.instance_id = instance.id
    audit.record(
        actor,
        "quotation.submit",
        "quotation",
        quotation.id,
        subject=quotations.ref(quotation),
        instance_id=instance.id,
        data={"revision": quotation.revision, "lowest_margin": f"{lowest_margin(quotation)}"},
    )
    return quotation


def for_instance(instance_id: int | None) -> Quotation | None:
    """The quotation a process instance decides, if any."""
    if instance_id is None:
        return None
    return db.session.scalar(db.select(Quotation).where(Quotation.instance_id == instance_id))


def on_outcome(instance: ProcessInstance, data: dict, actor: User | None = None) -> None:
    """Apply the approvers' decision once (every engine step calls this)."""
    outcome = data.get("quotation_outcome") if isinstance(data, dict) else None
    quotation = for_instance(instance.id)
    if quotation is None or quotation.status != "in_approval" or outcome is None:
        return
    reason = ""
    for step in APPROVAL_STEPS:
        answer = data.get(step)
        if isinstance(answer, dict) and answer.get("decision") == "reject":
            reason = str(answer.get("reason") or "")
    quotation.status = "approved" if outcome == "approved" else "rejected"
    quotation.decision_reason = reason
    audit.record(
        actor,
        f"quotation.{quotation.status}",
        "quotation",
        quotation.id,
        subject=quotations.ref(quotation),
        instance_id=instance.id,
        data={"reason": reason, "revision": quotation.revision},
    )
    tell_owner(quotation, quotation.status)


def on_cancelled(instance: ProcessInstance, actor: User, reason: str) -> None:
    """An admin cancelled the approval: the quotation goes back to draft for sales."""
    quotation = for_instance(instance.id)
    if quotation is None:
        return
    if quotation.status == "in_approval":
        quotation.status = "draft"
    audit.record(
        actor,
        "quotation.approval_cancelled",
        "quotation",
        quotation.id,
        subject=quotations.ref(quotation),
        instance_id=instance.id,
        data={"reason": reason},
    )
    tell_owner(quotation, "cancelled")


def tell_owner(quotation: Quotation, what: str) -> None:
    """The quotation's sales owner hears of a decision or of the customer's acceptance."""
    notifications.notify_users(
        [quotation.owner_id],
        quotations.ref(quotation),
        "quotation_news",
        {
            "number": quotation.number,
            "quotation": quotation.id,
            "what": what,
            "reason": quotation.decision_reason,
            "at": utcnow().isoformat(),
        },
    )

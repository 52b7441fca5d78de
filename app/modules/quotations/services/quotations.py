"""Writing quotations: create, edit (a new revision once the current one was sent), read one.

The lines are checked by orders' own order checks (`check_order`), so a quotation holds exactly
what an order may hold and becomes one without a second set of rules.
"""

import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _

from app import limits
from app.core import clock
from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.subjects import services as subjects
from app.core.subjects.services import SubjectCard, SubjectRef
from app.core.submissions import uniqueness
from app.core.users import permissions
from app.core.users.models import User
from app.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.extensions import db
from app.modules.orders.models import SPEC_FIELDS, Customer, OrderLine
from app.modules.orders.services.order_input import LineInput, OrderInput, check_order
from app.modules.quotations.models import (
    EDITABLE_STATUSES,
    Quotation,
    QuotationLine,
    QuotationRevision,
)
from app.modules.quotations.services import pricing

SUBJECT = "quotation"
MAX_VALID_DAYS = 365


@dataclass
class QuotationInput:
    """The quotation form as typed by sales."""

    customer_id: str = ""
    currency: str = "CNY"
    payment_terms: str = ""
    valid_until: str = ""
    notes: str = ""
    lines: list[LineInput] = field(default_factory=list)


@dataclass(frozen=True)
class CheckedQuotation:
    """Valid quotation data, ready to store."""

    customer: Customer
    currency: str
    payment_terms: str
    valid_until: date
    notes: str
    lines: list[OrderLine]


def ref(quotation: Quotation | int) -> SubjectRef:
    """The subject reference of a quotation."""
    return SubjectRef(SUBJECT, quotation if isinstance(quotation, int) else quotation.id)


def card(quotation_id: int) -> SubjectCard | None:
    """What an inbox shows of a quotation: number, customer, value."""
    quotation = db.session.get(Quotation, quotation_id)
    if quotation is None:
        return None
    return SubjectCard(
        reference=quotation.number,
        customer=quotation.customer.name,
        amount=quotation.total,
        currency=quotation.currency,
    )


def may_edit(actor: User) -> bool:
    """Sales writes quotations (as it enters orders)."""
    return permissions.may_handle_orders(actor)


def deny(actor: User, action: str, quotation_id: int | None = None) -> PermissionDenied:
    """Record a refused quotation action and return the error to raise."""
    audit.record(actor, f"denied.{action}", "quotation", quotation_id)
    db.session.flush()
    return PermissionDenied(_("Only sales may write quotations."))


def require_prices(actor: User, quotation_id: int | None = None) -> None:
    """Quotations are prices: only price readers see them."""
    if not permissions.can_see_prices(actor):
        audit.record(actor, "denied.quotation_read", "quotation", quotation_id)
        db.session.flush()
        raise PermissionDenied(_("Only sales, PMC, finance and management see quotations."))


def _valid_until(text: str, errors: dict) -> date | None:
    text = (text or "").strip()
    if not text:
        errors["valid_until"] = _("Give the date until which the quotation is valid.")
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        errors["valid_until"] = _("Enter a date as YYYY-MM-DD.")
        return None
    today = clock.today()
    if not today <= value <= today + timedelta(days=MAX_VALID_DAYS):
        errors["valid_until"] = _(
            "A quotation is valid from today for at most %(n)s days.", n=MAX_VALID_DAYS
        )
        return None
    return value


def check_quotation(data: QuotationInput) -> tuple[CheckedQuotation | None, dict[str, str]]:
    """Validate the typed quotation; returns the checked data or field errors (never both)."""
    typed = [line for line in data.lines if not line.is_blank()]
    non_standard = any(not line.product_id for line in typed)
    checked, errors = check_order(
        OrderInput(
            customer_id=data.customer_id,
            order_type="non_standard" if non_standard else "regular",
            currency=data.currency,
            notes=data.notes,
            lines=data.lines,
        )
    )
    errors.pop("order_type", None)
    if "lines" in errors and not typed:
        errors["lines"] = _("Add at least one line.")
    terms = limits.check_text(
        data.payment_terms, limits.column_length(Quotation.payment_terms), errors, "payment_terms"
    )
    if not terms and "payment_terms" not in errors:
        errors["payment_terms"] = _("Give the payment terms.")
    valid_until = _valid_until(data.valid_until, errors)
    if errors:
        return None, errors
    return CheckedQuotation(
        checked.customer, checked.currency, terms, valid_until, checked.notes, checked.lines
    ), {}


def _quoted_lines(checked: CheckedQuotation) -> list[QuotationLine]:
    """The checked lines with their cost basis, margin and flags as of now."""
    rules = pricing.rules()
    lines = []
    for line in checked.lines:
        found = pricing.figures(
            checked.customer.id, checked.currency, line.product, line.unit_price, rules
        )
        lines.append(
            QuotationLine(
                position=line.position,
                product=line.product,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                **{k: getattr(line, k) or "" for k in SPEC_FIELDS},
                cost_source=found.basis.source,
                unit_cost=found.basis.unit_cost,
                cost_orders=found.basis.orders,
                margin_pct=found.margin_pct,
                past_median=found.past_median,
                flags=json.dumps(found.flags),
            )
        )
    return lines


def _next_number() -> str:
    year = utcnow().year
    prefix = f"QT-{year}-"

    def highest() -> int:
        last = db.session.scalar(
            db.select(Quotation.number)
            .where(Quotation.number.like(prefix + "%"))
            .order_by(db.func.length(Quotation.number).desc(), Quotation.number.desc())
            .limit(1)
        )
        return int(last.rsplit("-", 1)[1]) if last else 0

    return f"{prefix}{uniqueness.next_number(f'quotation:{year}', highest):05d}"


def snapshot(quotation: Quotation) -> str:
    """The quotation as it stands (header, lines, cost basis, flags), for its revision row."""
    return json.dumps(
        {
            "customer": quotation.customer.name,
            "currency": quotation.currency,
            "payment_terms": quotation.payment_terms,
            "valid_until": quotation.valid_until.isoformat(),
            "notes": quotation.notes,
            "total": f"{quotation.total.normalize():f}",
            "flagged": quotation.flagged,
            "lines": [
                {
                    "position": line.position,
                    "product": line.product.code if line.product else "",
                    "description": line.description,
                    "quantity": f"{line.quantity.normalize():f}",
                    "unit_price": f"{line.unit_price.normalize():f}",
                    "cost_source": line.cost_source,
                    "unit_cost": None if line.unit_cost is None else f"{line.unit_cost:f}",
                    "cost_orders": line.cost_orders,
                    "margin_pct": None if line.margin_pct is None else f"{line.margin_pct:f}",
                    "flags": pricing.stored_flags(line.flags),
                    "specs": {k: getattr(line, k) for k in SPEC_FIELDS if getattr(line, k)},
                }
                for line in quotation.lines
            ],
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def _apply(quotation: Quotation, checked: CheckedQuotation) -> None:
    quotation.customer = checked.customer
    quotation.currency = checked.currency
    quotation.payment_terms = checked.payment_terms
    quotation.valid_until = checked.valid_until
    quotation.notes = checked.notes
    quotation.lines = _quoted_lines(checked)
    quotation.flagged = any(pricing.stored_flags(line.flags) for line in quotation.lines)
    quotation.updated_at = utcnow()


@uniqueness.in_savepoint
def create_quotation(actor: User, data: QuotationInput, form_token: str = "") -> Quotation:
    """Store a new quotation (draft, revision 1) with its lines' cost basis and flags."""
    if not may_edit(actor):
        raise deny(actor, "quotation_create")
    submission = uniqueness.claim_submission(actor, form_token, "quotation")
    checked, errors = check_quotation(data)
    if errors:
        raise InvalidInput(errors=errors)
    quotation = Quotation(number=_next_number(), owner_id=actor.id, status="draft", revision=1)
    _apply(quotation, checked)
    db.session.add(quotation)
    db.session.flush()
    quotation.revisions.append(
        QuotationRevision(number=1, content=snapshot(quotation), created_by_id=actor.id)
    )
    db.session.flush()
    uniqueness.bind_submission(submission, quotation.id)
    audit.record(
        actor,
        "quotation.create",
        "quotation",
        quotation.id,
        subject=ref(quotation),
        data={"number": quotation.number, "lines": len(quotation.lines)},
    )
    subjects.refresh(ref(quotation))
    return quotation


def get_quotation(quotation_id: int, lock: bool = False) -> Quotation:
    """One quotation or NotFound; with `lock`, nobody else changes it until the transaction ends."""
    quotation = db.session.get(
        Quotation, quotation_id, with_for_update=lock or None, populate_existing=lock
    )
    if quotation is None:
        raise NotFound(_("This quotation does not exist."))
    return quotation


def current_revision(quotation: Quotation) -> QuotationRevision:
    """The revision the quotation stands at."""
    return quotation.revisions[-1]


def update_quotation(
    actor: User, quotation_id: int, data: QuotationInput, reason: str = ""
) -> Quotation:
    """Sales edits a quotation; an edit after the current revision was sent makes the next
    revision (the reason is required then). Any edit needs a new approval when flagged."""
    quotation = get_quotation(quotation_id, lock=True)
    if not may_edit(actor):
        raise deny(actor, "quotation_update", quotation_id)
    if quotation.status not in EDITABLE_STATUSES:
        raise Conflict(_("This quotation cannot be changed any more (it is %(status)s).",
                         status=status_label(quotation.status)))  # fmt: skip
    checked, errors = check_quotation(data)
    current = current_revision(quotation)
    reason = limits.check_text(reason, "notes", errors, "reason")
    if current.sent_at is not None and not reason and "reason" not in errors:
        errors["reason"] = _("Say what changed and why: the customer has the earlier revision.")
    if errors:
        raise InvalidInput(errors=errors)
    before = quotation.revision
    _apply(quotation, checked)
    quotation.status, quotation.decision_reason = "draft", ""
    db.session.flush()
    if current.sent_at is not None:
        quotation.revision += 1
        quotation.revisions.append(
            QuotationRevision(
                number=quotation.revision,
                content=snapshot(quotation),
                reason=reason,
                created_by_id=actor.id,
            )
        )
    else:
        current.content, current.reason = snapshot(quotation), reason or current.reason
    db.session.flush()
    audit.record(
        actor,
        "quotation.revise",
        "quotation",
        quotation.id,
        subject=ref(quotation),
        data={"from": before, "to": quotation.revision, "reason": reason},
    )
    subjects.refresh(ref(quotation))
    return quotation


def status_label(status: str) -> str:
    """A quotation status in the reader's language."""
    return {
        "draft": _("draft"),
        "in_approval": _("in approval"),
        "approved": _("approved"),
        "rejected": _("rejected by the approvers"),
        "sent": _("sent to the customer"),
        "accepted": _("accepted by the customer"),
        "ordered": _("made into an order"),
    }.get(status, status)


def is_expired(quotation: Quotation, today: date | None = None) -> bool:
    """Whether the validity date has passed."""
    return quotation.valid_until < (today or clock.today())

"""Purchase orders (采购单): purchasing groups open purchase requests into an order to one
supplier, with a unit price and an expected arrival date per component. Every order starts the
approval process (workflows/purchase_order_approval.bpmn); its decision table
(purchase_rules.dmn) says from the total whether nobody, the purchasing head, or the head and
the general manager approve it."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import limits
from app.core import clock
from app.core.audit import services as audit
from app.core.notifications import services as notifications
from app.core.subjects.services import SubjectCard, SubjectRef
from app.core.submissions import uniqueness
from app.core.tasks import instances
from app.core.tasks.models import ProcessInstance
from app.core.users.models import User
from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.modules.purchasing.models import (
    Component,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseRequest,
    Supplier,
)
from app.modules.purchasing.services.suppliers import require_buyer
from app.modules.schedule.services import materials

PROCESS = "purchase_order_approval"
KIND = "purchase_order"
SUBJECT = "purchase_order"
APPROVAL_STEPS = ("po_approval_head", "po_approval_gm")
# An expected arrival may be at most this far ahead.
HORIZON_DAYS = 730
CENT = Decimal("0.01")
STATUS_LABELS = {
    "pending_approval": _l("Waiting for approval"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "partly_received": _l("Partly received"),
    "received": _l("Received"),
    "cancelled": _l("Cancelled"),
    "draft": _l("Draft"),
}


def ref(po: PurchaseOrder) -> SubjectRef:
    """The purchase order as the subject of its approval process."""
    return SubjectRef(SUBJECT, po.id)


def describe(key: int) -> SubjectCard | None:
    """The inbox card of a purchase order: its number, supplier and total."""
    po = db.session.get(PurchaseOrder, key)
    if po is None:
        return None
    return SubjectCard(reference=po.number, customer=po.supplier.name, amount=po.total,
                       currency=po.currency)  # fmt: skip


def open_requests() -> list[PurchaseRequest]:
    """Purchase requests not on a purchase order yet, by component and needed-by date."""
    return list(
        db.session.scalars(
            db.select(PurchaseRequest)
            .join(Component, Component.id == PurchaseRequest.component_id)
            .where(PurchaseRequest.status == "open")
            .order_by(
                Component.code,
                PurchaseRequest.needed_by.is_(None),
                PurchaseRequest.needed_by,
                PurchaseRequest.id,
            )
        )
    )


def cancel_request(actor: User, request_id: int | None, reason: str) -> PurchaseRequest:
    """Purchasing cancels an open request no longer worth buying for (its order got stock
    another way, or a rejected purchase order left it open and it is not needed), with a
    reason; audited. A request on a purchase order is the purchase order's to cancel."""
    require_buyer(actor, "request_cancel", "purchase_request", request_id)
    if request_id is None:
        raise InvalidInput(errors={"cancel_id": _("Choose the request to cancel.")})
    found = db.session.scalar(
        db.select(PurchaseRequest)
        .where(PurchaseRequest.id == request_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise NotFound(_("This purchase request does not exist."))
    if found.status != "open":
        raise Conflict(
            _("This purchase request is no longer open: it is on a purchase order or cancelled.")
        )
    errors: dict[str, str] = {}
    reason = limits.check_text(reason, "notes", errors, "cancel_reason")
    if not reason and "cancel_reason" not in errors:
        errors["cancel_reason"] = _("Say why the request is no longer needed.")
    if errors:
        raise InvalidInput(errors=errors)
    found.status = "cancelled"
    audit.record(
        actor, "purchase_request.cancel", "purchase_request", found.id,
        data={"order": found.order_id, "component": found.component_id,
              "quantity": f"{found.quantity:f}", "reason": reason,
              "still_short": f"{found.requirement.shortage:f}"},
    )  # fmt: skip
    materials.changed(actor)
    return found


@dataclass(frozen=True)
class LineTerms:
    """What purchasing types for one component of the new order: unit price, arrival date."""

    unit_price: str
    expected_date: str


def _expected(text: str, key: str, errors: dict) -> date | None:
    today = clock.today()
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        errors[key] = _("Enter the expected arrival date.")
        return None
    if not today <= day <= today + timedelta(days=HORIZON_DAYS):
        errors[key] = _(
            "The expected arrival must be between today and %(last)s.",
            last=(today + timedelta(days=HORIZON_DAYS)).isoformat(),
        )
        return None
    return day


def _highest_number(prefix: str) -> int:
    last = db.session.scalar(
        db.select(db.func.max(PurchaseOrder.number)).where(PurchaseOrder.number.like(f"{prefix}%"))
    )
    return int(last.rsplit("-", 1)[1]) if last else 0


def _next_number() -> str:
    prefix = f"PO-{clock.today().year}-"
    seq = uniqueness.next_number(f"purchase_order:{prefix}", lambda: _highest_number(prefix))
    return f"{prefix}{seq:05d}"


def _lock_requests(ids: list[int]) -> list[PurchaseRequest]:
    """The chosen requests, locked; one already ordered (by a buyer at the same time) refuses."""
    found = list(
        db.session.scalars(
            db.select(PurchaseRequest)
            .where(PurchaseRequest.id.in_(ids))
            .order_by(PurchaseRequest.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    if len(found) != len(set(ids)) or any(r.status != "open" for r in found):
        raise Conflict(_("A chosen request is already on a purchase order; reload the page."))
    return found


@uniqueness.in_savepoint
def create_purchase_order(
    actor: User,
    supplier_id: str,
    request_ids: list[str],
    terms: dict[int, LineTerms],
    notes: str = "",
    form_token: str = "",
) -> PurchaseOrder:
    """Put the chosen open requests on a new purchase order to one supplier (one line per
    component, its requests' quantities summed) and start its approval."""
    require_buyer(actor, "purchase_order", "purchase_order")
    submission = uniqueness.claim_submission(actor, form_token, "purchase_order")
    errors: dict[str, str] = {}
    supplier = db.session.get(Supplier, limits.record_id(supplier_id) or 0)
    if supplier is None or not supplier.is_active:
        errors["supplier_id"] = _("Choose an active supplier.")
    ids = sorted({i for i in (limits.record_id(t) for t in request_ids) if i is not None})
    if not ids:
        errors["requests"] = _("Choose at least one purchase request.")
    notes = limits.check_text(notes, "notes", errors, "notes")
    if errors:
        raise InvalidInput(errors=errors)
    requests = _lock_requests(ids)
    by_component: dict[int, list[PurchaseRequest]] = defaultdict(list)
    for request in requests:
        by_component[request.component_id].append(request)
    lines = []
    for component_id, chosen in sorted(by_component.items()):
        given = terms.get(component_id) or LineTerms("", "")
        price = limits.parse_number(given.unit_price, "price", errors, f"price-{component_id}")
        day = _expected(given.expected_date, f"expected-{component_id}", errors)
        quantity = sum((r.quantity for r in chosen), Decimal(0))
        if price is not None and day is not None:
            lines.append((component_id, chosen, quantity, price, day))
    total = sum(((q * p).quantize(CENT, ROUND_HALF_UP) for _c, _r, q, p, _d in lines), Decimal(0))
    limits.check_total(total, errors, "requests")
    if errors:
        raise InvalidInput(errors=errors)
    po = PurchaseOrder(
        number=_next_number(),
        supplier=supplier,
        status="pending_approval",
        total=total,
        notes=notes,
        created_by_id=actor.id,
    )
    db.session.add(po)
    for component_id, chosen, quantity, price, day in lines:
        line = PurchaseOrderLine(
            component_id=component_id, quantity=quantity, unit_price=price, expected_date=day,
            received=Decimal(0), rejected=Decimal(0), pending=Decimal(0),
        )  # fmt: skip
        po.lines.append(line)
        db.session.flush()
        for request in chosen:
            request.status, request.po_line_id = "ordered", line.id
    db.session.flush()
    uniqueness.bind_submission(submission, po.id)
    audit.record(
        actor,
        "purchase_order.create",
        "purchase_order",
        po.id,
        subject=ref(po),
        data={"number": po.number, "total": f"{total:f}", "requests": ids},
    )
    instance = instances.start_process(
        PROCESS, actor, kind=KIND, subject=ref(po), data={"purchase_order": start_data(po)}
    )
    po.instance_id = instance.id
    materials.changed(actor)  # its orders now have expected dates: late flags follow now
    return po


def start_data(po: PurchaseOrder) -> dict:
    """What the approval process reads (docs/PURCHASING.md): the total decides the level."""
    return {"id": po.id, "number": po.number, "total": float(po.total), "currency": po.currency}


def _reopen(po: PurchaseOrder) -> None:
    """A rejected or cancelled order gives its requests back to purchasing."""
    line_ids = [line.id for line in po.lines]
    for request in db.session.scalars(
        db.select(PurchaseRequest)
        .where(PurchaseRequest.po_line_id.in_(line_ids))
        .order_by(PurchaseRequest.id)
    ):
        request.status, request.po_line_id = "open", None


def _po_of(data: dict) -> PurchaseOrder | None:
    found = data.get("purchase_order") if isinstance(data, dict) else None
    po_id = found.get("id") if isinstance(found, dict) else None
    return db.session.get(PurchaseOrder, po_id) if isinstance(po_id, int) else None


def on_outcome(instance: ProcessInstance, data: dict, actor: User | None) -> None:
    """The approval decided (or needed none): the order is approved, or rejected and its
    requests are open again; whoever placed it hears of a decision someone made."""
    po = _po_of(data)
    outcome = data.get("po_outcome") if isinstance(data, dict) else None
    if po is None or po.status != "pending_approval" or outcome not in ("approved", "rejected"):
        return
    po.status, po.decided_at = outcome, clock.utcnow()
    if outcome == "rejected":
        _reopen(po)
        materials.changed(actor)  # its orders are not ordered any more
    audit.record(
        actor, f"purchase_order.{outcome}", "purchase_order", po.id, subject=ref(po),
        instance_id=instance.id, data={"number": po.number},
    )  # fmt: skip
    if actor is not None and actor.id != po.created_by_id:
        notifications.notify_users(
            [po.created_by_id], ref(po), "purchase_order_decided",
            {"number": po.number, "outcome": outcome},
        )  # fmt: skip


def on_cancel(instance: ProcessInstance, admin: User, reason: str) -> None:
    """An admin cancelled the approval: the order is cancelled and its requests open again."""
    po = _po_of(instance_data(instance))
    if po is None or po.status != "pending_approval":
        return
    po.status = "cancelled"
    _reopen(po)
    materials.changed(admin)
    audit.record(
        admin, "purchase_order.cancelled", "purchase_order", po.id, subject=ref(po),
        instance_id=instance.id, data={"reason": reason},
    )  # fmt: skip


def instance_data(instance: ProcessInstance) -> dict:
    """The purchase order the instance is about, as its start data names it."""
    if instance.subject_type == SUBJECT and instance.subject_key:
        return {"purchase_order": {"id": instance.subject_key}}
    return {}


def get_po(po_id: int) -> PurchaseOrder:
    """One purchase order, or NotFound."""
    po = db.session.get(PurchaseOrder, po_id)
    if po is None:
        raise NotFound(_("This purchase order does not exist."))
    return po


def for_instance(instance_id: int | None) -> PurchaseOrder | None:
    """The purchase order an approval instance decides, if any."""
    if instance_id is None:
        return None
    return db.session.scalar(
        db.select(PurchaseOrder).where(PurchaseOrder.instance_id == instance_id)
    )


def requests_of(po: PurchaseOrder) -> list[PurchaseRequest]:
    """The purchase requests on the order's lines (the orders it buys for)."""
    line_ids = [line.id for line in po.lines]
    return list(
        db.session.scalars(
            db.select(PurchaseRequest)
            .where(PurchaseRequest.po_line_id.in_(line_ids))
            .order_by(PurchaseRequest.id)
        )
    )

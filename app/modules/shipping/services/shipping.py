"""Shipments (发货) and the customer's receipt (签收): the warehouse records what left, the
warehouse or sales records the signed delivery note; the order's status follows the rows."""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

from app import limits
from app.core import clock
from app.core.audit import services as audit
from app.core.notifications import services as notifications
from app.core.submissions import uniqueness
from app.core.tasks import instances
from app.core.tasks.models import OPEN_STATES, HumanTask
from app.core.users import permissions
from app.core.users.models import User
from app.errors import Conflict, InvalidInput
from app.extensions import db
from app.limits import NumberBound
from app.modules.orders.models import IN_PLAN_STATUSES, Order
from app.modules.orders.services import attachments, orders
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.access import deny_order
from app.modules.shipping.models import Shipment, ShipmentLine
from app.modules.shipping.services import reading

SUBMISSION_KIND = "shipment"
RECEIPT_KIND = "shipment_receipt"
# Released orders the warehouse may ship from: what is made ships, even while production goes on.
SHIPPABLE_STATUSES = (*IN_PLAN_STATUSES, "production_complete", "partly_shipped")
# The statuses shipping decides (once production is complete), and the one before them.
AFTER_PRODUCTION = ("production_complete", "partly_shipped", "shipped", "delivered")
# The process messages the pages send (workflows/order_fulfilment.bpmn waits for them).
SHIPPED_IN_FULL = "shipped_in_full"
DELIVERED = "delivered"
RECEIPT_NOTE_KIND = "signed_delivery_note"
# The warehouse's step a shipment in full overtakes (workflows/order_fulfilment.bpmn).
RECEIVE_STEP = "receive_finished_goods"


def _require(allowed: bool, actor: User, order: Order, action: str, message: str) -> None:
    if not allowed:
        raise deny_order(actor, order, action, message=message)


def _day(text: str, key: str, errors: dict, low: date, low_text: str) -> date | None:
    """A date typed as YYYY-MM-DD, from `low` to the factory's today."""
    try:
        value = date.fromisoformat((text or "").strip())
    except ValueError:
        errors[key] = _("Enter a date as YYYY-MM-DD.")
        return None
    today = clock.today()
    if value > today:
        errors[key] = _("The date cannot be later than today (%(today)s).", today=today)
    elif value < low:
        errors[key] = low_text
    return value


def _quantities(order: Order, typed: Mapping[int, str], errors: dict) -> dict[int, Decimal]:
    """The quantity per line to ship: within what is made and not yet shipped."""
    bound = limits.get("quantity")
    wanted: dict[int, Decimal] = {}
    for totals in reading.line_totals(order):
        line = totals.line
        text = (typed.get(line.id) or "").strip()
        if not text:
            continue
        key = f"qty_{line.id}"
        value = limits.parse_number(
            text, NumberBound(Decimal(0), bound.high, bound.places), errors, key
        )
        if value is None or value == 0:
            continue
        if totals.shipped + value > totals.ordered:
            errors[key] = _(
                "Line %(pos)s: %(qty)s is more than is still to ship of what was ordered "
                "(%(left)s of %(ordered)s).",
                pos=line.position,
                qty=limits._shown(value),
                left=limits._shown(max(Decimal(0), totals.ordered - totals.shipped)),
                ordered=limits._shown(totals.ordered),
            )
        elif value > totals.shippable:
            errors[key] = _(
                "Line %(pos)s: %(qty)s is more than is made and not yet shipped (%(left)s): "
                "only goods production reported made can ship.",
                pos=line.position,
                qty=limits._shown(value),
                left=limits._shown(totals.shippable),
            )
        else:
            wanted[line.id] = value
    if not wanted and not errors:
        errors["lines"] = _("Enter the quantity shipped on at least one line.")
    return wanted


@uniqueness.in_savepoint
def record_shipment(
    actor: User,
    order_id: int,
    quantities: Mapping[int, str],
    carrier: str,
    tracking_number: str,
    ship_date: str,
    note: str,
    form_token: str = "",
) -> Shipment:
    """The warehouse records a shipment: per line quantities (partial shipments allowed, up to
    what is made and not yet shipped), carrier, tracking number, ship date and a note.

    `form_token` makes a second submit of the same form show the first shipment.
    """
    order = orders.get_order(order_id, lock=True)  # shipments of one order queue up
    _require(
        permissions.may_ship(actor),
        actor,
        order,
        "shipment",
        _("Only the warehouse records shipments."),
    )
    submission = uniqueness.claim_submission(actor, form_token, SUBMISSION_KIND)
    if order.status not in SHIPPABLE_STATUSES:
        raise Conflict(
            _(
                "Order %(number)s cannot ship: it is not released or is already shipped in full.",
                number=order.number,
            )
        )
    errors: dict[str, str] = {}
    wanted = _quantities(order, quantities, errors)
    carrier = limits.check_text(carrier, limits.column_length(Shipment.carrier), errors, "carrier")
    if not carrier and "carrier" not in errors:
        errors["carrier"] = _("Name the carrier (or 'own truck', 'customer pick-up').")
    tracking_number = limits.check_text(
        tracking_number, limits.column_length(Shipment.tracking_number), errors, "tracking_number"
    )
    note = limits.check_text(note, "notes", errors, "note")
    created = order.created_at.date() if order.created_at else date.min
    day = _day(
        ship_date,
        "ship_date",
        errors,
        created,
        _("The ship date cannot be before the order was entered (%(day)s).", day=created),
    )
    if errors:
        raise InvalidInput(errors=errors)
    sequence = 1 + (
        db.session.scalar(
            db.select(db.func.max(Shipment.sequence)).where(Shipment.order_id == order.id)
        )
        or 0
    )
    shipment = Shipment(
        order=order,
        sequence=sequence,
        carrier=carrier,
        tracking_number=tracking_number,
        ship_date=day,
        note=note,
        created_by_id=actor.id,
        lines=[ShipmentLine(order_line_id=k, quantity=v) for k, v in wanted.items()],
    )
    db.session.add(shipment)
    db.session.flush()
    uniqueness.bind_submission(submission, shipment.id)
    audit.record(
        actor,
        "shipment.record",
        "shipment",
        shipment.id,
        subject=order_subject.ref(order),
        data={
            "number": shipment.number,
            "lines": {str(k): str(v) for k, v in wanted.items()},
            "carrier": carrier,
            "tracking_number": tracking_number,
        },
    )
    in_full = follow_shipments(order) == "shipped"
    if in_full:
        done = {"received": "in_full", "location": "", "comments": shipment.number}
        _tell(order, SHIPPED_IN_FULL, RECEIVE_STEP, done)
    _notify(order, actor, "order_shipped", {"shipment": shipment.number, "in_full": in_full})
    return shipment


def _signer(name: str, errors: dict) -> str:
    name = " ".join((name or "").split())
    if not 2 <= len(name) <= limits.column_length(Shipment.receipt_signer):
        errors["receipt_signer"] = _(
            "Type the name of who signed for the goods (2 to 100 characters)."
        )
    return name


@uniqueness.in_savepoint
def record_receipt(
    actor: User,
    shipment_id: int,
    file,
    signer_name: str,
    received_on: str,
    form_token: str = "",
) -> Shipment:
    """The warehouse or sales records the customer's receipt of a shipment: the signed delivery
    note (PDF or image), who signed and when. The order is delivered when every line is."""
    shipment = reading.get_shipment(shipment_id)
    order = orders.get_order(shipment.order_id, lock=True)
    _require(
        permissions.may_record_receipt(actor),
        actor,
        order,
        "shipment_receipt",
        _("Only the warehouse or sales records the customer's receipt."),
    )
    submission = uniqueness.claim_submission(actor, form_token, RECEIPT_KIND)
    db.session.refresh(shipment)
    if shipment.is_received:
        raise Conflict(
            _(
                "The receipt of %(number)s is already recorded (%(day)s).",
                number=shipment.number,
                day=shipment.received_on,
            )
        )
    errors: dict[str, str] = {}
    signer = _signer(signer_name, errors)
    day = _day(
        received_on,
        "received_on",
        errors,
        shipment.ship_date,
        _("The goods cannot be received before they shipped (%(day)s).", day=shipment.ship_date),
    )
    upload = (
        attachments.check_upload(file, errors, "receipt_file", attachments.SCAN_TYPES)
        if file
        else None
    )
    if upload is None and "receipt_file" not in errors:
        errors["receipt_file"] = _("Choose the signed delivery note (PDF, PNG or JPEG).")
    if errors:
        raise InvalidInput(errors=errors)
    stored = attachments.store(order, upload, actor, kind=RECEIPT_NOTE_KIND)
    shipment.received_on = day
    shipment.receipt_signer = signer
    shipment.receipt_attachment_id = stored.id
    shipment.receipt_recorded_at = clock.utcnow()
    shipment.receipt_recorded_by_id = actor.id
    db.session.flush()
    uniqueness.bind_submission(submission, shipment.id)
    audit.record(
        actor,
        "shipment.receipt",
        "shipment",
        shipment.id,
        subject=order_subject.ref(order),
        data={"number": shipment.number, "signer": signer, "received_on": day.isoformat()},
    )
    if follow_shipments(order) == "delivered":
        _tell(order, DELIVERED)
        _notify(order, actor, "order_delivered", {})
    return shipment


def shipping_status(order: Order) -> str | None:
    """The status the shipments give an order whose production is complete (None while it is
    still in production: shipments of made goods then leave its status to production)."""
    if order.status not in AFTER_PRODUCTION:
        return None
    totals = reading.line_totals(order)
    if totals and all(item.delivered_in_full for item in totals):
        return "delivered"
    if totals and all(item.shipped_in_full for item in totals):
        return "shipped"
    if any(item.shipped > 0 for item in totals):
        return "partly_shipped"
    return "production_complete"


def follow_shipments(order: Order) -> str:
    """Set the order's status from its shipments (once production is complete); returns it."""
    status = shipping_status(order)
    if status is not None and order.status != status:
        order.status = status
    return order.status


def on_outcome(instance, data: dict) -> None:
    """Outcome listener (after the orders' own): a process that sets `production_complete`
    again (the fulfilment process's script, after goods shipped while production went on) must
    not hide the shipments: the status follows them."""
    order = order_subject.order_of(instance)
    if order is not None and order.status == "production_complete":
        if reading.has_shipments(order.id):
            follow_shipments(order)


def _tell(order: Order, message: str, overtaken: str | None = None, data=None) -> bool:
    """Send the fulfilment process its message; False when nothing waits for it (an order
    whose fulfilment started before the shipping steps existed).

    The goods may ship in full before the warehouse closed its step (`overtaken`: the goods'
    receipt into stock): that step is then completed by the event, as the customer's
    confirmation completes sales' step, so the process can take the message and no inbox keeps
    a pointless task.
    """
    waiting = overtaken and db.session.scalar(
        db.select(HumanTask)
        .where(
            order_subject.about_order(HumanTask, order.id),
            HumanTask.spec_name == overtaken,
            HumanTask.state.in_(OPEN_STATES),
            HumanTask.parent_id.is_(None),
        )
        .order_by(HumanTask.id)
        .limit(1)
    )
    if waiting:
        instance = instances.lock_instance(waiting.instance_id)
        instances.complete_by_event(instance, overtaken, data or {}, message)
    return order_subject.tell(order, message)


def _notify(order: Order, actor: User, kind: str, params: dict) -> None:
    """The order's owner (sales, who entered it) hears of shipments and delivery."""
    if order.created_by_id and order.created_by_id != actor.id:
        notifications.notify_users(
            [order.created_by_id],
            order_subject.ref(order),
            kind,
            {"number": order.number, **params},
        )

"""The customer's acceptance of a sent quotation (a signed copy uploaded by sales), and the
accepted quotation becoming an order in one action (orders' own entry service).

Both steps are taken once even when two people click at the same moment: the status moves by a
conditional UPDATE (sent -> accepted, accepted -> ordered), which the second of two racing
transactions finds already done (PostgreSQL re-checks the row after the first commits; SQLite
writes one at a time), so it is refused and no second order is made.
"""

import hashlib
import secrets
from pathlib import Path

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _

from app import limits
from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.users.models import User
from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.modules.orders.models import SPEC_FIELDS, Order
from app.modules.orders.services import attachments, orders
from app.modules.orders.services.order_input import LineInput, OrderInput, check_order
from app.modules.quotations.models import Quotation
from app.modules.quotations.services import approval, quotations

SCAN_TYPES = (".pdf", ".png", ".jpg", ".jpeg")


def _move(quotation_id: int, before: str, after: str, **values) -> bool:
    """Move the status from `before` to `after` unless someone else did first."""
    moved = db.session.execute(
        db.update(Quotation)
        .where(Quotation.id == quotation_id, Quotation.status == before)
        .values(status=after, **values)
        .execution_options(synchronize_session=False)
    )
    return moved.rowcount == 1


def _require_valid(quotation: Quotation) -> None:
    if quotations.is_expired(quotation):
        raise Conflict(
            _(
                "This quotation expired on %(date)s and can no longer be accepted. Edit it with a "
                "new validity date and send the new revision.",
                date=format_date(quotation.valid_until),
            )
        )


def _store(upload: attachments.Upload) -> str:
    name = secrets.token_hex(16) + Path(upload.file_name).suffix.lower()
    folder = Path(current_app.config["STORAGE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(upload.content)
    return name


def accept_with_scan(actor: User, quotation_id: int, file, signer_name: str) -> Quotation:
    """Sales records the customer's acceptance: the signed copy and who signed it."""
    quotation = quotations.get_quotation(quotation_id, lock=True)
    if not quotations.may_edit(actor):
        raise quotations.deny(actor, "quotation_accept", quotation_id)
    if quotation.status != "sent":
        raise Conflict(_("Only a quotation sent to the customer can be accepted."))
    _require_valid(quotation)
    errors: dict[str, str] = {}
    signer = limits.check_text(signer_name, limits.column_length(Quotation.accepted_by_name),
                               errors, "signer_name")  # fmt: skip
    if not signer and "signer_name" not in errors:
        errors["signer_name"] = _("Give the name of who signed for the customer.")
    upload = None
    if file is None or not getattr(file, "filename", ""):
        errors["scan"] = _("Attach the signed copy (PDF, PNG or JPEG).")
    else:
        upload = attachments.check_upload(file, errors, "scan", SCAN_TYPES)
    if errors:
        raise InvalidInput(errors=errors)
    now = utcnow()
    if not _move(quotation.id, "sent", "accepted", accepted_at=now):
        raise Conflict(_("This quotation was accepted already."))
    stored = _store(upload)
    db.session.refresh(quotation)
    quotation.accepted_by_name, quotation.accepted_via = signer, "scan"
    quotation.accepted_revision = quotation.revision
    quotation.signed_file_name, quotation.signed_stored_name = upload.file_name, stored
    quotation.signed_sha256 = hashlib.sha256(upload.content).hexdigest()
    audit.record(
        actor,
        "quotation.accept",
        "quotation",
        quotation.id,
        subject=quotations.ref(quotation),
        data={"revision": quotation.revision, "signer": signer, "file": upload.file_name},
    )
    approval.tell_owner(quotation, "accepted")
    return quotation


def signed_copy(viewer: User, quotation_id: int) -> tuple[Quotation, Path]:
    """The signed copy of an accepted quotation (prices: price readers only)."""
    quotation = quotations.get_quotation(quotation_id)
    quotations.require_prices(viewer, quotation_id)
    path = Path(current_app.config["STORAGE_DIR"]) / (quotation.signed_stored_name or "-")
    if not quotation.signed_stored_name or not path.is_file():
        raise NotFound(_("This quotation has no signed copy."))
    return quotation, path


def order_input(quotation: Quotation) -> OrderInput:
    """The order an accepted quotation becomes: its customer, currency, lines, prices, specs."""
    non_standard = any(line.product_id is None for line in quotation.lines)
    note = _(
        "From quotation %(number)s, revision %(rev)s; payment terms: %(terms)s",
        number=quotation.number,
        rev=quotation.revision,
        terms=quotation.payment_terms,
    )
    return OrderInput(
        customer_id=str(quotation.customer_id),
        order_type="non_standard" if non_standard else "regular",
        currency=quotation.currency,
        notes="\n".join(part for part in (quotation.notes, note) if part),
        lines=[
            LineInput(
                product_id=str(line.product_id or ""),
                description=line.description,
                quantity=f"{line.quantity.normalize():f}",
                unit_price=f"{line.unit_price.normalize():f}",
                specs={} if line.product_id else {k: getattr(line, k) for k in SPEC_FIELDS},
            )
            for line in quotation.lines
        ],
    )


def convert_to_order(actor: User, quotation_id: int) -> Order:
    """An accepted quotation becomes an order in review (once; the two stay linked)."""
    quotation = quotations.get_quotation(quotation_id, lock=True)
    if not quotations.may_edit(actor):
        raise quotations.deny(actor, "quotation_order", quotation_id)
    if quotation.status == "ordered" or quotation.order_id is not None:
        raise Conflict(_("This quotation is an order already."))
    if quotation.status != "accepted":
        raise Conflict(_("Only a quotation the customer accepted becomes an order."))
    checked, errors = check_order(order_input(quotation))
    if errors:
        raise InvalidInput(errors=errors)
    if not _move(quotation.id, "accepted", "ordered"):
        raise Conflict(_("This quotation is an order already."))
    order = orders.enter_order(
        actor,
        checked,
        audit_data={"quotation": quotation.number, "revision": quotation.revision},
        from_quotation=True,
    )
    db.session.refresh(quotation)
    quotation.order_id = order.id
    audit.record(
        actor,
        "quotation.order",
        "quotation",
        quotation.id,
        subject=quotations.ref(quotation),
        data={"order": order.number},
    )
    return order


def from_order(order_id: int) -> Quotation | None:
    """The quotation an order came from, if any (the order page links it)."""
    return db.session.scalar(db.select(Quotation).where(Quotation.order_id == order_id))

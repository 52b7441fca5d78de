"""Customer re-confirmation: single-use signed links, signed scans, and the engine message."""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.notifications import services as notifications
from app.core.tasks import instances
from app.core.users.models import User
from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.i18n import local_datetime
from app.modules.confirmations.models import Confirmation, ConfirmationToken
from app.modules.orders.models import Order
from app.modules.orders.services import access, attachments, revisions
from app.modules.orders.services import subject as order_subject

MESSAGE = "order_confirmed"
# Sales' step the customer's confirmation makes pointless: once the customer has confirmed,
# it is completed on its own (with how the customer confirmed), so no inbox keeps it.
ANSWERED_STEP = "send_confirmation"
LINK_DAYS = 14


class LinkInvalid(NotFound):
    """A confirmation link that cannot be used; the message says why and what to do."""

    status = 410


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="order-confirmation")


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def _require_waiting(order: Order) -> None:
    if order.status != "awaiting_customer":
        raise Conflict(
            _("Order %(n)s is not waiting for the customer's confirmation.", n=order.number)
        )


def issue_link(order: Order, actor: User) -> str:
    """Make a new confirmation link for the current revision; older links stop working."""
    access.require_sales(actor, order, "confirmation_link")
    _require_waiting(order)
    now = utcnow()
    for old in db.session.scalars(
        db.select(ConfirmationToken).where(
            ConfirmationToken.order_id == order.id,
            ConfirmationToken.used_at.is_(None),
            ConfirmationToken.revoked_at.is_(None),
        )
    ):
        old.revoked_at = now
    nonce = secrets.token_urlsafe(24)
    days = current_app.config.get("CONFIRMATION_LINK_DAYS", LINK_DAYS)
    db.session.add(
        ConfirmationToken(
            order_id=order.id,
            revision=order.revision,
            token_hash=_digest(nonce),
            expires_at=now + timedelta(days=days),
            created_by_id=actor.id,
        )
    )
    audit.record(
        actor,
        "confirmation.link",
        "order",
        order.id,
        subject=order_subject.ref(order),
        data={"revision": order.revision, "days": days},
    )
    db.session.flush()
    return _serializer().dumps({"o": order.id, "n": nonce})


def check_link(token: str) -> tuple[Order, ConfirmationToken]:
    """The order a link confirms, or LinkInvalid saying why it cannot be used."""
    try:
        payload = _serializer().loads(token)
        order_id, nonce = int(payload["o"]), str(payload["n"])
    except (BadSignature, KeyError, TypeError, ValueError) as exc:
        raise LinkInvalid(
            _(
                "This confirmation link is not valid. Check that it was copied "
                "completely, or ask your sales contact for a new one."
            )
        ) from exc
    row = db.session.scalar(
        db.select(ConfirmationToken).where(
            ConfirmationToken.token_hash == _digest(nonce), ConfirmationToken.order_id == order_id
        )
    )
    order = db.session.get(Order, order_id)
    if row is None or order is None:
        raise LinkInvalid(
            _("This confirmation link is not valid. Ask your sales contact for a new one.")
        )
    if row.used_at is not None:
        raise LinkInvalid(
            _(
                "This link was already used on %(at)s. The order is confirmed.",
                at=local_datetime(row.used_at),
            )
        )
    if row.revoked_at is not None:
        raise LinkInvalid(
            _("This link was replaced by a newer one. Use the newest link you received.")
        )
    if row.expires_at < utcnow():
        raise LinkInvalid(
            _(
                "This link expired on %(at)s. Ask your sales contact for a new one.",
                at=local_datetime(row.expires_at),
            )
        )
    if row.revision != order.revision or order.status != "awaiting_customer":
        raise LinkInvalid(
            _("The order changed after this link was made. Ask your sales contact for a new link.")
        )
    return order, row


def _confirm(
    order: Order, method: str, signer: str, actor: User | None, ip, ua=None, attachment=None
) -> Confirmation:
    revision = revisions.current_revision(order)
    confirmation = Confirmation(
        order_id=order.id,
        revision=revision.number,
        revision_hash=revision.content_hash,
        method=method,
        signer_name=signer,
        ip=ip,
        user_agent=(ua or "")[:500],
        attachment_id=attachment.id if attachment else None,
        recorded_by_id=actor.id if actor else None,
    )
    db.session.add(confirmation)
    db.session.flush()
    audit.record(
        actor,
        "confirmation." + method,
        "order",
        order.id,
        subject=order_subject.ref(order),
        ip=ip,
        data={
            "signer": signer,
            "revision": revision.number,
            "revision_hash": revision.content_hash,
        },
    )
    instance = instances.deliver_message(
        order_subject.ref(order),
        MESSAGE,
        {"confirmed_by": signer, "method": method, "revision_hash": revision.content_hash},
        {"order_id": order.id},
        _("Order %(n)s has no process waiting for this.", n=order.number),
    )
    if instance.status == "running":
        instances.complete_by_event(instance, ANSWERED_STEP, {"sent_via": method}, MESSAGE)
    if order.created_by_id and (actor is None or actor.id != order.created_by_id):
        # Whoever entered the order hears the customer's answer (unless they filed it).
        notifications.notify_users(
            [order.created_by_id],
            order_subject.ref(order),
            "customer_confirmed",
            {"number": order.number, "signer": signer, "method": method},
        )
    return confirmation


def _signer(name: str, errors: dict) -> str:
    name = " ".join(name.split())
    if not 2 <= len(name) <= 100:
        errors["signer_name"] = _("Type your full name (2 to 100 characters) as your signature.")
    return name


def confirm_with_link(
    token: str, signer_name: str, agreed: bool, ip: str | None, user_agent: str | None
) -> Confirmation:
    """The customer signs through the link by typing their name; the link is then used up."""
    order, row = check_link(token)
    errors: dict[str, str] = {}
    name = _signer(signer_name, errors)
    if not agreed:
        errors["agree"] = _("Tick the box to confirm the order as shown.")
    if errors:
        raise InvalidInput(errors=errors)
    row.used_at = utcnow()
    return _confirm(order, "link", name, None, ip, user_agent)


def record_scan(order: Order, actor: User, file, signer_name: str, ip: str | None) -> Confirmation:
    """Sales uploads the confirmation sheet the customer signed on paper."""
    access.require_sales(actor, order, "confirmation_scan")
    _require_waiting(order)
    errors: dict[str, str] = {}
    name = _signer(signer_name, errors)
    upload = (
        attachments.check_upload(file, errors, "scan", attachments.SCAN_TYPES) if file else None
    )
    if upload is None and "scan" not in errors:
        errors["scan"] = _("Choose the scanned, signed confirmation sheet (PDF, PNG or JPEG).")
    if errors:
        raise InvalidInput(errors=errors)
    now = utcnow()
    for old in db.session.scalars(
        db.select(ConfirmationToken).where(
            ConfirmationToken.order_id == order.id,
            ConfirmationToken.used_at.is_(None),
            ConfirmationToken.revoked_at.is_(None),
        )
    ):
        old.revoked_at = now
    stored = attachments.store(order, upload, actor, kind="signed_confirmation")
    return _confirm(order, "scan", name, actor, ip, attachment=stored)


def confirmations_of(order: Order) -> list[Confirmation]:
    """Every confirmation of the order, oldest first."""
    return list(
        db.session.scalars(
            db.select(Confirmation)
            .where(Confirmation.order_id == order.id)
            .order_by(Confirmation.id)
        )
    )

"""Order revisions: immutable snapshots, the newest of which is what departments see."""

import hashlib
import json
import re
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import pgettext

from app.core.users.models import User
from app.extensions import db
from app.modules.orders.models import (
    HEADER_FIELDS,
    LINE_FIELDS,
    SPEC_FIELDS,
    Order,
    OrderRevision,
)
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.order_input import CheckedOrder


def _number(value) -> str:
    # 10, 10.0 and 10.000 (as the database returns it) are one quantity: one text, one hash.
    return f"{Decimal(value).normalize():f}"


def snapshot(order: Order) -> dict:
    """The order's data as plain JSON-able values (what a revision freezes)."""
    return {
        "number": order.number,
        "customer": {"id": order.customer_id, "name": order.customer.name},
        "customer_po": order.customer_po,
        "order_type": order.order_type,
        "requested_date": order.requested_date.isoformat() if order.requested_date else None,
        "promised_date": order.promised_date.isoformat() if order.promised_date else None,
        "currency": order.currency,
        "notes": order.notes,
        "lines": [
            {
                "position": line.position,
                "product": line.product.code if line.product else None,
                "description": line.description,
                "quantity": _number(line.quantity),
                "unit_price": _number(line.unit_price),
                **({} if line.product else {k: getattr(line, k) for k in SPEC_FIELDS}),
            }
            for line in order.lines
        ],
    }


def content_hash(data: dict) -> str:
    """A stable sha256 of a snapshot: what a customer's confirmation binds to."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# Reasons the system writes are stored as keys and said in the reader's language when shown
# (`reason_text`); what sales typed is stored as typed. See docs/I18N.md.
ENTERED = "entered"
CHANGE_PREFIX = "change:"
# Rows written before the keys: the change request's reason was stored already translated.
_OLD_CHANGE = re.compile(r"^(?:Change request|变更申请) #(\d+)$")


def change_reason(change_id: int) -> str:
    """The stored reason of a revision a change request made."""
    return f"{CHANGE_PREFIX}{change_id}"


def reason_text(reason: str) -> str:
    """A revision's reason in the reader's language (system keys translated, typed text as is)."""
    if reason == ENTERED:
        return pgettext("revision reason", "Entered")
    old = _OLD_CHANGE.match(reason)
    if reason.startswith(CHANGE_PREFIX) or old:
        number = old.group(1) if old else reason.removeprefix(CHANGE_PREFIX)
        return _("Change request #%(id)s", id=number)
    return reason


def create_revision(order: Order, actor: User | None, reason: str = "") -> OrderRevision:
    """Freeze the order's current data as its next revision and make it current."""
    data = snapshot(order)
    number = (order.revisions[-1].number + 1) if order.revisions else 1
    revision = OrderRevision(
        order=order,
        number=number,
        data=json.dumps(data, ensure_ascii=False),
        content_hash=content_hash(data),
        reason=reason,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(revision)
    order.revision = number
    db.session.flush()
    return revision


# What other steps added to a line (the reviewers' estimates, the product engineering created at
# standardisation): kept while the same item stays at its position, dropped when it is replaced.
KEPT_LINE_FIELDS = (
    "eng_hours_per_unit",
    "eng_line_id",
    "prod_hours_per_unit",
    "prod_line_id",
    "standard_product_id",
)


def apply_checked(
    order: Order, checked: CheckedOrder, actor: User | None, reason: str
) -> OrderRevision:
    """Make checked data the order's current data and freeze it as the next revision.

    Lines are matched by position and updated in place (they keep their ids, which running
    processes refer to). A line whose item is the same (same catalogue product, or still a
    non-standard item) keeps its estimate and its standard product; a replaced item loses them.
    """
    for name in HEADER_FIELDS:
        setattr(order, name, getattr(checked, name))
    before = {line.position: line for line in order.lines}
    lines = []
    for new in checked.lines:
        line = before.pop(new.position, None)
        if line is None:
            lines.append(new)
            continue
        new_product_id = new.product.id if new.product is not None else None
        if line.product_id != new_product_id:
            for name in KEPT_LINE_FIELDS:
                setattr(line, name, None)
        line.product = new.product
        for name in LINE_FIELDS:
            value = getattr(new, name)
            setattr(line, name, "" if value is None and name in SPEC_FIELDS else value)
        lines.append(line)
    order.lines = lines  # lines past the new last position are deleted (delete-orphan)
    db.session.flush()
    order_subject.refresh(order)  # every inbox shows the new value and promised date
    return create_revision(order, actor, reason)


def current_revision(order: Order) -> OrderRevision | None:
    """The revision departments work from."""
    return order.revisions[-1] if order.revisions else None

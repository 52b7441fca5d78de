"""Entering, revising and reading orders."""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from app import limits
from app.core import paging
from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.processes import versions as processes
from app.core.submissions import uniqueness
from app.core.tasks import instances
from app.core.tasks.models import HumanTask
from app.core.users.models import User
from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.modules.orders.models import RELEASED_STATUSES, Customer, Order, OrderLine, Product
from app.modules.orders.services import access, attachments, revisions
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.order_input import (
    CheckedOrder,
    LineInput,
    OrderInput,
    check_order,
)

__all__ = ["LineInput", "OrderInput", "create_order", "update_order"]

ORDER_PROCESS = "order_lifecycle"
# The kind of the instance that carries the order itself (its status follows it).
ORDER_LIFECYCLE = "order_lifecycle"
REVIEW_PROCESS = (
    "order_review"  # the first, review-only process; used until the lifecycle is deployed
)
# Sales may change an order's data while one of these steps of theirs is open.
EDITABLE_STEPS = ("confirm_order", "sales_revise")


def _highest_number(prefix: str) -> int:
    """The last sequence number stored under a prefix (compared as a number, not a string)."""
    last = db.session.scalar(
        db.select(Order.number)
        .where(Order.number.like(prefix + "%"))
        .order_by(db.func.length(Order.number).desc(), Order.number.desc())
        .limit(1)
    )
    return int(last.rsplit("-", 1)[1]) if last else 0


def _next_number(today: date) -> str:
    """SO-<year>-<5 digits>, from the year's counter row (locked until this transaction ends)."""
    prefix = f"SO-{today.year}-"
    seq = uniqueness.next_number(f"order:{today.year}", lambda: _highest_number(prefix))
    return f"{prefix}{seq:05d}"


def reserve_order_numbers(year: int, count: int) -> list[str]:
    """`count` order numbers of a year taken from its counter in one go (the volume loader)."""
    prefix = f"SO-{year}-"
    first = uniqueness.reserve_numbers(f"order:{year}", count, lambda: _highest_number(prefix))
    return [f"{prefix}{seq:05d}" for seq in range(first, first + count)]


def create_order(
    actor: User, data: OrderInput, files=(), form_token: str = "", ip: str | None = None
) -> Order:
    """Check and store a new order (revision 1, attachments), then start its process.

    `form_token` is the entry form's once-only token: a second submit of the form answers with
    the order the first one created (AlreadySubmitted) instead of entering it twice.
    """
    access.require_sales(actor, None, "order_create", ip)
    submission = uniqueness.claim_submission(actor, form_token, "order")
    checked, errors = check_order(data)
    uploads = attachments.check_uploads(files, errors)
    if errors:
        raise InvalidInput(errors=errors)
    order = enter_order(actor, checked, uploads)
    uniqueness.bind_submission(submission, order.id)
    return order


def enter_order(
    actor: User,
    checked: CheckedOrder,
    uploads=(),
    audit_data: dict | None = None,
    from_quotation: bool = False,
) -> Order:
    """Store a checked order (revision 1, attachments) in review and start its lifecycle.

    The one way an order enters the lifecycle at review: sales' entry form, the replacement
    order of an exchange (app/modules/returns) and an accepted quotation
    (app/modules/quotations, `from_quotation`) all come through here.
    """
    order = Order(
        number=_next_number(utcnow().date()),
        customer=checked.customer,
        customer_po=checked.customer_po,
        order_type=checked.order_type,
        requested_date=checked.requested_date,
        promised_date=checked.promised_date,
        currency=checked.currency,
        notes=checked.notes,
        created_by_id=actor.id,
        lines=checked.lines,
        status="in_review",
        from_quotation=from_quotation,
    )
    db.session.add(order)
    db.session.flush()
    revisions.create_revision(order, actor, revisions.ENTERED)
    for upload in uploads:
        attachments.store(order, upload, actor)
    audit.record(
        actor,
        "order.create",
        "order",
        order.id,
        subject=order_subject.ref(order),
        data={"number": order.number, "lines": len(order.lines), **(audit_data or {})},
    )
    process_id = ORDER_PROCESS if processes.latest_version(ORDER_PROCESS) else REVIEW_PROCESS
    instances.start_process(
        process_id,
        actor,
        kind=ORDER_LIFECYCLE,
        subject=order_subject.ref(order),
        data=process_data(order),
    )
    return order


def editable(order: Order) -> bool:
    """Whether one of sales' own steps is open, so the order data may change."""
    return (
        db.session.scalar(
            db.select(HumanTask.id).where(
                order_subject.about_order(HumanTask, order.id),
                HumanTask.state == "ready",
                HumanTask.spec_name.in_(EDITABLE_STEPS),
            )
        )
        is not None
    )


def update_order(actor: User, order_id: int, data: OrderInput, reason: str) -> Order:
    """Sales revises an order at intake or after a rejection: a new revision becomes current."""
    order = get_order(order_id, lock=True)  # two revisions at once take turns, numbered apart
    access.require_sales(actor, order, "order_update")
    if not editable(order):
        raise Conflict(
            _(
                "This order can only be changed while sales has it (at intake or after a "
                "rejection). Later changes need a change request."
            )
        )
    checked, errors = check_order(data)
    reason = limits.check_text(reason, "notes", errors, "reason")
    if not reason:
        errors["reason"] = _("Say what changed and why.")
    if errors:
        raise InvalidInput(errors=errors)
    before = revisions.current_revision(order)
    revision = revisions.apply_checked(order, checked, actor, reason)
    audit.record(
        actor,
        "order.revise",
        "order",
        order.id,
        subject=order_subject.ref(order),
        data={
            "from": before.number if before else None,
            "to": revision.number,
            "reason": revision.reason,
        },
    )
    return order


def order_reference(order: Order) -> dict:
    """How a process about an order (a change, a rush) names it in its start data."""
    return {
        "order_id": order.id,
        "order": {
            "id": order.id,
            "number": order.number,
            "customer": order.customer.name,
            "status": order.status,
        },
    }


def process_data(order: Order) -> dict:
    """What the order lifecycle process reads (docs/LIFECYCLE_CONTRACT.md)."""
    repeat = (
        db.session.scalar(
            db.select(Order.id).where(
                Order.customer_id == order.customer_id,
                Order.id != order.id,
                Order.status.in_(RELEASED_STATUSES),
            )
        )
        is not None
    )
    nonstandard = [line for line in order.lines if line.product_id is None]
    return {
        "order_id": order.id,
        "order": {
            "id": order.id,
            "number": order.number,
            "type": order.order_type,
            "customer": order.customer.name,
            "line_count": len(order.lines),
            "non_standard_count": len(nonstandard),
            "all_standard": not nonstandard,
            "repeat_customer": repeat,
            "from_quotation": bool(order.from_quotation),
        },
        "nonstandard_lines": [
            {"line_id": line.id, "position": line.position, "description": line.description}
            for line in nonstandard
        ],
    }


def get_order(order_id: int, lock: bool = False) -> Order:
    """One order or NotFound; with `lock`, nobody else changes it until this transaction ends."""
    order = db.session.get(Order, order_id, with_for_update=lock or None, populate_existing=lock)
    if order is None:
        raise NotFound(_("This order does not exist."))
    return order


def get_line(line_id: int) -> OrderLine | None:
    """One order line."""
    return db.session.get(OrderLine, line_id)


# Orders on one page of the list (a numbered pager, the total counted): 200 unpaged rows were
# 53 KB and most of the page's time (issue 14).
ORDER_PAGE_SIZE = 50


def list_orders(
    status: str = "",
    customer_id: int | None = None,
    waiting_on: int | None = None,
    query: str = "",
    order_type: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    with_returns: bool = False,
    page: int | None = None,
) -> paging.Listed[Order]:
    """One page of the orders for the list page, newest first, filtered, with their count."""
    where = []
    if status:
        where.append(Order.status == status)
    if customer_id:
        where.append(Order.customer_id == customer_id)
    if order_type:
        where.append(Order.order_type == order_type)
    if with_returns:
        where.append(Order.has_returns.is_(True))
    if date_from:
        where.append(Order.requested_date >= date_from)
    if date_to:
        where.append(Order.requested_date <= date_to)
    if waiting_on:
        where.append(
            Order.id.in_(
                db.select(HumanTask.subject_key).where(
                    order_subject.about(HumanTask),
                    HumanTask.state == "ready",
                    HumanTask.department_id == waiting_on,
                )
            )
        )
    if query:
        where.append(Order.number.ilike(f"%{query.strip()}%"))
    return paging.newest(Order, where, ORDER_PAGE_SIZE, page, db.joinedload(Order.customer))


def order_tasks(order_id: int) -> list[HumanTask]:
    """Every human task of the order, in the order they were created, with who completed it,
    its assignee and its department read in the same statement (the order page named each
    one with a read of its own: 13 of its 58 statements for an order under review)."""
    return list(
        db.session.scalars(
            db.select(HumanTask)
            .where(order_subject.about_order(HumanTask, order_id))
            .options(
                joinedload(HumanTask.completed_by),
                joinedload(HumanTask.assignee),
                joinedload(HumanTask.department),
            )
            .order_by(HumanTask.id)
        )
    )


def customers() -> list[Customer]:
    """All customers by name."""
    return list(db.session.scalars(db.select(Customer).order_by(Customer.name)))


# Customers the order list's customer field suggests at a time: the list used to carry every
# customer in a dropdown, and the page grew with them (55 -> 168 KB, issue 14).
CUSTOMER_SUGGESTIONS = 20


def _customer_text(text: str | None) -> str:
    """The customer field's text, stripped; longer than a name can be is refused, never cut."""
    errors: dict[str, str] = {}
    text = limits.check_text(text or "", "name", errors, "customer")
    if errors:
        raise InvalidInput(errors["customer"])
    return text


def customer_suggestions(text: str | None, limit: int = CUSTOMER_SUGGESTIONS) -> list[Customer]:
    """At most `limit` customers whose name contains `text` (any case), by name."""
    text = _customer_text(text)
    stmt = db.select(Customer).order_by(Customer.name, Customer.id).limit(limit)
    if text:
        stmt = stmt.where(Customer.name.ilike(paging.contains(text), escape="\\"))
    return list(db.session.scalars(stmt))


def customer_named(text: str | None) -> Customer | None:
    """The customer the order list's customer field names: its exact name, else (a bookmark of
    the former dropdown) its id."""
    text = _customer_text(text)
    if not text:
        return None
    found = db.session.scalar(db.select(Customer).where(Customer.name == text))
    if found is None and (number := limits.record_id(text)) is not None:
        found = db.session.get(Customer, number)
    return found


def products() -> list[Product]:
    """The catalogue by code."""
    return list(db.session.scalars(db.select(Product).order_by(Product.code)))

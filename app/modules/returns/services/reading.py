"""What the returns pages and the order page read: an order's returns and complaints, a
customer's history, the lists sales works from."""

from dataclasses import dataclass

from app.core import paging
from app.core.tasks import route
from app.extensions import db
from app.modules.returns.models import Complaint, ReturnRequest

# Returns and complaints on one page of their lists: the lists showed the newest 200 each and
# no older, reading each row's order and customer on their own (issue 14).
PAGE_SIZE = 50
# A return's states, in the list's status filter (open first: it is what sales works on).
STATUSES = ("open", "refund_due", "refunded", "exchanged", "rejected", "cancelled")


@dataclass(frozen=True)
class CustomerHistory:
    """How often a customer returned goods or complained, over all their orders."""

    returns: int
    complaints: int


def returns_of(order_id: int) -> list[ReturnRequest]:
    """An order's returns, oldest first."""
    return list(
        db.session.scalars(
            db.select(ReturnRequest)
            .where(ReturnRequest.order_id == order_id)
            .order_by(ReturnRequest.id)
        )
    )


def complaints_of(order_id: int) -> list[Complaint]:
    """An order's complaints, oldest first."""
    return list(
        db.session.scalars(
            db.select(Complaint).where(Complaint.order_id == order_id).order_by(Complaint.id)
        )
    )


def replaced_by(order_id: int) -> ReturnRequest | None:
    """The return whose exchange created this order, if it is a replacement."""
    return db.session.scalar(
        db.select(ReturnRequest).where(ReturnRequest.replacement_order_id == order_id)
    )


def customer_history(customer_id: int) -> CustomerHistory:
    """The customer's count of returns and complaints (two indexed counts)."""
    returns = db.session.scalar(
        db.select(db.func.count(ReturnRequest.id)).where(ReturnRequest.customer_id == customer_id)
    )
    complaints = db.session.scalar(
        db.select(db.func.count(Complaint.id)).where(Complaint.customer_id == customer_id)
    )
    return CustomerHistory(returns or 0, complaints or 0)


def list_returns(
    customer_id: int | None = None, status: str = "", page: int | None = None
) -> paging.Listed[ReturnRequest]:
    """One page of returns, newest first, of one customer and/or status, with their count."""
    where = []
    if customer_id:
        where.append(ReturnRequest.customer_id == customer_id)
    if status in STATUSES:
        where.append(ReturnRequest.status == status)
    shown = (db.joinedload(ReturnRequest.order), db.joinedload(ReturnRequest.customer))
    return paging.newest(ReturnRequest, where, PAGE_SIZE, page, *shown)


def list_complaints(customer_id: int | None = None, page: int | None = None) -> paging.Listed:
    """One page of complaints, newest first, of one customer if given, with their count."""
    where = [Complaint.customer_id == customer_id] if customer_id else []
    shown = (db.joinedload(Complaint.order), db.joinedload(Complaint.customer))
    return paging.newest(Complaint, where, PAGE_SIZE, page, *shown)


def steps(request: ReturnRequest) -> list:
    """The return's approval route: each step with who took it and when."""
    return route.steps_of(request.instance_id) if request.instance_id else []

"""What the returns pages and the order page read: an order's returns and complaints, a
customer's history, the lists sales works from."""

from dataclasses import dataclass

from app.core.tasks import route
from app.extensions import db
from app.modules.returns.models import Complaint, ReturnRequest

LIST_LIMIT = 200


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


def recent_returns(customer_id: int | None = None) -> list[ReturnRequest]:
    """Returns for the list page, newest first (open ones are what sales works on)."""
    stmt = db.select(ReturnRequest).order_by(ReturnRequest.id.desc()).limit(LIST_LIMIT)
    if customer_id:
        stmt = stmt.where(ReturnRequest.customer_id == customer_id)
    return list(db.session.scalars(stmt))


def recent_complaints(customer_id: int | None = None) -> list[Complaint]:
    """Complaints for the list page, newest first."""
    stmt = db.select(Complaint).order_by(Complaint.id.desc()).limit(LIST_LIMIT)
    if customer_id:
        stmt = stmt.where(Complaint.customer_id == customer_id)
    return list(db.session.scalars(stmt))


def steps(request: ReturnRequest) -> list:
    """The return's approval route: each step with who took it and when."""
    return route.steps_of(request.instance_id) if request.instance_id else []

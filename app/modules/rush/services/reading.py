"""What readers see of rush requests: an order's requests, the list and its counts for the
reports, one request's approval steps, and the orders that may be rushed."""

from collections import Counter
from datetime import datetime

from sqlalchemy.orm import selectinload

from app.core import clock, paging
from app.core.tasks import route
from app.core.users.models import User
from app.extensions import db
from app.modules.orders.models import Customer, Order
from app.modules.rush.models import RushRequest
from app.modules.schedule.services.jobs import ACTIVE_STATUSES


def steps(rush: RushRequest) -> list[route.Step]:
    """The approval steps of the request, open and done, in order: who decided what and when,
    and who is expected to take an open one."""
    return route.steps_of(rush.instance_id)


def candidates() -> list[Order]:
    """Orders that may be rushed (open or released), newest first."""
    return list(
        db.session.scalars(
            db.select(Order)
            .where(Order.status.in_(ACTIVE_STATUSES))
            .options(selectinload(Order.customer))  # the list names each one's customer
            .order_by(Order.id.desc())
            .limit(300)
        )
    )


def requests_of(order: Order) -> list[RushRequest]:
    """The order's rush requests, newest first."""
    return list(
        db.session.scalars(
            db.select(RushRequest)
            .where(RushRequest.order_id == order.id)
            .order_by(RushRequest.id.desc())
        )
    )


# Rush requests on one page of the list: it showed the newest 200 and nothing older (issue 14).
PAGE_SIZE = 50
# The counts cover this many factory months, the current one included.
COUNT_MONTHS = 12
# A rush request's states, in the list's status filter (open first: it is what managers decide).
STATUSES = ("open", "approved", "applied", "rejected", "cancelled")


def list_requests(status: str = "", page: int | None = None) -> paging.Listed[RushRequest]:
    """One page of rush requests, newest first, of one status if asked, with their count; each
    with what the list shows of it (its order's number and customer, who asked)."""
    where = [RushRequest.status == status] if status in STATUSES else []
    shown = (
        selectinload(RushRequest.order).selectinload(Order.customer),
        selectinload(RushRequest.requested_by),
    )
    return paging.newest(RushRequest, where, PAGE_SIZE, page, *shown)


def counts(since: datetime | None = None) -> dict:
    """Rush requests per month, customer and requester, each split by status: those asked from
    `since` on (default: the last COUNT_MONTHS factory months, this one included). It counted
    every request ever asked, so the reports grew with the factory's history (issue 14).
    "since" and "months" say what they cover."""
    zone = clock.zone()
    since = since if since is not None else clock.month_start(COUNT_MONTHS - 1)
    rows = db.session.execute(
        db.select(RushRequest.requested_at, RushRequest.status, Customer.name, User.display_name)
        .join(Order, Order.id == RushRequest.order_id)
        .join(Customer, Customer.id == Order.customer_id)
        .outerjoin(User, User.id == RushRequest.requested_by_id)
        .where(RushRequest.requested_at >= since)
    ).all()
    tallies: dict[str, dict[str, Counter]] = {"month": {}, "customer": {}, "requester": {}}
    for requested_at, status, customer, requester in rows:
        keys = {
            "month": requested_at.astimezone(zone).strftime("%Y-%m"),
            "customer": customer,
            "requester": requester or "—",
        }
        for group, key in keys.items():
            tallies[group].setdefault(key, Counter())[status] += 1
    counted = {
        group: sorted(((key, dict(c)) for key, c in found.items()), reverse=group == "month")
        for group, found in tallies.items()
    }
    return {**counted, "since": since, "months": COUNT_MONTHS}

"""In-app notifications, stored per user and rendered in the reader's language."""

import json

from app.core.clock import utcnow
from app.core.notifications.models import Notification
from app.core.users.models import User
from app.extensions import db
from app.modules.orders.models import Order


def key_requirements(order: Order) -> list[str]:
    """The short list every department must know when an order is released."""
    items = []
    for line in order.lines:
        if line.product_id is None:
            items.append(f"line {line.position}: {line.description}")
            for text in (line.quality_requirements, line.packaging_requirements):
                if text:
                    items.append(f"line {line.position}: {text}")
    return items[:12]


def notify_release(order: Order) -> int:
    """Tell every active member of every department that the order is released."""
    params = json.dumps(
        {
            "number": order.number,
            "customer": order.customer.name,
            "requested_date": order.requested_date.isoformat() if order.requested_date else None,
            "requirements": key_requirements(order),
        },
        ensure_ascii=False,
    )
    users = db.session.scalars(
        db.select(User.id).where(User.active.is_(True), User.department_id.is_not(None))
    )
    rows = [
        Notification(user_id=uid, order_id=order.id, kind="order_released", params=params)
        for uid in users
    ]
    db.session.add_all(rows)
    return len(rows)


def unread_count(user: User) -> int:
    """How many notifications the user has not read."""
    return (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def for_user(user: User, limit: int = 50) -> list[tuple[Notification, dict]]:
    """The user's newest notifications with their parameters decoded."""
    rows = db.session.scalars(
        db.select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    return [(row, json.loads(row.params)) for row in rows]


def mark_all_read(user: User) -> None:
    """Mark every notification of the user as read."""
    db.session.execute(
        db.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


def notify_users(user_ids, order: Order | None, kind: str, params: dict) -> int:
    """One notification of `kind` per distinct user (the reader's page renders it)."""
    text = json.dumps(params, ensure_ascii=False, default=str)
    ids = list(dict.fromkeys(uid for uid in user_ids if uid is not None))
    db.session.add_all(
        Notification(user_id=uid, order_id=order.id if order else None, kind=kind, params=text)
        for uid in ids
    )
    return len(ids)


def notify_cancelled(user_id: int | None, order: Order, what: str, ref: int, reason: str) -> int:
    """Tell whoever asked for it that an admin cancelled an order, a change or a rush request.

    `what` is "order", "change" or "rush"; `ref` the request's id (the order's for "order").
    """
    params = {"number": order.number, "what": what, "ref": ref, "reason": reason}
    return notify_users([user_id], order, "process_cancelled", params)


def department_member_ids(key: str) -> list[int]:
    """The active members of a department (by its key)."""
    from app.core.users.models import Department

    return list(
        db.session.scalars(
            db.select(User.id)
            .join(Department, Department.id == User.department_id)
            .where(Department.key == key, User.active.is_(True))
        )
    )

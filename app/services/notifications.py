"""In-app notifications, stored per user and rendered in the reader's language."""

import json

from app.extensions import db
from app.models import Notification, Order, User
from app.models.base import utcnow


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

"""In-app notifications, stored per user and rendered in the reader's language."""

import json

from app.core.clock import utcnow
from app.core.notifications.models import Notification
from app.core.subjects.services import SubjectRef
from app.core.users.models import User
from app.extensions import db

# kind -> the template that renders one notification of that kind (with `n` and `p`), owned by
# the domain that sends it; the core's pages and messages know no kind by name.
_KINDS: dict[str, str] = {}
# kind -> what a reader calls that kind of event (a lazy string, e.g. on the preferences page).
_LABELS: dict[str, object] = {}


def register_kind(kind: str, template: str, label: object | None = None) -> None:
    """A domain declares a kind of notification it sends, the template that shows one and,
    as a lazy translated string, the name a reader knows that event by."""
    _KINDS[kind] = template
    _LABELS[kind] = label if label is not None else kind


def template_for(kind: str) -> str | None:
    """The template that renders a notification of `kind` (None for a kind nobody registered)."""
    return _KINDS.get(kind)


def registered_kinds() -> dict[str, object]:
    """Every registered kind with its label, in registration order."""
    return dict(_LABELS)


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


def notify_users(user_ids, subject: SubjectRef | None, kind: str, params: dict) -> int:
    """One notification of `kind` per distinct user (the reader's page renders it)."""
    text = json.dumps(params, ensure_ascii=False, default=str)
    ids = list(dict.fromkeys(uid for uid in user_ids if uid is not None))
    # --- out of office (app/core/users/away.py): a user away today is reached through their
    # substitute as well. Kept by the notifications module as a separate step.
    from app.core.users import away

    ids = away.with_substitutes(ids)
    # --- end out of office
    db.session.add_all(
        Notification(
            user_id=uid,
            subject_type=subject.type if subject else None,
            subject_key=subject.key if subject else None,
            kind=kind,
            params=text,
        )
        for uid in ids
    )
    return len(ids)


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

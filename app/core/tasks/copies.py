"""Copy for information 抄送: other users see a task read-only in /tasks/shared, and are told.

A rule of the tasks core beside the other approval actions (app/core/tasks/actions.py), with
the same who-may rules, audit and refusals (docs/TASK_ACTIONS.md).
"""

from flask_babel import gettext as _

from app.core.clock import utcnow
from app.core.tasks import inbox, instances
from app.core.tasks.actions import _deny, _text, _user, notify_about
from app.core.tasks.cosign import bad
from app.core.tasks.inbox import get_task
from app.core.tasks.models import TaskCopy
from app.core.users import permissions
from app.core.users.models import User
from app.extensions import db

MAX_COPY_RECIPIENTS = 20


def copy(
    task_id: int, actor: User, recipient_ids: list[int | None], note: str | None, ip=None
) -> list[TaskCopy]:
    """Show the task read-only to other users (in /tasks/shared), and tell them."""
    task = get_task(task_id)
    if not permissions.may_copy(actor, task.department_id, task.role) and not (
        task.parent_id is not None and permissions.is_owner(actor, task.assignee_id)
    ):
        raise _deny(actor, task, "copy", _("Only who may work on this task can copy it."), ip)
    text = _text(note, "note")
    if not recipient_ids:
        raise bad("recipient_ids", _("Choose at least one person."))
    if len(recipient_ids) > MAX_COPY_RECIPIENTS:
        raise bad("recipient_ids", _("Choose at most %(n)s people.", n=MAX_COPY_RECIPIENTS))
    recipients = [_user(uid, "recipient_ids") for uid in dict.fromkeys(recipient_ids)]
    instances.lock_instance(task.instance_id)  # the same copy sent twice at once is kept once
    already = set(
        db.session.scalars(db.select(TaskCopy.recipient_id).where(TaskCopy.task_id == task.id))
    )
    rows = [
        TaskCopy(
            task_id=task.id,
            subject_type=task.subject_type,
            subject_key=task.subject_key,
            recipient_id=user.id,
            by_id=actor.id,
            note=text or None,
            created_at=utcnow(),
        )
        for user in recipients
        if user.id not in already and user.id != actor.id
    ]
    db.session.add_all(rows)
    inbox.audit_task(
        actor,
        "task.copy",
        task,
        data={"to": [row.recipient_id for row in rows], "note": text, "step": task.name},
        ip=ip,
    )
    notify_about(
        [row.recipient_id for row in rows],
        task,
        "task_copied",
        {"by": actor.display_name, "note": text},
        task,
    )
    db.session.flush()
    return rows


def shared_with(user: User, limit: int = 200) -> list[TaskCopy]:
    """What was copied to the user, newest first."""
    return list(
        db.session.scalars(
            db.select(TaskCopy)
            .where(TaskCopy.recipient_id == user.id)
            .order_by(TaskCopy.id.desc())
            .limit(limit)
        )
    )


def mark_copies_read(user: User, task_id: int) -> None:
    """The recipient opened the copied task."""
    db.session.execute(
        db.update(TaskCopy)
        .where(
            TaskCopy.recipient_id == user.id,
            TaskCopy.task_id == task_id,
            TaskCopy.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )

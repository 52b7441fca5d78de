"""Withdrawing a request (撤回): its requester takes it back before anyone acted on it.

A process that carries a request (a change, a rush) is started by its requester
(`process_instance.started_by_id`). Until someone acts on it — completes, claims or is assigned
one of its tasks — the requester may withdraw it: the instance is cancelled with its open
tasks, the kind's `on_withdraw` (app/core/tasks/registry.py) closes the request it carries, the
reason is kept as a note in the subject's timeline, an audit row records it and whoever had
the open tasks is told (`request_withdrawn`). Once someone acted, the attempt is refused with
a message and audited; a kind that registered no `on_withdraw` cannot be withdrawn at all.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import limits
from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.comments.models import TaskNote
from app.core.notifications import services as notifications
from app.core.subjects import services as subjects
from app.core.tasks import instances, registry
from app.core.tasks.inbox import members_for
from app.core.tasks.models import OPEN_STATES, HumanTask, ProcessInstance
from app.core.users import permissions
from app.core.users.models import User
from app.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.extensions import db

KIND = "request_withdrawn"
REASON_LIMIT = 2000


def register() -> None:
    """The notification the holders of a withdrawn request's tasks get (core setup)."""
    notifications.register_kind(
        KIND, "tasks/_notice_withdrawn.html", _l("A request was withdrawn by its requester")
    )


def withdrawable(instance: ProcessInstance) -> bool:
    """Whether the instance's kind carries a request that can be withdrawn."""
    return registry.handlers(instance.kind).on_withdraw is not None


def acted_on(instance: ProcessInstance) -> HumanTask | None:
    """The first task of the instance someone acted on (completed, claimed, assigned), if any."""
    return db.session.scalar(
        db.select(HumanTask)
        .where(
            HumanTask.instance_id == instance.id,
            db.or_(HumanTask.state == "completed", HumanTask.assignee_id.is_not(None)),
        )
        .order_by(HumanTask.id)
        .limit(1)
    )


def may_withdraw(user: User, instance: ProcessInstance) -> bool:
    """Offer the button: the requester, of a running withdrawable request nobody acted on."""
    return (
        instance.status == "running"
        and withdrawable(instance)
        and permissions.may_withdraw(user, instance.started_by_id)
        and acted_on(instance) is None
    )


def _refuse(actor: User, instance: ProcessInstance, why: str, message: str, ip: str | None):
    audit.record(
        actor,
        "denied.withdraw",
        "process_instance",
        instance.id,
        data={"why": why},
        subject=subjects.ref_of(instance),
        instance_id=instance.id,
        ip=ip,
    )
    db.session.flush()
    return PermissionDenied(message)


def withdraw(
    instance_id: int, actor: User, reason: str | None, ip: str | None = None
) -> ProcessInstance:
    """The requester withdraws the request the instance carries (see the module's doc)."""
    errors: dict[str, str] = {}
    text = limits.check_text(reason or "", REASON_LIMIT, errors, "reason")
    if errors:
        raise InvalidInput(errors=errors)
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound()
    if not withdrawable(instance):
        raise _refuse(actor, instance, "kind", _("This process cannot be withdrawn."), ip)
    if not permissions.may_withdraw(actor, instance.started_by_id):
        raise _refuse(actor, instance, "who", _("Only who made the request can withdraw it."), ip)
    instance = instances.lock_instance(instance_id)
    if instance.status != "running":
        raise Conflict(_("This process is not running (status: %(s)s).", s=instance.status))
    acted = acted_on(instance)
    if acted is not None:
        who = acted.completed_by or acted.assignee
        message = _(
            "%(name)s already acted on “%(step)s”; the request can no longer be withdrawn. "
            "Ask them to reject it or send it back.",
            name=who.display_name if who else _("someone"),
            step=acted.name,
        )
        raise _refuse(actor, instance, "acted", message, ip)
    open_rows = list(
        db.session.scalars(
            db.select(HumanTask).where(
                HumanTask.instance_id == instance.id, HumanTask.state.in_(OPEN_STATES)
            )
        )
    )
    instance.status = "cancelled"
    instance.cancel_reason = text or _("Withdrawn by the requester.")
    instance.ended_at = utcnow()
    for row in open_rows:
        row.state = "cancelled"
    subject = subjects.ref_of(instance)
    db.session.add(
        TaskNote(
            instance_id=instance.id,
            subject_type=instance.subject_type,
            subject_key=instance.subject_key,
            author_id=actor.id,
            kind="withdraw",
            body=text,
        )
    )
    audit.record(
        actor,
        "instance.withdraw",
        "process_instance",
        instance.id,
        data={"reason": text, "kind": instance.kind, "tasks": [r.id for r in open_rows]},
        subject=subject,
        instance_id=instance.id,
        ip=ip,
    )
    registry.handlers(instance.kind).on_withdraw(instance, actor, text)
    holders: list[int] = []
    for row in open_rows:
        holders.extend(user.id for user in members_for(row))
    notifications.notify_users(
        [uid for uid in holders if uid != actor.id],
        subject,
        KIND,
        {
            "by": actor.display_name,
            "reason": text,
            "steps": [row.name for row in open_rows],
            "steps_zh": [row.name_zh or row.name for row in open_rows],
        },
    )
    db.session.flush()
    return instance


def offer(user: User, instance_id: int | None) -> dict | None:
    """What a request's own page needs to offer its requester the withdraw form (the template
    tasks/_withdraw.html with `task` and `limit`), or None when they may not withdraw it."""
    instance = db.session.get(ProcessInstance, instance_id) if instance_id else None
    if instance is None or not may_withdraw(user, instance):
        return None
    task = db.session.scalar(
        db.select(HumanTask)
        .where(HumanTask.instance_id == instance.id, HumanTask.state == "ready")
        .order_by(HumanTask.id)
        .limit(1)
    )
    return {"task": task, "limit": REASON_LIMIT} if task is not None else None


def task_panels(task: HumanTask, page) -> list:
    """The requester's withdraw button on a task of their request (below the task)."""
    from app.core.tasks.registry import Panel

    if task.state != "ready" or not may_withdraw(page.viewer, task.instance):
        return []
    context = {"task": task, "limit": REASON_LIMIT}
    return [Panel("below", "tasks/_withdraw.html", context, order=20)]

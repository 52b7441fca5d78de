"""Approval actions on a task, as rules of the tasks core (docs/TASK_ACTIONS.md).

Claim and give back, assign (head), transfer 转办, add a co-signer 加签
(app/core/tasks/cosign.py); delegate 委派, take back and answering a co-sign or a delegation
are app/core/tasks/delegation.py, copy for information 抄送 app/core/tasks/copies.py and what
the task page shows of all this app/core/tasks/action_page.py. Who may is decided in
app/core/users/permissions.py; every change and every refusal is audited; a refusal raises
PermissionDenied with a message the page shows. Work handed to someone who is out of office goes
to their substitute (app/core/users/away.py).

A co-sign or delegation task is a `human_task` row with `parent_id` set: made here, not by the
BPMN; it is answered (never completed through the engine) by its assignee only.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import limits
from app.core.notifications import services as notifications
from app.core.subjects import services as subjects
from app.core.tasks import cosign, inbox, instances
from app.core.tasks.cosign import bad
from app.core.tasks.inbox import ensure_open, get_task
from app.core.tasks.models import HumanTask, TaskCosign
from app.core.users import away, permissions
from app.core.users.models import User
from app.errors import Conflict, PermissionDenied
from app.extensions import db

TEXT_LIMIT = "notes"  # reasons, notes and opinions: app/limits.py

KINDS = {
    "task_transferred": _l("A task was transferred to me"),
    "task_delegated": _l("A task was delegated to me"),
    "delegation_answered": _l("My delegate answered"),
    "cosign_requested": _l("I was asked to co-sign"),
    "cosign_answered": _l("A co-signer answered"),
    "task_copied": _l("A task was copied to me"),
    "task_assigned": _l("A task was assigned to me"),
    "substitute_active": _l("Work came to me as a substitute"),
}


def register_kinds() -> None:
    """The notification kinds these actions send (a kind someone registered first is kept)."""
    for kind, label in KINDS.items():
        if notifications.template_for(kind) is None:
            notifications.register_kind(kind, f"tasks/notices/{kind}.html", label)


def notify_about(user_ids, task: HumanTask, kind: str, params: dict, link: HumanTask) -> None:
    """Notify about a task: its step in both languages and the task page to open."""
    base = {"step": task.name, "step_zh": task.name_zh, "task_id": link.id}
    notifications.notify_users(user_ids, subjects.ref_of(task), kind, {**base, **params})


def _deny(actor: User, task: HumanTask, action: str, message: str, ip=None) -> PermissionDenied:
    inbox.record_denial(actor, task, action, ip)
    return PermissionDenied(message)


def _text(value: str | None, key: str, required: bool = False) -> str:
    errors: dict[str, str] = {}
    text = limits.check_text(value or "", TEXT_LIMIT, errors, key)
    if required and not text and not errors:
        errors[key] = _("Please write a few words.")
    if errors:
        raise bad(key, errors[key])
    return text


def _user(user_id: int | None, key: str = "user_id") -> User:
    user = db.session.get(User, user_id) if user_id else None
    if user is None or not user.active:
        raise bad(key, _("Choose an active user from the list."))
    return user


def _pool_task(task: HumanTask, actor: User, action: str, ip) -> None:
    """Claim, give back and assign are for the department's own (BPMN) tasks, when ready."""
    if task.parent_id is not None:
        raise _deny(
            actor, task, action, _("This co-sign or delegation task belongs to its assignee."), ip
        )
    reason = cosign.waiting_reason(task)
    if reason:
        raise Conflict(reason)


def _holder_task(task: HumanTask) -> None:
    if task.parent_id is not None:
        raise Conflict(_("Answer this task instead; it goes back to who asked for it."))
    reason = cosign.waiting_reason(task)
    if reason:
        raise Conflict(reason)
    ensure_open(task)


def _routed(user: User, task: HumanTask, actor: User, department_task: bool) -> User:
    """`user`, or their substitute while they are out of office (audited, the substitute told)."""
    target, holding = away.stand_in(user)
    if holding is None:
        return user
    if department_task and not permissions.may_receive_task(target, task.department_id, task.role):
        raise bad(
            "user_id",
            _(
                "%(name)s is away until %(day)s and %(sub)s cannot take this task.",
                name=user.display_name,
                day=holding.ends_on.isoformat(),
                sub=target.display_name,
            ),
        )
    inbox.audit_task(
        actor, "task.substitute", task, data={"for": user.id, "to": target.id, "away": holding.id}
    )
    notify_about([target.id], task, "substitute_active", {"for_name": user.display_name}, task)
    return target


# --- claim, give back, assign ---------------------------------------------------------------


def claim(task_id: int, actor: User, ip: str | None = None) -> HumanTask:
    """Take a department task; a task someone else claimed first is refused with their name."""
    task = get_task(task_id)
    _pool_task(task, actor, "claim", ip)
    return inbox.claim(task_id, actor, ip)


def unclaim(task_id: int, actor: User, ip: str | None = None) -> HumanTask:
    """Give a task back to the department's pool (its assignee, or the head)."""
    task = get_task(task_id)
    _pool_task(task, actor, "unclaim", ip)
    return inbox.unclaim(task_id, actor, ip)


def assign(task_id: int, actor: User, assignee_id: int, ip: str | None = None) -> HumanTask:
    """The department head hands a task to a member (their substitute while they are away)."""
    task = get_task(task_id)
    _pool_task(task, actor, "assign", ip)
    if not permissions.heads(actor, task.department_id):
        raise inbox.deny(actor, task, "assign", ip)
    member = db.session.get(User, assignee_id)
    if member is not None and member.active:
        assignee_id = _routed(member, task, actor, True).id
    task = inbox.assign(task_id, actor, assignee_id, ip)
    if task.assignee_id != actor.id:
        notify_about([task.assignee_id], task, "task_assigned", {"by": actor.display_name}, task)
    return task


# --- transfer 转办 ----------------------------------------------------------------------------


def transfer(
    task_id: int, actor: User, to_user_id: int | None, reason: str | None, ip: str | None = None
) -> HumanTask:
    """The holder (or the head) hands the task to a colleague who may act on it, with a reason."""
    task = get_task(task_id)
    if task.parent_id is not None or not permissions.may_transfer(
        actor, task.department_id, task.role, task.assignee_id
    ):
        raise _deny(actor, task, "transfer", _("Only who holds this task can transfer it."), ip)
    _holder_task(task)
    text = _text(reason, "reason", required=True)
    target = _user(to_user_id)
    if target.id == actor.id:
        raise bad("user_id", _("Choose someone other than yourself."))
    if not permissions.may_receive_task(target, task.department_id, task.role):
        raise bad("user_id", _("%(name)s cannot act on this task.", name=target.display_name))
    target = _routed(target, task, actor, True)
    instances.lock_instance(task.instance_id)
    taken = db.session.execute(
        db.update(HumanTask)
        .where(
            HumanTask.id == task.id,
            HumanTask.state == "ready",
            HumanTask.assignee_id.is_(task.assignee_id)
            if task.assignee_id is None
            else HumanTask.assignee_id == task.assignee_id,
        )
        .values(assignee_id=target.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    previous = task.assignee_id
    db.session.refresh(task)
    if not taken:
        raise Conflict()
    inbox.audit_task(
        actor,
        "task.transfer",
        task,
        data={"from": previous, "to": target.id, "reason": text, "step": task.name},
        ip=ip,
    )
    notify_about(
        [target.id], task, "task_transferred", {"by": actor.display_name, "reason": text}, task
    )
    db.session.flush()
    return task


# --- co-signers 加签 --------------------------------------------------------------------------


def add_cosigner(
    task_id: int,
    actor: User,
    cosigner_id: int | None,
    position: str | None,
    note: str | None,
    ip: str | None = None,
) -> TaskCosign:
    """The holder adds a co-signer who answers before (the task waits) or after them."""
    task = get_task(task_id)
    if task.parent_id is not None or not permissions.may_add_cosigner(
        actor, task.department_id, task.role, task.assignee_id
    ):
        raise _deny(
            actor, task, "cosign_add", _("Only who holds this task can add a co-signer."), ip
        )
    _holder_task(task)
    text = _text(note, "note")
    target = _user(cosigner_id)
    if target.id != actor.id:
        target = _routed(target, task, actor, False)
    instances.lock_instance(task.instance_id)
    db.session.refresh(task)
    _holder_task(task)
    return cosign.add(task, actor, target, position or "", text, ip, notify_about)


def cancel_cosigner(cosign_id: int, actor: User, ip: str | None = None) -> TaskCosign:
    """Who asked for a co-sign takes it back."""
    return cosign.cancel(cosign_id, actor, ip, _deny)


# --- copy 抄送 --------------------------------------------------------------------------------

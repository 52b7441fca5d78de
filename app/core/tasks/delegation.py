"""Delegate 委派 and take back, and answering a co-sign or a delegation (docs/TASK_ACTIONS.md).

The holder's other actions and the shared checks are in app/core/tasks/actions.py; a co-sign's
own rules in app/core/tasks/cosign.py.
"""

from flask_babel import gettext as _

from app.core.clock import utcnow
from app.core.tasks import cosign, inbox, instances
from app.core.tasks.actions import _deny, _holder_task, _routed, _text, _user, notify_about
from app.core.tasks.cosign import bad
from app.core.tasks.inbox import ensure_open, get_task
from app.core.tasks.models import HumanTask, TaskCosign, TaskDelegation
from app.core.users import permissions
from app.core.users.models import User
from app.errors import Conflict, NotFound
from app.extensions import db

# --- delegate 委派 ----------------------------------------------------------------------------


def delegate(
    task_id: int, actor: User, to_user_id: int | None, note: str | None, ip: str | None = None
) -> TaskDelegation:
    """The holder asks another user to answer; the task waits and comes back to the holder."""
    task = get_task(task_id)
    if task.parent_id is not None or not permissions.may_delegate(
        actor, task.department_id, task.role, task.assignee_id
    ):
        raise _deny(actor, task, "delegate", _("Only who holds this task can delegate it."), ip)
    _holder_task(task)
    text = _text(note, "note")
    target = _user(to_user_id)
    if target.id == actor.id:
        raise bad("user_id", _("Choose someone other than yourself."))
    target = _routed(target, task, actor, False)
    instances.lock_instance(task.instance_id)
    db.session.refresh(task)
    _holder_task(task)
    child = cosign.make_child(task, target, "delegation")
    row = TaskDelegation(
        task_id=task.id,
        child_task_id=child.id,
        delegator_id=actor.id,
        delegate_id=target.id,
        state="active",
        note=text or None,
        created_at=utcnow(),
    )
    db.session.add(row)
    task.state, task.assignee_id = "waiting", actor.id
    inbox.audit_task(
        actor, "task.delegate", task, data={"to": target.id, "note": text, "step": task.name}, ip=ip
    )
    notify_about(
        [target.id], task, "task_delegated", {"by": actor.display_name, "note": text}, child
    )
    db.session.flush()
    return row


def recall_delegation(task_id: int, actor: User, ip: str | None = None) -> HumanTask:
    """The delegator takes the task back before the delegate answered."""
    task = get_task(task_id)
    row = db.session.scalar(
        db.select(TaskDelegation).where(
            TaskDelegation.task_id == task.id, TaskDelegation.state == "active"
        )
    )
    if row is None:
        raise Conflict(_("This task is not delegated (any more)."))
    if not permissions.may_withdraw_request(actor, row.delegator_id):
        raise _deny(
            actor, task, "delegate_recall", _("Only who delegated this task can take it back."), ip
        )
    instances.lock_instance(task.instance_id)
    db.session.refresh(row)
    if row.state != "active":
        raise Conflict(_("This task is not delegated (any more)."))
    row.state = "recalled"
    child = db.session.get(HumanTask, row.child_task_id)
    if child is not None and child.state == "ready":
        child.state = "cancelled"
    inbox.audit_task(
        actor,
        "task.delegate_recall",
        task,
        data={"delegate": row.delegate_id, "step": task.name},
        ip=ip,
    )
    db.session.flush()
    cosign.reopen_if_free(task)
    return task


# --- answering a co-sign or a delegation ------------------------------------------------------


def child_request(child: HumanTask) -> TaskCosign | TaskDelegation | None:
    """The co-sign or delegation a child task answers."""
    if child.parent_id is None:
        return None
    found = db.session.scalar(db.select(TaskCosign).where(TaskCosign.child_task_id == child.id))
    if found is not None:
        return found
    return db.session.scalar(
        db.select(TaskDelegation).where(TaskDelegation.child_task_id == child.id)
    )


def answer(
    child_id: int, actor: User, decision: str | None, opinion: str | None, ip: str | None = None
) -> HumanTask:
    """The co-signer or the delegate answers their task with an opinion."""
    child = get_task(child_id)
    request = child_request(child)
    if request is None:
        raise NotFound(_("This is not a co-sign or delegation task."))
    if not permissions.may_answer_child(actor, child.assignee_id):
        raise _deny(
            actor,
            child,
            "answer",
            _("Only %(name)s can answer this task.", name=child.assignee.display_name),
            ip,
        )
    ensure_open(child)
    text = _text(opinion, "opinion", required=True)
    if isinstance(request, TaskCosign) and decision not in ("agree", "disagree"):
        raise bad("decision", _("Choose agree or disagree."))
    instances.lock_instance(child.instance_id)
    db.session.refresh(child)
    ensure_open(child)
    if isinstance(request, TaskCosign):
        cosign.answer(child, request, actor, decision == "agree", text, ip, notify_about)
        return child
    task = request.task
    now = utcnow()
    child.state, child.completed_at, child.completed_by_id = "completed", now, actor.id
    child.data = _json({"answer": text})
    request.state, request.answer, request.answered_at = "answered", text, now
    task.assignee_id = request.delegator_id
    inbox.audit_task(
        actor,
        "task.delegate_answer",
        task,
        data={"delegator": request.delegator_id, "answer": text, "step": task.name},
        ip=ip,
    )
    notify_about(
        [request.delegator_id],
        task,
        "delegation_answered",
        {"by": actor.display_name, "answer": text},
        task,
    )
    db.session.flush()
    cosign.reopen_if_free(task)
    return child


def _json(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)

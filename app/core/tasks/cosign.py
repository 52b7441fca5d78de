"""加签: co-signers added to a task by its holder, outside the BPMN (docs/TASK_ACTIONS.md).

- **before**: the original waits (state "waiting", out of every inbox) while the co-signer's
  own task is in their inbox; when every before-co-signer has answered with an opinion (agree or
  disagree; the holder decides), the original is ready again for its holder.
- **after**: the co-signer is asked once the holder completes the original. That completion is
  *held*: the form is validated and kept as submitted (human_task.held_form), the original waits,
  and the engine is not touched. When the last after-co-signer agrees, the held submission is
  replayed as the holder's completion (validated again, the engine steps, the process moves on).
  A disagreement drops the held completion: the original is ready for its holder again, with the
  opinion shown, and the co-signers after it are asked again at the next completion.

Every change locks the process instance first, so answers given at once are applied one by one.
"""

import json

from flask_babel import gettext as _
from sqlalchemy import ColumnElement
from werkzeug.datastructures import MultiDict

from app.core.clock import utcnow
from app.core.tasks import inbox, instances
from app.core.tasks.models import COSIGN_POSITIONS, HumanTask, TaskCosign, TaskDelegation
from app.core.users import permissions
from app.core.users.models import User
from app.errors import Conflict, DomainError, InvalidInput, NotFound
from app.extensions import db


def bad(key: str, message: str) -> InvalidInput:
    """Refused input: the message (shown as is) under the field it is about."""
    return InvalidInput(message, errors={key: message})


CHILD_PREFIX = {"cosign": ("Co-sign: ", "加签："), "delegation": ("Delegated: ", "委派：")}


def make_child(original: HumanTask, user: User, kind: str) -> HumanTask:
    """A task of the tasks core (not of the BPMN) for `user` about `original`."""
    en, zh = CHILD_PREFIX[kind]
    child = HumanTask(
        instance_id=original.instance_id,
        subject_type=original.subject_type,
        subject_key=original.subject_key,
        task_id=f"{kind}-{original.id}-{utcnow().timestamp():.6f}-{user.id}"[:64],
        spec_name=f"{kind}:{original.spec_name}"[:200],
        name=(en + original.name)[:200],
        name_zh=(zh + (original.name_zh or original.name))[:200],
        department_id=user.department_id,
        role=None,
        state="ready",
        assignee_id=user.id,
        created_at=utcnow(),
        due_at=original.due_at,
        context=original.context,
        parent_id=original.id,
    )
    db.session.add(child)
    db.session.flush()
    return child


def cosigns_of(task: HumanTask) -> list[TaskCosign]:
    """Every co-sign of the task, oldest first (shown on the task page)."""
    return list(
        db.session.scalars(
            db.select(TaskCosign).where(TaskCosign.task_id == task.id).order_by(TaskCosign.id)
        )
    )


def _open(task_id: int, position: str | None = None, states=("pending", "active")):
    stmt = db.select(TaskCosign).where(TaskCosign.task_id == task_id, TaskCosign.state.in_(states))
    if position:
        stmt = stmt.where(TaskCosign.position == position)
    return list(db.session.scalars(stmt.order_by(TaskCosign.id)))


def _active_delegation(task_id: int) -> TaskDelegation | None:
    return db.session.scalar(
        db.select(TaskDelegation).where(
            TaskDelegation.task_id == task_id, TaskDelegation.state == "active"
        )
    )


def waiting_reason(task: HumanTask) -> str | None:
    """Why the original cannot be completed now (None when nothing holds it)."""
    if task.state != "waiting":
        return None
    if task.held_form is not None:
        names = ", ".join(c.cosigner.display_name for c in _open(task.id, "after", ("active",)))
        return _("Your completion waits for the co-signers after you: %(names)s.", names=names)
    before = _open(task.id, "before", ("active",))
    if before:
        names = ", ".join(c.cosigner.display_name for c in before)
        return _("This task waits for the opinion of its co-signers: %(names)s.", names=names)
    delegation = _active_delegation(task.id)
    if delegation is not None:
        return _(
            "Delegated to %(name)s: it comes back when they answer.",
            name=delegation.delegate.display_name,
        )
    return _("This task is waiting.")


def reopen_if_free(task: HumanTask) -> None:
    """Make a waiting original ready again once nothing holds it any more."""
    if task.state != "waiting" or task.held_form is not None:
        return
    if _open(task.id, "before", ("active",)) or _active_delegation(task.id) is not None:
        return
    task.state = "ready"
    db.session.flush()


def add(
    task: HumanTask,
    actor: User,
    cosigner: User,
    position: str,
    note: str,
    ip: str | None,
    notify,
) -> TaskCosign:
    """Add a co-signer before or after the holder (the caller checked who may and the input)."""
    if position not in COSIGN_POSITIONS:
        raise bad("position", _("Choose before or after me."))
    if cosigner.id == actor.id:
        raise bad("user_id", _("Choose someone other than yourself."))
    if any(c.cosigner_id == cosigner.id for c in _open(task.id)):
        raise bad(
            "user_id",
            _("%(name)s is already a co-signer of this task.", name=cosigner.display_name),
        )
    row = TaskCosign(
        task_id=task.id,
        cosigner_id=cosigner.id,
        requested_by_id=actor.id,
        position=position,
        state="pending",
        note=note or None,
        requested_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    if task.assignee_id is None:  # adding a co-signer takes the task: it comes back to the holder
        task.assignee_id = actor.id
    if position == "before":
        _activate(task, row, notify)
        task.state = "waiting"
    inbox.audit_task(
        actor,
        "task.cosign_add",
        task,
        data={"cosigner": cosigner.id, "position": position, "note": note, "step": task.name},
        ip=ip,
    )
    db.session.flush()
    return row


def _activate(task: HumanTask, row: TaskCosign, notify) -> None:
    child = make_child(task, row.cosigner, "cosign")
    row.child_task_id = child.id
    row.state = "active"
    notify(
        [row.cosigner_id],
        task,
        "cosign_requested",
        {"by": row.requested_by.display_name, "position": row.position, "note": row.note},
        child,
    )


def cancel(cosign_id: int, actor: User, ip: str | None, deny) -> TaskCosign:
    """The one who asked takes a co-sign back (pending or active)."""
    row = db.session.get(TaskCosign, cosign_id)
    if row is None:
        raise NotFound()
    task = row.task
    if not permissions.may_withdraw_request(actor, row.requested_by_id):
        raise deny(
            actor, task, "cosign_cancel", _("Only who asked for this co-sign can take it back."), ip
        )
    instances.lock_instance(task.instance_id)
    db.session.refresh(row)
    if row.state not in ("pending", "active"):
        raise Conflict(_("This co-sign was answered or ended already."))
    _close(row, "cancelled")
    inbox.audit_task(
        actor,
        "task.cosign_cancel",
        task,
        data={"cosigner": row.cosigner_id, "position": row.position},
        ip=ip,
    )
    if task.held_form is not None and not _open(task.id, "after", ("active",)):
        _release(task, actor)
    else:
        reopen_if_free(task)
    return row


def _close(row: TaskCosign, state: str) -> None:
    row.state = state
    if row.child_task_id is not None:
        child = db.session.get(HumanTask, row.child_task_id)
        if child is not None and child.state == "ready":
            child.state = "cancelled"
    db.session.flush()


def after_pending(task_id) -> ColumnElement[bool]:
    """Whether co-signers are to agree after the task's holder (a column expression, so that
    the completion reads it with the task: app/core/tasks/completion.py)."""
    return (
        db.select(TaskCosign.id)
        .where(
            TaskCosign.task_id == task_id,
            TaskCosign.position == "after",
            TaskCosign.state == "pending",
        )
        .exists()
    )


def hold_for_after(task: HumanTask, actor: User, formdata, asked: bool = True) -> bool:
    """On the holder's completion: hold it if co-signers are to agree after it (True if held).
    `asked=False`: the caller read `after_pending` with the task and it was false."""
    waiting = _open(task.id, "after", ("pending",)) if asked else []
    if not waiting:
        return False
    held = json.dumps(list(MultiDict(formdata).items(multi=True)), ensure_ascii=False)
    won = db.session.execute(
        db.update(HumanTask)
        .where(HumanTask.id == task.id, HumanTask.state == "ready")
        .values(state="waiting", held_form=held, held_by_id=actor.id, assignee_id=actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(task)
    if not won:
        raise Conflict(_("This task is no longer open."))
    from app.core.tasks import actions  # the notifier lives with the other actions

    for row in waiting:
        _activate(task, row, actions.notify_about)
    inbox.audit_task(
        actor,
        "task.complete_held",
        task,
        data={"step": task.name, "cosigners": [row.cosigner_id for row in waiting]},
    )
    db.session.flush()
    return True


def answer(child: HumanTask, row: TaskCosign, actor: User, agree: bool, opinion: str, ip, notify):
    """The co-signer answers with an opinion; the original moves on as the module says."""
    task = row.task
    now = utcnow()
    child.state, child.completed_at, child.completed_by_id = "completed", now, actor.id
    child.data = json.dumps({"agree": agree, "opinion": opinion}, ensure_ascii=False)
    row.state = "agreed" if agree else "disagreed"
    row.opinion, row.answered_at = opinion, now
    inbox.audit_task(
        actor,
        "task.cosign_answer",
        task,
        data={"position": row.position, "agree": agree, "opinion": opinion, "step": task.name},
        ip=ip,
    )
    db.session.flush()
    holder = task.held_by_id or task.assignee_id or row.requested_by_id
    notify(
        [holder],
        task,
        "cosign_answered",
        {"by": actor.display_name, "agree": agree, "opinion": opinion},
        task,
    )
    if row.position == "before":
        reopen_if_free(task)
        return
    if not agree:
        _drop_hold(task, row)
        return
    if not _open(task.id, "after", ("active",)):
        _release(task, actor)


def _drop_hold(task: HumanTask, refused: TaskCosign) -> None:
    """A disagreement after: the holder gets the task back; the others will be asked again."""
    for other in _open(task.id, "after", ("active",)):
        _close(other, "cancelled")
        db.session.add(
            TaskCosign(
                task_id=task.id,
                cosigner_id=other.cosigner_id,
                requested_by_id=other.requested_by_id,
                position="after",
                state="pending",
                note=other.note,
                requested_at=utcnow(),
            )
        )
    db.session.add(
        TaskCosign(
            task_id=task.id,
            cosigner_id=refused.cosigner_id,
            requested_by_id=refused.requested_by_id,
            position="after",
            state="pending",
            note=refused.note,
            requested_at=utcnow(),
        )
    )
    task.held_form, task.held_by_id = None, None
    task.state = "ready"
    db.session.flush()


def _release(task: HumanTask, actor: User) -> None:
    """Every after-co-signer agreed: replay the held completion as the holder's.

    Done in a savepoint: if the replay is refused now (the form no longer validates, the holder
    may no longer act, the process moved), the original is ready for its holder again instead.
    """
    from app.core.tasks import completion

    pairs = json.loads(task.held_form or "[]")
    holder = db.session.get(User, task.held_by_id) if task.held_by_id else None
    task.held_form, task.held_by_id = None, None
    task.state = "ready"
    db.session.flush()
    if holder is None:
        return
    savepoint = db.session.begin_nested()
    try:
        completion.complete_task(task.id, holder, MultiDict(pairs))
    except DomainError as exc:
        savepoint.rollback()
        db.session.refresh(task)
        inbox.audit_task(
            actor,
            "task.complete_release_failed",
            task,
            data={"step": task.name, "why": exc.message},
        )
        return
    savepoint.commit()

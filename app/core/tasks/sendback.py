"""Sending a task back (退回) to an earlier step of its process, with a reason.

The engine decides where a task may go back to and resets the state (app/engine/sendback.py:
a completed user task on the path that led here, never losing another branch's live work).
Here: who may (`permissions.may_send_back`: the task's holder or its department head), the
reason (required, bounded), the inbox rows (the step sent back to opens again in its
department, for whoever completed it before; the current task is cancelled), the note that
carries the reason to the receiver's task page, the audit row and the receivers' notification.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import limits
from app.core.audit import services as audit
from app.core.calendar.working_time import due_after
from app.core.clock import utcnow
from app.core.comments.models import TaskNote
from app.core.notifications import services as notifications
from app.core.processes import versions as processes
from app.core.subjects import services as subjects
from app.core.tasks import instances
from app.core.tasks.inbox import ensure_open, get_task, members_for
from app.core.tasks.models import OPEN_STATES, HumanTask
from app.core.users import permissions
from app.core.users.models import User
from app.engine import sendback as engine
from app.engine.errors import TaskNotReady
from app.errors import Conflict, InvalidInput, PermissionDenied
from app.extensions import db

KIND = "task_sent_back"
REASON_LIMIT = 2000


def register() -> None:
    """The notification the receivers of a sent-back task get (called by the core's setup)."""
    notifications.register_kind(KIND, "tasks/_notice_sent_back.html", _l("A task was sent back"))


def _refusal_message(reason: str) -> str:
    if reason == "live_branches":
        return _(
            "This step cannot be sent back there: other branches of the process are still "
            "open and would be lost. Send it back to a step after they split, or wait for them."
        )
    if reason == "inside_block":
        return _(
            "This step cannot be sent back into one branch of a parallel review that has "
            "finished; send it back to the step before the review (all branches run again)."
        )
    return _("This step cannot be sent back there: it is not an earlier step of this task.")


def may_send_back(user: User, task: HumanTask) -> bool:
    """The rule (app/core/users/permissions.py) applied to an inbox row."""
    return permissions.may_send_back(user, task.department_id, task.role, task.assignee_id)


@dataclass(frozen=True)
class Target:
    """A step the task may go back to, as the inbox knows it."""

    row: HumanTask  # the completed inbox row of that step

    @property
    def id(self) -> int:
        return self.row.id


def targets(task: HumanTask) -> list[Target]:
    """The completed steps this ready task may be sent back to, nearest first."""
    if task.state not in OPEN_STATES or task.parent_id is not None:
        return []
    if task.instance.status != "running":
        return []
    defn = processes.definition_for(task.instance.version)
    try:
        found = engine.targets(defn, task.instance.state, task.task_id)
    except TaskNotReady:
        return []
    rows = {
        row.task_id: row
        for row in db.session.scalars(
            db.select(HumanTask).where(
                HumanTask.instance_id == task.instance_id,
                HumanTask.task_id.in_([t.task_id for t in found]),
                HumanTask.state == "completed",
            )
        )
    }
    return [Target(rows[t.task_id]) for t in found if t.task_id in rows]


def _deny(actor: User, task: HumanTask, ip: str | None, why: str, message: str):
    audit.record(
        actor,
        "denied.send_back",
        "human_task",
        task.id,
        data={"step": task.name, "why": why},
        subject=subjects.ref_of(task),
        instance_id=task.instance_id,
        ip=ip,
    )
    db.session.flush()
    return PermissionDenied(message)


def check_reason(text: str | None) -> str:
    """The reason as typed (stripped); empty or too long is refused with a field error."""
    errors: dict[str, str] = {}
    reason = limits.check_text(text or "", REASON_LIMIT, errors, "reason")
    if not reason and not errors:
        errors["reason"] = _("Say why the task goes back: the receiver reads it.")
    if errors:
        raise InvalidInput(errors=errors)
    return reason


def send_back(
    task_id: int, actor: User, target_id: int | None, reason: str | None, ip: str | None = None
) -> HumanTask:
    """Send the ready task back to the step of inbox row `target_id`; returns that row, open
    again. Refusals (who, where) are audited and raised as PermissionDenied; nothing changes."""
    task = get_task(task_id)
    if not may_send_back(actor, task):
        raise _deny(
            actor, task, ip, "who", _("Only whoever holds this task or its head can send it back.")
        )
    if task.state not in OPEN_STATES:  # waiting for a co-signer or a delegate is still open
        ensure_open(task)
    if task.parent_id is not None:  # a co-sign or delegation task (app/core/tasks/cosign.py)
        raise Conflict(_("A co-sign or delegated task cannot be sent back; its original can."))
    text = check_reason(reason)
    target = db.session.get(HumanTask, target_id) if target_id else None
    if target is None or target.instance_id != task.instance_id or target.state != "completed":
        raise _deny(actor, task, ip, "not_on_path", _refusal_message("not_on_path"))

    instance = instances.lock_instance(task.instance_id)
    if instance.status != "running":
        raise Conflict(_("This process is not running (status: %(s)s).", s=instance.status))
    defn = processes.definition_for(instance.version)
    try:
        result = engine.send_back(defn, instance.state, task.task_id, target.task_id)
    except engine.SendBackRefused as exc:
        raise _deny(actor, task, ip, exc.reason, _refusal_message(exc.reason)) from exc
    except TaskNotReady as exc:
        raise Conflict(_("This task is no longer open.")) from exc
    if result.error is not None:
        raise Conflict(result.error.message)
    # Exactly one of two concurrent actions on the task wins the row.
    won = db.session.execute(
        db.update(HumanTask)
        .where(HumanTask.id == task.id, HumanTask.state.in_(OPEN_STATES))
        .values(state="cancelled")
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(task)
    if not won:
        ensure_open(task)
    previous_holder = target.completed_by
    instances.apply_result(instance, result, actor)
    _reopen(target, result, previous_holder)
    subject = subjects.ref_of(task)
    db.session.add(
        TaskNote(
            instance_id=instance.id,
            task_id=target.id,
            from_task_id=task.id,
            subject_type=task.subject_type,
            subject_key=task.subject_key,
            author_id=actor.id,
            kind="sendback",
            body=text,
        )
    )
    audit.record(
        actor,
        "task.send_back",
        "human_task",
        task.id,
        data={"step": task.name, "to": target.name, "to_task": target.id, "reason": text},
        subject=subject,
        instance_id=instance.id,
        ip=ip,
    )
    receivers = [target.assignee_id] if target.assignee_id else [u.id for u in members_for(target)]
    notifications.notify_users(
        [uid for uid in receivers if uid != actor.id],
        subject,
        KIND,
        {
            "task_id": target.id,
            "step": target.name,
            "step_zh": target.name_zh,
            "from_step": task.name,
            "from_step_zh": task.name_zh,
            "by": actor.display_name,
            "reason": text,
        },
    )
    subjects.refresh(subject)
    db.session.flush()
    return target


def _reopen(target: HumanTask, result, previous_holder: User | None) -> None:
    """The step sent back to waits afresh: since now, due again, for whoever did it before."""
    now = utcnow()
    ready = next((t for t in result.ready if t.task_id == target.task_id), None)
    if target.state != "ready" or ready is None:
        raise Conflict(_("The process did not stop at that step; nothing was sent back."))
    target.created_at = now
    target.due_at = due_after(ready.due, now)
    keeps = (
        previous_holder is not None
        and previous_holder.active
        and permissions.may_act_on_task(previous_holder, target.department_id, target.role)
    )
    target.assignee_id = previous_holder.id if keeps else None


def latest_reason(task: HumanTask) -> TaskNote | None:
    """Why this task was last sent back to, if it was (shown on its page while it is open)."""
    return db.session.scalar(
        db.select(TaskNote)
        .where(TaskNote.task_id == task.id, TaskNote.kind == "sendback")
        .order_by(TaskNote.id.desc())
        .limit(1)
    )


def task_panels(task: HumanTask, page) -> list:
    """The task page's pieces: why it was sent back here (before the form) and the form that
    sends it back (below), for whoever may."""
    from app.core.tasks.registry import Panel

    if task.state not in OPEN_STATES:
        return []
    panels = []
    note = latest_reason(task)
    if note is not None:
        panels.append(Panel("before_form", "tasks/_sent_back_reason.html", {"note": note}, order=5))
    if may_send_back(page.viewer, task):
        found = targets(task)
        if found:
            context = {"task": task, "targets": found, "limit": REASON_LIMIT}
            panels.append(Panel("below", "tasks/_sendback.html", context, order=10))
    return panels

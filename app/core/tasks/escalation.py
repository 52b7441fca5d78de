"""Reminders and escalation of late tasks, driven by timers on the tasks' boundaries.

A process model says what happens when a timer on a user task fires with the timer's
spiffworkflow property `escalate` (docs/DEADLINES.md; a comma list on a cycle timer: the n-th
firing takes the n-th, the last repeats):

- `remind`: the assignee, or (unclaimed) whoever in the task's department may act on it, gets a
  `task_reminder` notification;
- `head`: the heads of the task's department get a `task_escalated` notification;
- `manager`: the general manager (the heads of the management department) gets one.

Each escalation is audited (`task.escalate`), with who was told. The rule knows no domain: it
reads only the inbox row, its department and the users.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.audit import services as audit
from app.core.notifications import services as notifications
from app.core.subjects import services as subjects
from app.core.tasks.models import OPEN_STATES, HumanTask, ProcessInstance
from app.core.users import permissions
from app.core.users.models import Department, User
from app.engine.timers import ESCALATE_VALUES, FiredTimer, escalation_level
from app.extensions import db
from app.i18n import local_datetime

REMINDER = "task_reminder"
ESCALATED = "task_escalated"


def register() -> None:
    """Declare the notification kinds escalation sends."""
    notifications.register_kind(REMINDER, "tasks/_notice_reminder.html", _l("Task reminder"))
    notifications.register_kind(
        ESCALATED, "tasks/_notice_escalated.html", _l("Overdue task escalated")
    )


def on_timers(instance: ProcessInstance, fired: list[FiredTimer]) -> int:
    """Act on the escalation timers that fired in an engine step; returns how many tasks."""
    done = 0
    for timer in fired:
        level = escalation_level(timer)
        if level not in ESCALATE_VALUES or not timer.attached_to:
            continue
        for row in _rows(instance, timer):
            escalate(row, level, timer.event_id)
            done += 1
    return done


def _rows(instance: ProcessInstance, timer: FiredTimer) -> list[HumanTask]:
    """The inbox rows of the task the timer sits on: that very task (still open, waiting on
    its co-signers or delegate, or just cancelled by an interrupting timer), else the step's open
    rows (a multi-instance task)."""
    rows = list(
        db.session.scalars(
            db.select(HumanTask)
            .where(
                HumanTask.instance_id == instance.id,
                HumanTask.spec_name == timer.attached_to,
                HumanTask.state.in_((*OPEN_STATES, "cancelled")),
            )
            .order_by(HumanTask.id)
        )
    )
    exact = [row for row in rows if row.task_id == timer.attached_task_id]
    return exact or [row for row in rows if row.state in OPEN_STATES]


def _active(query) -> list[int]:
    return list(db.session.scalars(query.where(User.active.is_(True)).order_by(User.id)))


def _department_heads(department_id: int | None) -> list[int]:
    if department_id is None:
        return []
    return _active(
        db.select(User.id).where(User.department_id == department_id, User.role == "head")
    )


def general_manager_ids() -> list[int]:
    """The heads of the management department (the general manager)."""
    return _active(
        db.select(User.id)
        .join(Department, Department.id == User.department_id)
        .where(Department.key == permissions.MANAGEMENT, User.role == "head")
    )


def _may_act(row: HumanTask) -> list[int]:
    if row.department_id is None:
        return []
    query = db.select(User.id).where(User.department_id == row.department_id)
    if row.role == "head":
        query = query.where(User.role == "head")
    return _active(query)


def _open_children(row: HumanTask) -> list[int]:
    return _active(
        db.select(User.id).where(
            User.id.in_(
                db.select(HumanTask.assignee_id).where(
                    HumanTask.parent_id == row.id, HumanTask.state == "ready"
                )
            )
        )
    )


def recipients(row: HumanTask, level: str) -> list[int]:
    """Who is told at `level`: see the module's docstring. A department without a head
    escalates straight to the general manager, so nobody is told nothing."""
    if level == "remind":
        if row.state == "waiting":
            # The holder cannot act: remind whoever the task waits for (co-signers, delegate).
            waited_on = _open_children(row)
            if waited_on:
                return waited_on
        return [row.assignee_id] if row.assignee_id else _may_act(row)
    if level == "head":
        return _department_heads(row.department_id) or general_manager_ids()
    return general_manager_ids()


def escalate(row: HumanTask, level: str, timer_id: str) -> list[int]:
    """Notify who `level` names about the late task `row`, and audit it."""
    told = recipients(row, level)
    params = {
        "task_id": row.id,
        "step": row.name,
        "step_zh": row.name_zh or row.name,
        "level": level,
        "due": local_datetime(row.due_at) if row.due_at else None,  # in the factory's zone
        "closed": row.state not in OPEN_STATES,
    }
    kind = REMINDER if level == "remind" else ESCALATED
    notifications.notify_users(told, subjects.ref_of(row), kind, params)
    audit.record(
        None,
        "task.escalate",
        "human_task",
        row.id,
        data={"level": level, "timer": timer_id, "step": row.name, "notified": told},
        subject=subjects.ref_of(row),
        instance_id=row.instance_id,
    )
    return told

"""Keeping the inbox rows of an instance in step with the engine's ready tasks."""

import json
from datetime import datetime
from functools import cache

from app.core import round_memo
from app.core.calendar.working_time import due_after
from app.core.processes import versions as processes
from app.core.tasks import notices
from app.core.tasks.models import (
    OPEN_STATES,
    HumanTask,
    ProcessInstance,
    TaskCosign,
    TaskDelegation,
)
from app.core.users.models import Department
from app.extensions import db

LIVE_REQUEST = ("pending", "active")  # a co-sign or delegation not answered or cancelled yet


def department_ids() -> dict[str, int]:
    """Department id by every name a lane may use (key, English or Chinese name, lower case);
    read once per worker round (app/core/round_memo.py)."""
    return round_memo.remember("tasks.department_ids", _read_department_ids)


def _read_department_ids() -> dict[str, int]:
    aliases: dict[str, int] = {}
    for dept in db.session.scalars(db.select(Department)):
        for alias in (dept.key, dept.name_en, dept.name_zh):
            aliases[alias.strip().lower()] = dept.id
    return aliases


@cache
def _tasks_of_instance():
    # Each row comes with whether a co-sign of it is pending or active, so that the usual
    # completion (no co-sign ever asked for) sends no UPDATE of task_cosign. Built once per
    # process: every engine step sends it (docs/PERFORMANCE.md).
    asked = (
        db.select(TaskCosign.id)
        .where(TaskCosign.task_id == HumanTask.id, TaskCosign.state.in_(LIVE_REQUEST))
        .exists()
    )
    return db.select(HumanTask, asked).where(HumanTask.instance_id == db.bindparam("instance"))


def sync_tasks(instance: ProcessInstance, ready: list, now: datetime) -> None:
    """Insert rows for newly ready tasks and cancel rows whose task is gone."""
    rows: dict[str, HumanTask] = {}
    cosigned: set[int] = set()
    for row, has_cosign in db.session.execute(_tasks_of_instance(), {"instance": instance.id}):
        rows[row.task_id] = row
        if has_cosign:
            cosigned.add(row.id)
    ready_ids = {task.task_id for task in ready}
    for task_id, row in rows.items():
        if row.parent_id is None and row.state in OPEN_STATES and task_id not in ready_ids:
            row.state = "cancelled"
    departments = None
    arrived: list[HumanTask] = []
    for task in ready:
        row = rows.get(task.task_id)
        if row is not None:
            if row.state not in OPEN_STATES:
                # The engine refused the completion itself (the step failed): the task is open
                # again; the submission stays in the audit trail.
                row.state, row.completed_at, row.completed_by_id = "ready", None, None
            continue
        if departments is None:
            departments = department_ids()
        form = processes.pinned_form(instance.version, task.form) if task.form else None
        arrived.append(
            HumanTask(
                instance_id=instance.id,
                subject_type=instance.subject_type,
                subject_key=instance.subject_key,
                task_id=task.task_id,
                spec_name=task.spec_name,
                name=task.name or task.spec_name,
                name_zh=task.name_zh,
                department_id=departments.get((task.lane or "").strip().lower()),
                role=task.role,
                form_name=task.form,
                form_version_id=form.id if form else None,
                created_at=now,
                due_at=due_after(task.due, now),
                context=_task_context(task),
            )
        )
    if arrived:
        db.session.add_all(arrived)
        notices.tasks_arrived(arrived)  # "a task arrived in my department"
    if any(row.parent_id is not None for row in rows.values()):
        close_orphans(instance.id)
        return
    # No co-sign or delegation task was ever made in this instance (`rows` holds all of its
    # tasks), so none can be orphaned and no request is active (an active one has its task):
    # only a pending after-co-signer of an ended task is left to cancel. This spares the
    # timer-firing hot path close_orphans' two queries (docs/PERFORMANCE.md).
    ended = [row.id for row in rows.values() if row.id in cosigned and row.state not in OPEN_STATES]
    if ended:
        db.session.flush()
        _cancel_requests(ended, (TaskCosign,))


def close_orphans(instance_id: int) -> None:
    """Co-sign and delegation tasks (app/core/tasks/cosign.py) end with their original."""
    db.session.flush()
    parent = db.aliased(HumanTask)
    orphans = list(
        db.session.scalars(
            db.select(HumanTask)
            .join(parent, parent.id == HumanTask.parent_id)
            .where(
                HumanTask.instance_id == instance_id,
                HumanTask.state.in_(OPEN_STATES),
                parent.state.not_in(OPEN_STATES),
            )
        )
    )
    ended = list(
        db.session.scalars(
            db.select(HumanTask.id).where(
                HumanTask.instance_id == instance_id,
                HumanTask.parent_id.is_(None),
                HumanTask.state.not_in(OPEN_STATES),
            )
        )
    )
    for row in orphans:
        row.state = "cancelled"
    _cancel_requests(ended, (TaskCosign, TaskDelegation))


def _cancel_requests(ended: list[int], models: tuple) -> None:
    """Cancel the pending or active co-signs / delegations of the ended tasks `ended`."""
    if not ended:
        return
    for model in models:
        db.session.execute(
            db.update(model)
            .where(model.task_id.in_(ended), model.state.in_(LIVE_REQUEST))
            .values(state="cancelled")
            .execution_options(synchronize_session=False)
        )


def _task_context(task) -> str | None:
    """What a per-item task (multi-instance) is about, kept so the inbox never reads the state."""
    item = getattr(task, "item", None)
    return json.dumps(item, ensure_ascii=False, default=str) if item else None

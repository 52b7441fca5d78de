"""Starting process instances, stepping them, and keeping the inbox in step with the engine."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from app.core.audit import services as audit
from app.core.calendar.working_time import due_after
from app.core.clock import utcnow
from app.core.processes import versions as processes
from app.core.subjects import services as subjects
from app.core.subjects.services import SubjectRef
from app.core.tasks import escalation, notices, registry
from app.core.tasks.models import (
    OPEN_STATES,
    HumanTask,
    ProcessInstance,
    TaskCosign,
    TaskDelegation,
)
from app.core.users.models import Department, User
from app.engine import runner
from app.engine.errors import EngineError, MessageNotWaiting
from app.errors import Conflict, NotFound
from app.extensions import db


def start_process(
    process_id: str,
    actor: User | None,
    *,
    kind: str | None = None,
    subject: SubjectRef | None = None,
    data: dict | None = None,
) -> ProcessInstance:
    """Start the newest version of a process and create the inbox rows of its first tasks.

    `kind` says what the instance is for (app/core/tasks/registry.py); it defaults to the
    process id. `subject` is what the instance runs for, if anything (its card is refreshed).
    """
    version = processes.latest_version(process_id)
    if version is None:
        raise NotFound(f"process {process_id} is not deployed")
    defn = processes.definition_for(version)
    result = runner.start(defn, data or {})
    instance = ProcessInstance(
        version=version,
        kind=kind or process_id,
        subject_type=subject.type if subject else None,
        subject_key=subject.key if subject else None,
        state=result.state,
        started_by_id=actor.id if actor else None,
    )
    db.session.add(instance)
    db.session.flush()
    audit.record(
        actor,
        "instance.start",
        "process_instance",
        instance.id,
        data={"process_id": process_id, "version": version.number, "kind": instance.kind},
        subject=subject,
        instance_id=instance.id,
    )
    subjects.refresh(subject)
    apply_result(instance, result, actor)
    return instance


def deliver_message(
    subject: SubjectRef, name: str, payload: dict, correlation: dict, not_waiting: str
) -> ProcessInstance:
    """Send a named message to the subject's running process that waits for it.

    `correlation` holds the message's correlation properties (e.g. {"order_id": 7});
    `not_waiting` is the message a user reads when no process of the subject waits for it.
    """
    running = db.session.scalars(
        db.select(ProcessInstance.id)
        .where(
            ProcessInstance.subject_type == subject.type,
            ProcessInstance.subject_key == subject.key,
            ProcessInstance.status == "running",
        )
        .order_by(ProcessInstance.id.desc())
    ).all()
    for candidate_id in running:
        instance = lock_instance(candidate_id)
        defn = processes.definition_for(instance.version)
        try:
            result = runner.send_message(defn, instance.state, name, payload, correlation)
        except MessageNotWaiting:
            continue
        audit.record(
            None,
            "instance.message",
            "process_instance",
            instance.id,
            data={"message": name, **payload},
            subject=subject,
            instance_id=instance.id,
        )
        apply_result(instance, result, None)
        return instance
    raise Conflict(not_waiting)


def complete_by_event(
    instance: ProcessInstance, spec_name: str, data: dict, why: str
) -> HumanTask | None:
    """Complete the instance's ready `spec_name` task because an outside event did its work.

    Called with the instance locked (after `deliver_message`): e.g. the customer confirmed, so
    sales' "send the confirmation" must not stay in an inbox. The row is completed by nobody
    (the system) with `data`, and the process runs on.
    """
    task = db.session.scalar(
        db.select(HumanTask).where(
            HumanTask.instance_id == instance.id,
            HumanTask.spec_name == spec_name,
            HumanTask.state.in_(OPEN_STATES),
            HumanTask.parent_id.is_(None),
        )
    )
    if task is None:
        return None
    task.held_form = task.held_by_id = None  # a held completion is overtaken by the event
    defn = processes.definition_for(instance.version)
    result = runner.complete(defn, instance.state, task.task_id, {spec_name: data})
    task.state, task.completed_at, task.completed_by_id = "completed", utcnow(), None
    task.data = json.dumps(data, ensure_ascii=False, default=str)
    audit.record(
        None,
        "task.complete_by_event",
        "human_task",
        task.id,
        data={"step": task.name, "why": why, "submitted": data},
        subject=subjects.ref_of(task),
        instance_id=instance.id,
    )
    apply_result(instance, result, None)
    close_orphans(instance.id)
    return task


def claim_due_instances(limit: int) -> list[ProcessInstance]:
    """Lock and load up to `limit` running instances whose timer is due, earliest first (see
    `claim_due_timers`)."""
    return list(
        db.session.scalars(
            db.select(ProcessInstance)
            .where(ProcessInstance.status == "running", ProcessInstance.next_timer_at <= utcnow())
            .order_by(ProcessInstance.next_timer_at, ProcessInstance.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
    )


def claim_due_timers(limit: int) -> list[int]:
    """Lock up to `limit` running instances whose timer is due, earliest first.

    On PostgreSQL other workers skip the locked rows (FOR UPDATE SKIP LOCKED), so several
    workers share a burst and none fires an instance another one holds; the locks last until
    the claiming transaction ends. SQLite has one writer at a time and ignores the clause.
    """
    return list(
        db.session.scalars(
            db.select(ProcessInstance.id)
            .where(ProcessInstance.status == "running", ProcessInstance.next_timer_at <= utcnow())
            .order_by(ProcessInstance.next_timer_at, ProcessInstance.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def next_timer_at() -> datetime | None:
    """When the earliest timer of a running instance is due (the worker sleeps until then)."""
    return db.session.scalar(
        db.select(db.func.min(ProcessInstance.next_timer_at)).where(
            ProcessInstance.status == "running"
        )
    )


def claim_due_timer() -> int | None:
    """Lock one running instance whose timer is due; other workers skip it (SKIP LOCKED)."""
    claimed = claim_due_timers(1)
    return claimed[0] if claimed else None


def fire_timers(instance_id: int, locked: ProcessInstance | None = None) -> ProcessInstance:
    """Let the engine fire the instance's due timers and store the result.

    `locked` is the instance when the caller already holds its row lock and loaded it in this
    transaction (the worker's claim), saving a second read.
    """
    instance = locked if locked is not None else lock_instance(instance_id)
    defn = processes.definition_for(instance.version)
    audit.record(
        None,
        "instance.timer",
        "process_instance",
        instance.id,
        subject=subjects.ref_of(instance),
        instance_id=instance.id,
    )
    apply_result(instance, runner.fire_due_timers(defn, instance.state), None)
    return instance


def lock_instance(instance_id: int) -> ProcessInstance:
    """Load an instance with a row lock (PostgreSQL); the version counter guards SQLite."""
    instance = db.session.scalar(
        db.select(ProcessInstance)
        .where(ProcessInstance.id == instance_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if instance is None:
        raise NotFound()
    return instance


def apply_result(instance: ProcessInstance, result: Any, actor: User | None) -> None:
    """Store the engine's new state, its status and the matching inbox rows."""
    now = utcnow()
    instance.state = result.state
    instance.next_timer_at = result.next_timer
    sync_tasks(instance, result.ready, now)
    # Reminders and escalations of the timers that fired on user tasks (escalation.py).
    escalation.on_timers(instance, getattr(result, "fired_timers", None) or [])
    for listener in registry.outcome_listeners():
        listener(instance, result.data)
    on_outcome = registry.handlers(instance.kind).on_outcome
    if on_outcome is not None:
        on_outcome(instance, result.data, actor)
    if result.error is not None:
        _flag_error(instance, result.error, actor, now)
    elif result.completed:
        instance.status = "completed"
        instance.ended_at = now
        instance.error_kind = instance.error_message = instance.error_detail = None
    else:
        instance.status = "running"
        instance.error_kind = instance.error_message = instance.error_detail = None
    db.session.flush()


def _flag_error(
    instance: ProcessInstance, error: EngineError, actor: User | None, now: datetime
) -> None:
    """Send the instance to the admin error screen; its state and inbox stay as they were."""
    instance.status = "error"
    instance.error_kind = error.kind
    instance.error_message = error.message
    instance.error_detail = getattr(error, "detail", None)
    instance.error_element = getattr(error, "element_id", None)
    instance.error_at = now
    audit.record(
        actor,
        "instance.error",
        "process_instance",
        instance.id,
        data={"kind": error.kind, "message": error.message, "element": instance.error_element},
        subject=subjects.ref_of(instance),
        instance_id=instance.id,
    )
    # Only the kind that owns its subject stops it (the order's lifecycle stops the order); a
    # stopped side process (a change or rush request) waits on the admin screen meanwhile.
    on_error = registry.handlers(instance.kind).on_error
    if on_error is not None:
        on_error(instance)


_round_memo: ContextVar[dict | None] = ContextVar("instances_round_memo", default=None)


@contextmanager
def round_memo() -> Iterator[None]:
    """Read the department aliases once for the whole block (a worker round, where every fired
    instance may open tasks); outside such a block every call reads them."""
    token = _round_memo.set({})
    try:
        yield
    finally:
        _round_memo.reset(token)


def department_ids() -> dict[str, int]:
    """Department id by every name a lane may use (key, English or Chinese name, lower case)."""
    memo = _round_memo.get()
    if memo is not None and "departments" in memo:
        return memo["departments"]
    aliases: dict[str, int] = {}
    for dept in db.session.scalars(db.select(Department)):
        for alias in (dept.key, dept.name_en, dept.name_zh):
            aliases[alias.strip().lower()] = dept.id
    if memo is not None:
        memo["departments"] = aliases
    return aliases


def sync_tasks(instance: ProcessInstance, ready: list, now: datetime) -> None:
    """Insert rows for newly ready tasks and cancel rows whose task is gone."""
    rows = {
        row.task_id: row
        for row in db.session.scalars(
            db.select(HumanTask).where(HumanTask.instance_id == instance.id)
        )
    }
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
    close_orphans(instance.id)


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
    if ended:
        for model in (TaskCosign, TaskDelegation):
            db.session.execute(
                db.update(model)
                .where(model.task_id.in_(ended), model.state.in_(("pending", "active")))
                .values(state="cancelled")
                .execution_options(synchronize_session=False)
            )


def _task_context(task) -> str | None:
    """What a per-item task (multi-instance) is about, kept so the inbox never reads the state."""
    item = getattr(task, "item", None)
    return json.dumps(item, ensure_ascii=False, default=str) if item else None


def retry_instance(instance_id: int, actor: User) -> ProcessInstance:
    """Run an errored instance's engine steps again, after the cause was fixed."""
    instance = lock_instance(instance_id)
    if instance.status != "error":
        raise Conflict()
    defn = processes.definition_for(instance.version)
    audit.record(
        actor,
        "instance.retry",
        "process_instance",
        instance.id,
        subject=subjects.ref_of(instance),
        instance_id=instance.id,
    )
    apply_result(instance, runner.retry(defn, instance.state), actor)
    return instance


def cancel_instance(instance_id: int, actor: User, reason: str) -> ProcessInstance:
    """Stop an instance for good; its state and history are kept, its open tasks are cancelled.

    Only what the instance owns ends with it: its kind's `on_cancel` closes that (the order for
    the lifecycle, the request for a change or a rush) and tells whoever asked for it.
    """
    instance = lock_instance(instance_id)
    if instance.status in ("completed", "cancelled"):
        raise Conflict()
    instance.status = "cancelled"
    instance.cancel_reason = reason
    instance.ended_at = utcnow()
    for row in db.session.scalars(
        db.select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.state.in_(OPEN_STATES)
        )
    ):
        row.state = "cancelled"
    close_orphans(instance.id)
    audit.record(
        actor,
        "instance.cancel",
        "process_instance",
        instance.id,
        data={"reason": reason},
        subject=subjects.ref_of(instance),
        instance_id=instance.id,
    )
    on_cancel = registry.handlers(instance.kind).on_cancel
    if on_cancel is not None:
        on_cancel(instance, actor, reason)
    db.session.flush()
    return instance


def flag_failure(instance_id: int, message: str, detail: str) -> ProcessInstance | None:
    """Mark an instance in error after an unexpected failure outside the engine (the worker).

    Used in a fresh transaction after the failing one was rolled back; the instance's state
    and inbox stay as they were, and an admin retries or cancels it on /admin/instances.
    """
    instance = db.session.get(ProcessInstance, instance_id, populate_existing=True)
    if instance is None or instance.status != "running":
        return instance
    _flag_error(instance, EngineError("internal", message, detail=detail), None, utcnow())
    db.session.flush()
    return instance


def errored_instances() -> list[ProcessInstance]:
    """Instances waiting for an admin, newest error first."""
    return list(
        db.session.scalars(
            db.select(ProcessInstance)
            .where(ProcessInstance.status == "error")
            .order_by(ProcessInstance.error_at.desc())
        )
    )

"""Starting process instances, stepping them, and storing what the engine says.

The inbox rows follow the engine in `inbox_sync.py`, timers fire in `timers.py`, and what an admin
does with an instance (retry, cancel, the error screen) lives in `instance_admin.py`.
"""

import json
import threading
from datetime import datetime
from functools import cache
from typing import Any

from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.processes import versions as processes
from app.core.processes.models import ProcessVersion
from app.core.subjects import services as subjects
from app.core.subjects.services import SubjectRef
from app.core.tasks import escalation, notices, registry
from app.core.tasks.inbox_sync import close_orphans, sync_tasks
from app.core.tasks.models import OPEN_STATES, HumanTask, ProcessInstance
from app.core.users.models import User
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


@cache
def _locked_instance():
    # Built once per process: every completion and timer sends it. The version comes with it
    # (every step needs it to find the cached definition) without its BPMN and DMN texts,
    # which only a definition not yet cached reads; only the instance's row is locked
    # (docs/PERFORMANCE.md, "round three").
    return (
        db.select(ProcessInstance)
        .options(
            db.joinedload(ProcessInstance.version, innerjoin=True).options(
                db.defer(ProcessVersion.xml), db.defer(ProcessVersion.decisions)
            )
        )
        .where(ProcessInstance.id == db.bindparam("instance"))
        .with_for_update(of=ProcessInstance)
        .execution_options(populate_existing=True)
    )


def lock_instance(instance_id: int) -> ProcessInstance:
    """Load an instance with a row lock (PostgreSQL); the version counter guards SQLite."""
    instance = db.session.scalar(_locked_instance(), {"instance": instance_id})
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
        flag_error(instance, result.error, actor, now)
    elif result.completed:
        instance.status = "completed"
        instance.ended_at = now
        instance.error_kind = instance.error_message = instance.error_detail = None
    elif instance.status != "running" or _has_error(instance):
        # Assigned only when it changes: an assignment of the same value makes the row dirty
        # again after the inbox sync flushed it, and the flush below then runs for nothing.
        instance.status = "running"
        instance.error_kind = instance.error_message = instance.error_detail = None
    db.session.flush()
    notices.process_notices(instance, getattr(result, "notices", None) or [])
    _pass_on(instance, getattr(result, "sent", None) or [])


def _has_error(instance: ProcessInstance) -> bool:
    return (instance.error_kind, instance.error_message, instance.error_detail) != (None,) * 3


# A message one process sends can make another send one back; a longer chain is a loop.
MAX_MESSAGE_HOPS = 10
_hops = threading.local()


def _pass_on(instance: ProcessInstance, sent: list) -> None:
    """Hand the messages the instance sent (send tasks, message throw/end events) to the
    processes of the same subject that wait for them, correlated as `deliver_message` does.

    A message nobody waits for is noted in the audit trail and goes no further (as one from
    outside would be refused): a process that should hear it was not waiting yet.
    """
    if not sent or instance.subject_type is None:
        return
    depth = getattr(_hops, "depth", 0)
    if depth >= MAX_MESSAGE_HOPS:
        raise Conflict(f"Messages between processes went {MAX_MESSAGE_HOPS} hops deep; stopped.")
    subject = SubjectRef(instance.subject_type, instance.subject_key)
    _hops.depth = depth + 1
    try:
        for message in sent:
            payload = message.payload if isinstance(message.payload, dict) else {}
            try:
                deliver_message(subject, message.name, payload, dict(message.correlation), "")
            except Conflict:
                audit.record(
                    None,
                    "instance.message_unheard",
                    "process_instance",
                    instance.id,
                    data={"message": message.name},
                    subject=subject,
                    instance_id=instance.id,
                )
    finally:
        _hops.depth = depth


def flag_error(
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

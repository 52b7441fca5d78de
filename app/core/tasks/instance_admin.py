"""What an admin does with an instance (/admin/instances): the errored ones, retry, cancel; and
how the worker sends an instance there after a failure outside the engine."""

from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.processes import versions as processes
from app.core.subjects import services as subjects
from app.core.tasks import registry
from app.core.tasks.inbox_sync import close_orphans
from app.core.tasks.instances import apply_result, flag_error, lock_instance
from app.core.tasks.models import OPEN_STATES, HumanTask, ProcessInstance
from app.core.users.models import User
from app.engine import runner
from app.engine.errors import EngineError
from app.errors import Conflict
from app.extensions import db


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
    flag_error(instance, EngineError("internal", message, detail=detail), None, utcnow())
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

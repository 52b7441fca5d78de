"""Due timers: which instances the worker claims, and firing one instance's timers."""

from datetime import datetime

from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.processes import versions as processes
from app.core.subjects import services as subjects
from app.core.tasks.instances import apply_result, lock_instance
from app.core.tasks.models import ProcessInstance
from app.engine import runner
from app.extensions import db


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

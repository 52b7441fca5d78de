"""Dry run and apply: check or move every instance on an older version to the target version.

The engine decides whether an instance may move (app/engine/migration.py, docs/MIGRATION.md);
this module picks the instances, locks them, stores the new state with its inbox rows and keeps
what a revert needs. Services flush, never commit.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from app.core.audit import services as audit
from app.core.calendar.working_time import due_after
from app.core.clock import utcnow
from app.core.processes import migration_reasons
from app.core.processes import versions as processes
from app.core.processes.migrations.reading import MIGRATABLE, movable_on_older
from app.core.processes.models import InstanceMigration, MigrationBatch, ProcessVersion
from app.core.subjects import services as subjects
from app.core.tasks import inbox_sync, instances
from app.core.tasks.models import HumanTask, ProcessInstance
from app.core.users import permissions
from app.core.users.models import User
from app.engine import migration
from app.engine.errors import EngineError
from app.engine.runner import ReadyTask, StepResult
from app.errors import NotFound, PermissionDenied
from app.extensions import db


def require(actor: User, action: str, object_type: str, object_id: object) -> None:
    """Refuse (and audit the refusal) unless the actor may migrate instances."""
    if permissions.may_migrate(actor):
        return
    audit.record(actor, "denied." + action, object_type, object_id)
    db.session.flush()
    raise PermissionDenied(_("Only process owners and admins can migrate instances."))


def _target(process_id: str, to_version_id: int) -> ProcessVersion:
    version = db.session.get(ProcessVersion, to_version_id)
    if version is None or version.process_id != process_id:
        raise NotFound()
    return version


def _candidates(process_id: str, target: ProcessVersion) -> list[int]:
    """Running or stopped instances of the process on a version older than the target."""
    return list(
        db.session.scalars(
            db.select(ProcessInstance.id)
            .join(ProcessVersion, ProcessVersion.id == ProcessInstance.process_version_id)
            .where(*movable_on_older(process_id, target.number))
            .order_by(ProcessInstance.id)
        )
    )


def _still_candidate(instance: ProcessInstance, target: ProcessVersion) -> bool:
    """Re-checked under the lock: the instance may have finished or moved meanwhile."""
    return (
        instance.status in MIGRATABLE
        and instance.version.process_id == target.process_id
        and instance.version.number < target.number
    )


def _new_batch(actor: User, target: ProcessVersion, dry_run: bool) -> MigrationBatch:
    batch = MigrationBatch(
        process_id=target.process_id,
        to_version_id=target.id,
        dry_run=dry_run,
        migrated=0,
        refused=0,
        created_by_id=actor.id,
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def _item(batch: MigrationBatch, instance: ProcessInstance, outcome: str, reason: str = ""):
    item = InstanceMigration(
        batch=batch,
        instance_id=instance.id,
        from_version_id=instance.process_version_id,
        to_version_id=batch.to_version_id,
        outcome=outcome,
        reason=reason,
    )
    db.session.add(item)
    return item


def _reason(reasons: list[str]) -> str:
    """The English sentences, for the audit trail (the item keeps the facts)."""
    return "; ".join(reasons)


def _old_definition(instance: ProcessInstance):
    try:
        return processes.definition_for(instance.version), None
    except EngineError as exc:
        return None, [migration_reasons.version_unloadable(instance.version.number, exc.message)]


def dry_run(actor: User, process_id: str, to_version_id: int) -> MigrationBatch:
    """Check every running (or stopped) instance on an older version; changes no instance.

    One item per instance: "eligible", or "refused" with the reasons. `migrated` and `refused`
    count what an apply would do now.
    """
    require(actor, "migration.dry_run", "process", process_id)
    target = _target(process_id, to_version_id)
    new_defn = processes.definition_for(target)
    batch = _new_batch(actor, target, dry_run=True)
    for instance_id in _candidates(process_id, target):
        instance = db.session.get(ProcessInstance, instance_id)
        old_defn, problem = _old_definition(instance)
        if problem is None:
            verdict = migration.check(
                old_defn, instance.state, new_defn, advance=instance.status == "running"
            )
            problem = None if verdict.eligible else verdict.reasons
        if problem is None:
            _item(batch, instance, "eligible")
            batch.migrated += 1
        else:
            _item(batch, instance, "refused", migration_reasons.stored(problem))
            batch.refused += 1
    data = _batch_data(batch, target)
    audit.record(actor, "migration.dry_run", "migration_batch", batch.id, data=data)
    db.session.flush()
    return batch


def _batch_data(batch: MigrationBatch, target: ProcessVersion) -> dict:
    return {
        "process_id": target.process_id,
        "to_version": target.number,
        "dry_run": batch.dry_run,
        "migrated": batch.migrated,
        "refused": batch.refused,
    }


def apply(actor: User, process_id: str, to_version_id: int) -> MigrationBatch:
    """Move every eligible running (or stopped) instance on an older version to the target.

    Each instance is locked, checked again and moved in this transaction: new state and
    version, inbox rows in step (rows of ready tasks that stay are kept with their assignee),
    the old state kept for a revert. Refused instances stay as they are, with the reasons.
    Instances already on the target (or a newer) version are not touched, so applying twice
    changes nothing the second time.
    """
    require(actor, "migration.apply", "process", process_id)
    target = _target(process_id, to_version_id)
    new_defn = processes.definition_for(target)
    batch = _new_batch(actor, target, dry_run=False)
    for instance_id in _candidates(process_id, target):
        instance = instances.lock_instance(instance_id)
        if not _still_candidate(instance, target):
            continue
        _apply_one(actor, batch, instance, target, new_defn)
    audit.record(
        actor, "migration.apply", "migration_batch", batch.id, data=_batch_data(batch, target)
    )
    db.session.flush()
    return batch


def _apply_one(actor, batch, instance: ProcessInstance, target: ProcessVersion, new_defn) -> None:
    source = instance.version
    running = instance.status == "running"
    old_defn, problem = _old_definition(instance)
    result = None
    if problem is None:
        try:
            result = migration.migrate(old_defn, instance.state, new_defn, advance=running)
        except migration.MigrationRefused as refused:
            problem = refused.reasons
    audit_data = {"batch": batch.id, "from_version": source.number, "to_version": target.number}
    if result is None:
        _item(batch, instance, "refused", migration_reasons.stored(problem))
        batch.refused += 1
        audit.record(
            actor,
            "instance.migration_refused",
            "process_instance",
            instance.id,
            data={**audit_data, "reason": _reason(problem)},
            subject=subjects.ref_of(instance),
            instance_id=instance.id,
        )
        return
    item = _item(batch, instance, "migrated")
    item.old_state = instance.state
    instance.version = target
    _store(instance, result, actor, running)
    db.session.flush()  # bumps lock_version: a revert needs it unchanged
    item.lock_version_after = instance.lock_version
    batch.migrated += 1
    audit.record(
        actor,
        "instance.migrate",
        "process_instance",
        instance.id,
        data={**audit_data, "ready": [t.spec_name for t in result.ready]},
        subject=subjects.ref_of(instance),
        instance_id=instance.id,
    )


def _store(instance: ProcessInstance, result: StepResult, actor: User, running: bool) -> None:
    """Write the moved (or restored) state, its timer and the inbox rows."""
    now = utcnow()
    if running:
        # As after any step: inbox rows, order status, completion (if the move ran the last
        # automatic steps).
        instances.apply_result(instance, result, actor)
    else:
        # Stopped on an error: the state moves, the error stays until an admin retries.
        instance.state = result.state
        instance.next_timer_at = result.next_timer
        inbox_sync.sync_tasks(instance, result.ready, now)
    refresh_rows(instance, result.ready, now)


def refresh_rows(instance: ProcessInstance, ready: list[ReadyTask], now: datetime) -> None:
    """Open rows of tasks that stayed ready take the step's name, lane, role, form and due
    time from the version the instance now runs on; an assignee who may no longer do the
    step is unassigned."""
    rows = {
        row.task_id: row
        for row in db.session.scalars(
            db.select(HumanTask).where(
                HumanTask.instance_id == instance.id, HumanTask.state == "ready"
            )
        )
    }
    departments = None
    for task in ready:
        row = rows.get(task.task_id)
        if row is None:
            continue
        if departments is None:
            departments = inbox_sync.department_ids()
        form = processes.pinned_form(instance.version, task.form) if task.form else None
        row.spec_name = task.spec_name
        row.name = task.name or task.spec_name
        row.name_zh = task.name_zh
        row.department_id = departments.get((task.lane or "").strip().lower())
        row.role = task.role
        row.form_name = task.form
        row.form_version_id = form.id if form else None
        row.due_at = due_after(task.due, row.created_at or now)
        if row.assignee_id is not None and not _may_keep(row):
            row.assignee_id = None
    db.session.flush()


def _may_keep(row: HumanTask) -> bool:
    assignee = db.session.get(User, row.assignee_id)
    return (
        assignee is not None
        and assignee.department_id == row.department_id
        and (row.role != "head" or assignee.is_head)
    )

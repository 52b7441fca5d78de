"""Reverting a migration: the instance goes back to its old version and state, if unmoved."""

from __future__ import annotations

from flask_babel import gettext as _

from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.processes import versions as processes
from app.core.processes.migrations.moving import refresh_rows, require
from app.core.processes.migrations.reading import MIGRATABLE
from app.core.processes.models import InstanceMigration
from app.core.subjects import services as subjects
from app.core.tasks import inbox_sync, instances
from app.core.users.models import User
from app.engine import migration
from app.errors import Conflict, NotFound
from app.extensions import db


def revert(actor: User, migration_id: int) -> InstanceMigration:
    """Put a migrated instance back on its old version and state, if it has not moved since.

    Refused (Conflict) once anything changed the instance after the migration (a task was
    completed, a message arrived, a timer fired, it was cancelled...), or when the migration
    was already reverted or never applied.
    """
    require(actor, "migration.revert", "instance_migration", migration_id)
    item = db.session.get(InstanceMigration, migration_id)
    if item is None:
        raise NotFound()
    instance = instances.lock_instance(item.instance_id)
    db.session.refresh(item)  # another revert may have finished while we waited for the lock
    if item.outcome == "reverted":
        raise Conflict(_("This migration was already reverted."))
    if item.outcome != "migrated" or item.old_state is None:
        raise Conflict(_("Only a migration that was applied can be reverted."))
    if (
        instance.lock_version != item.lock_version_after
        or instance.process_version_id != item.to_version_id
        or instance.status not in MIGRATABLE
    ):
        raise Conflict(
            _(
                "Instance %(id)s has moved on since the migration (a step was completed, "
                "a message arrived or a timer fired), so it can no longer be reverted.",
                id=instance.id,
            )
        )
    source = item.from_version
    result = migration.current(processes.definition_for(source), item.old_state)
    moved_to = instance.version.number
    instance.version = source
    instance.state = item.old_state
    instance.next_timer_at = result.next_timer
    now = utcnow()
    inbox_sync.sync_tasks(instance, result.ready, now)
    refresh_rows(instance, result.ready, now)
    item.outcome = "reverted"
    item.reverted_at = now
    item.reverted_by_id = actor.id
    audit.record(
        actor,
        "instance.migration_revert",
        "process_instance",
        instance.id,
        data={"migration": item.id, "from_version": moved_to, "to_version": source.number},
        subject=subjects.ref_of(instance),
        instance_id=instance.id,
    )
    db.session.flush()
    return item

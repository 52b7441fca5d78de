"""Reading instance migrations: what runs on older versions, the dry runs and migrations made."""

from __future__ import annotations

from app.core.processes import versions as processes
from app.core.processes.models import MigrationBatch, ProcessVersion
from app.core.tasks.models import ProcessInstance
from app.errors import NotFound
from app.extensions import db

# Instances that can still move: running ones, and those stopped on an error (an admin often
# publishes the fix as a new version, migrates them, then retries).
MIGRATABLE = ("running", "error")


def movable_on_older(process_id: str, number: int) -> tuple:
    """Conditions on instances joined with their version: of the process, on a version older
    than `number`, and still able to move."""
    return (
        ProcessVersion.process_id == process_id,
        ProcessVersion.number < number,
        ProcessInstance.status.in_(MIGRATABLE),
    )


def running_on_older_versions(process_id: str) -> list[tuple[ProcessVersion, int]]:
    """(version, number of running or stopped instances) for every version older than the
    newest, oldest first; empty when every instance runs on the newest version."""
    latest = processes.latest_version(process_id)
    if latest is None:
        return []
    counts = db.session.execute(
        db.select(ProcessInstance.process_version_id, db.func.count(ProcessInstance.id))
        .join(ProcessVersion, ProcessVersion.id == ProcessInstance.process_version_id)
        .where(*movable_on_older(process_id, latest.number))
        .group_by(ProcessInstance.process_version_id)
    ).all()
    versions = {v.id: v for v in _versions([version_id for version_id, _n in counts])}
    result = [(versions[version_id], count) for version_id, count in counts]
    return sorted(result, key=lambda pair: pair[0].number)


def batches(process_id: str) -> list[MigrationBatch]:
    """The process's dry runs and migrations, newest first."""
    return list(
        db.session.scalars(
            db.select(MigrationBatch)
            .where(MigrationBatch.process_id == process_id)
            .order_by(MigrationBatch.id.desc())
        )
    )


def get_batch(batch_id: int) -> MigrationBatch:
    """One dry run or migration with its items; NotFound if there is none."""
    batch = db.session.get(MigrationBatch, batch_id)
    if batch is None:
        raise NotFound()
    return batch


def _versions(ids: list[int]) -> list[ProcessVersion]:
    if not ids:
        return []
    return list(db.session.scalars(db.select(ProcessVersion).where(ProcessVersion.id.in_(ids))))

"""Moving instances to a newer version of their process: dry run, apply, revert.

The engine decides whether an instance may move (app/engine/migration.py, docs/MIGRATION.md);
reading.py says what runs on older versions and lists the batches, moving.py makes dry runs and
applies them, reverting.py puts one instance back. Services flush, never commit.
"""

from app.core.processes.migrations.moving import apply, dry_run
from app.core.processes.migrations.reading import (
    MIGRATABLE,
    batches,
    get_batch,
    running_on_older_versions,
)
from app.core.processes.migrations.reverting import revert

__all__ = [
    "MIGRATABLE",
    "apply",
    "batches",
    "dry_run",
    "get_batch",
    "revert",
    "running_on_older_versions",
]

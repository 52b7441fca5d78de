"""Process owners' pages, one blueprint: processes and their versions, trial runs and diffs
(versions.py); the modeler, its drafts and publishing (modeler.py); files opened from other tools
and their conversion report (files.py); moving running instances to a newer version
(migrations.py)."""

from app.core.processes.views.processes import files, migrations, modeler, versions  # noqa: F401
from app.core.processes.views.processes.blueprint import bp

__all__ = ["bp"]

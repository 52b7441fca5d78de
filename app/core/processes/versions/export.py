"""Exporting: the newest version of every process and form written back to files."""

from pathlib import Path

from app.core.processes.models import FormVersion, ProcessVersion
from app.core.processes.versions.lookup import latest_form, latest_version, version_decisions
from app.extensions import db


def export_directories(workflows_dir: Path, forms_dir: Path) -> list[Path]:
    """Write the newest version of every process and form back to files."""
    written: list[Path] = []
    pids = db.session.scalars(db.select(ProcessVersion.process_id).distinct())
    for pid in sorted(pids):
        version = latest_version(pid)
        path = workflows_dir / f"{pid}.bpmn"
        path.write_text(version.xml, encoding="utf-8")
        written.append(path)
        for name, data in version_decisions(version).items():
            (workflows_dir / name).write_bytes(data)
            written.append(workflows_dir / name)
    for name in sorted(db.session.scalars(db.select(FormVersion.name).distinct())):
        form = latest_form(name)
        path = forms_dir / f"{name}.json"
        path.write_text(form.content, encoding="utf-8")
        written.append(path)
    return written

"""The diagram the read-only viewers show: a version's BPMN with its labels in the reader's
language (app/engine/diagram_labels.py) and lanes named by department."""

from __future__ import annotations

from app.core.processes.models import ProcessVersion
from app.core.users.models import Department
from app.engine.diagram_labels import localize_labels
from app.engine.documents import DocumentRejected
from app.extensions import db


def lane_names(locale: str) -> dict[str, str]:
    """Every accepted lane name (key, English or Chinese name, lower-cased) -> the department's
    name in `locale`."""
    names: dict[str, str] = {}
    for dept in db.session.scalars(db.select(Department).order_by(Department.id)):
        for alias in (dept.key, dept.name_en, dept.name_zh):
            names.setdefault(alias.strip().lower(), dept.display_name(locale))
    return names


def reader_xml(version: ProcessVersion, locale: str) -> bytes:
    """The version's BPMN for a viewer: names in the reader's language, lanes as departments."""
    data = version.xml.encode("utf-8")
    try:
        return localize_labels(data, locale.startswith("zh"), lane_names(locale))
    except DocumentRejected:  # stored versions were validated; show what there is
        return data

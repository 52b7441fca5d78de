"""Looking versions up: the newest of a process or form, what a version pins and calls, its
parsed definition and properties."""

import json
from collections import OrderedDict

from app.core.processes.models import FormVersion, ProcessVersion
from app.engine import specs
from app.engine.documents import BPMN_NS, DocumentRejected, parse_bpmn, spiff_properties
from app.engine.specs import ProcessDefinition
from app.extensions import db


def latest_version(process_id: str) -> ProcessVersion | None:
    """The newest version of a process: what new instances start on."""
    return db.session.scalar(
        db.select(ProcessVersion)
        .where(ProcessVersion.process_id == process_id)
        .order_by(ProcessVersion.number.desc())
    )


def latest_form(name: str) -> FormVersion | None:
    """The newest stored version of a form."""
    return db.session.scalar(
        db.select(FormVersion).where(FormVersion.name == name).order_by(FormVersion.number.desc())
    )


def called_versions(version: ProcessVersion) -> list[ProcessVersion]:
    """The version and every version it calls, directly or through its callees (pinned)."""
    found: dict[int, ProcessVersion] = {}
    queue = [version]
    while queue:
        current = queue.pop(0)
        if current.id not in found:
            found[current.id] = current
            queue += current.calls
    return list(found.values())


def version_decisions(version: ProcessVersion) -> dict[str, bytes]:
    """The DMN files stored with a version."""
    stored = json.loads(version.decisions) if version.decisions else {}
    return {name: text.encode("utf-8") for name, text in stored.items()}


# A stored version never changes (a new one is published instead), nor do the versions it pins:
# its definition is kept by the row's identity, so that a step neither reads the pinned callees
# again nor hashes the files (specs caches by content underneath). The creation time is in the
# key so that another database (a test's, a restored backup) reusing the id is not mistaken.
_BY_VERSION: OrderedDict[tuple, ProcessDefinition] = OrderedDict()
_BY_VERSION_MAX = 64


def definition_for(version: ProcessVersion) -> ProcessDefinition:
    """The parsed definition of a version, with the pinned versions of the published processes
    it calls (cached in memory by the version's identity, and by content hash underneath)."""
    key = (version.id, version.content_hash, version.created_at)
    found = _BY_VERSION.get(key)
    if found is not None:
        return found
    callees = called_versions(version)[1:]
    definition = specs.load_definition(
        version.xml.encode("utf-8"),
        [*version_decisions(version).values()]
        + [d for c in callees for d in version_decisions(c).values()],
        called=[c.xml.encode("utf-8") for c in callees],
    )
    if version.id is None or version.created_at is None:  # not stored yet: no identity
        return definition
    _BY_VERSION[key] = definition
    while len(_BY_VERSION) > _BY_VERSION_MAX:
        _BY_VERSION.popitem(last=False)
    return definition


_PROPERTIES: dict[str, dict[str, str]] = {}


def process_properties(version: ProcessVersion) -> dict[str, str]:
    """The spiffworkflow properties of the version's process (name_zh, owner), cached by hash."""
    found = _PROPERTIES.get(version.content_hash)
    if found is None:
        found = {}
        try:
            root = parse_bpmn(version.xml.encode("utf-8"))
        except DocumentRejected:  # stored versions were validated; nothing to show otherwise
            root = None
        for process in root.iterfind(f"{{{BPMN_NS}}}process") if root is not None else ():
            if process.get("id") == version.process_id:
                found = spiff_properties(process)
        if len(_PROPERTIES) > 256:
            _PROPERTIES.clear()
        _PROPERTIES[version.content_hash] = found
    return found


def display_name(version: ProcessVersion, locale: str) -> str:
    """The process's name in the reader's language: its name_zh property for Chinese."""
    if locale.startswith("zh"):
        return process_properties(version).get("name_zh") or version.name
    return version.name


def pinned_form(version: ProcessVersion, name: str) -> FormVersion | None:
    """The form version a process version was published with (the newest if it had none)."""
    for form in version.forms:
        if form.name == name:
            return form
    return latest_form(name)

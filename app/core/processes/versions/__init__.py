"""Deploying, listing and exporting process and form versions."""

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from app.core.audit import services as audit
from app.core.processes.forms import check_form_document
from app.core.processes.models import FormVersion, ProcessVersion
from app.core.submissions import uniqueness
from app.core.users.models import ROLES, Department, User
from app.engine import specs, validation
from app.engine.decisions import decisions_for
from app.engine.documents import BPMN_NS, DocumentRejected, parse_bpmn, spiff_properties
from app.engine.specs import ProcessDefinition
from app.extensions import db

DEMO_DEPARTMENTS = {
    "sales": ("Sales", "销售部"),
    "pmc": ("PMC", "计划部(PMC)"),
    "engineering": ("Engineering", "技术部"),
    "production": ("Production", "生产部"),
    "quality": ("Quality", "品质部"),
    "warehouse": ("Warehouse", "仓储部"),
    "purchasing": ("Purchasing", "采购部"),
    "finance": ("Finance", "财务部"),
    "management": ("Management", "管理层"),
}


@dataclass(frozen=True)
class Deployment:
    """What deploying (or publishing) a process did: the version stored, or the identical one
    already there (`created` False), or no version and the problems that refused it."""

    version: ProcessVersion | None
    created: bool
    problems: list[validation.Problem] = field(default_factory=list)


@dataclass
class DeployReport:
    """What a deploy did, file by file."""

    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def content_hash(data: bytes) -> str:
    """The sha256 hex digest that identifies a version's content."""
    return hashlib.sha256(data).hexdigest()


def department_aliases(departments: list[tuple[str, str, str]]) -> dict[str, str]:
    """Map every accepted lane name (key, English or Chinese name, lower-cased) to the key."""
    aliases: dict[str, str] = {}
    for key, name_en, name_zh in departments:
        for alias in (key, name_en, name_zh):
            aliases[alias.strip().lower()] = key
    return aliases


def db_catalog(extra_forms: set[str] | None = None) -> validation.Catalog:
    """The departments, forms, roles and published processes a diagram may name, read from
    the database."""
    rows = db.session.execute(db.select(Department.key, Department.name_en, Department.name_zh))
    forms = set(db.session.scalars(db.select(FormVersion.name).distinct()))
    return validation.Catalog(
        departments=department_aliases([tuple(r) for r in rows]),
        forms=forms | (extra_forms or set()),
        roles=set(ROLES),
        published=published_process,
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


def published_process(process_id: str) -> validation.CalledProcess | None:
    """What a call activity calling a published process would run: its newest version and
    the versions that one pins (None when the process has no published version)."""
    version = latest_version(process_id)
    if version is None:
        return None
    reached = called_versions(version)
    return validation.CalledProcess(
        files=tuple(v.xml.encode("utf-8") for v in reached),
        decisions=tuple(d for v in reached for d in version_decisions(v).values()),
        reaches=tuple(dict.fromkeys(v.process_id for v in reached)),
    )


def demo_catalog(forms: set[str]) -> validation.Catalog:
    """The catalogue used when no database is set up: the demo departments."""
    return validation.Catalog(
        departments=department_aliases([(k, en, zh) for k, (en, zh) in DEMO_DEPARTMENTS.items()]),
        forms=forms,
        roles=set(ROLES),
    )


def deploy_form(name: str, content: bytes, actor: User | None) -> tuple[FormVersion, bool]:
    """Store a form version unless identical content exists; returns (version, created)."""
    doc = json.loads(content)
    problems = check_form_document(doc)
    if problems:
        raise ValueError("; ".join(problems))
    digest = content_hash(content)
    # Two deploys of one form at once take turns: the second sees the first's version.
    uniqueness.lock_series(f"form:{name}")
    same = db.session.scalar(
        db.select(FormVersion).where(FormVersion.name == name, FormVersion.content_hash == digest)
    )
    if same is not None:
        return same, False
    number = (
        db.session.scalar(
            db.select(db.func.max(FormVersion.number)).where(FormVersion.name == name)
        )
        or 0
    ) + 1
    version = FormVersion(
        name=name,
        number=number,
        content=content.decode("utf-8"),
        content_hash=digest,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(version)
    db.session.flush()
    audit.record(
        actor, "form.deploy", "form_version", version.id, data={"name": name, "number": number}
    )
    return version, True


def latest_form(name: str) -> FormVersion | None:
    """The newest stored version of a form."""
    return db.session.scalar(
        db.select(FormVersion).where(FormVersion.name == name).order_by(FormVersion.number.desc())
    )


def version_hash(
    xml: bytes, decisions: dict[str, bytes], calls: list[ProcessVersion] | None = None
) -> str:
    """The identity of a version: the BPMN, every DMN file it calls and the versions of other
    processes it calls (a version without calls keeps the hash it always had)."""
    parts = [xml, *(decisions[name] for name in sorted(decisions))]
    parts += [f"call:{v.process_id}:{v.id}".encode() for v in sorted(calls or [], key=_by_id)]
    return content_hash(b"\0".join(parts))


def _by_id(version: ProcessVersion) -> int:
    return version.id


def called_process_ids(xml: bytes) -> list[str]:
    """The processes a BPMN file's call activities call that it does not define itself."""
    root = parse_bpmn(xml)
    own = {p.get("id") for p in root.iter(f"{{{BPMN_NS}}}process")}
    called = {c.get("calledElement") for c in root.iter(f"{{{BPMN_NS}}}callActivity")}
    return sorted(called - own - {None})


def series(process_id: str) -> str:
    """The lock every writer of a process's versions and draft takes first."""
    return f"process:{process_id}"


def deploy_process(
    file_name: str, xml: bytes, actor: User | None, dmn_files: dict[str, bytes] | None = None
) -> Deployment:
    """Validate and store a BPMN file (with the DMN files it calls) as a new version.

    Identical content creates nothing, so redeploying never reverts a newer version.
    """
    decisions = decisions_for(xml, dmn_files or {})
    problems = validation.validate_bpmn(xml, db_catalog(), list(decisions.values()))
    if problems:
        return Deployment(None, False, problems)
    # The published processes it calls are pinned to their newest versions now; a version
    # calling other versions is another version, so the pins are part of its identity.
    calls = [latest_version(pid) for pid in called_process_ids(xml)]
    pinned = [v for v in calls if v is not None]
    callees = list(dict.fromkeys(c for v in pinned for c in called_versions(v)))
    defn = specs.load_definition(
        xml,
        [*decisions.values(), *(d for c in callees for d in version_decisions(c).values())],
        called=[c.xml.encode("utf-8") for c in callees],
    )
    digest = version_hash(xml, decisions, pinned)
    # Two deploys of one process at once take turns: identical content is stored once and
    # version numbers never collide.
    uniqueness.lock_series(series(defn.process_id))
    same = db.session.scalar(
        db.select(ProcessVersion).where(
            ProcessVersion.process_id == defn.process_id, ProcessVersion.content_hash == digest
        )
    )
    if same is not None:
        return Deployment(same, False)
    number = (
        db.session.scalar(
            db.select(db.func.max(ProcessVersion.number)).where(
                ProcessVersion.process_id == defn.process_id
            )
        )
        or 0
    ) + 1
    version = ProcessVersion(
        process_id=defn.process_id,
        name=defn.name or defn.process_id,
        number=number,
        xml=xml.decode("utf-8"),
        content_hash=digest,
        file_name=file_name,
        decisions=json.dumps({k: v.decode("utf-8") for k, v in decisions.items()})
        if decisions
        else None,
        created_by_id=actor.id if actor else None,
        forms=[latest_form(name) for name in sorted(defn.forms)],
        calls=pinned,
    )
    db.session.add(version)
    db.session.flush()
    audit.record(
        actor,
        "process.deploy",
        "process_version",
        version.id,
        data={
            "process_id": version.process_id,
            "number": number,
            "file": file_name,
            "calls": {v.process_id: v.number for v in pinned},
        },
    )
    return Deployment(version, True)


def deploy_directories(workflows_dir: Path, forms_dir: Path, actor: User | None) -> DeployReport:
    """Deploy every form, then every BPMN file; nothing is stored for a file with problems."""
    report = DeployReport()
    for path in sorted(forms_dir.glob("*.json")):
        try:
            version, created = deploy_form(path.stem, path.read_bytes(), actor)
        except ValueError as exc:  # json.JSONDecodeError is a ValueError too
            report.problems.append(f"{path}:1: {exc}")
            continue
        label = f"form {version.name} v{version.number}"
        (report.created if created else report.unchanged).append(label)
    dmn_files = {path.name: path.read_bytes() for path in sorted(workflows_dir.glob("*.dmn"))}
    for path in sorted(workflows_dir.glob("*.bpmn")):
        deployed = deploy_process(path.name, path.read_bytes(), actor, dmn_files)
        report.problems.extend(f"{path}:{p.line}: {p.message}" for p in deployed.problems)
        if deployed.version is not None:
            label = f"process {deployed.version.process_id} v{deployed.version.number}"
            (report.created if deployed.created else report.unchanged).append(label)
    return report


def latest_version(process_id: str) -> ProcessVersion | None:
    """The newest version of a process: what new instances start on."""
    return db.session.scalar(
        db.select(ProcessVersion)
        .where(ProcessVersion.process_id == process_id)
        .order_by(ProcessVersion.number.desc())
    )


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

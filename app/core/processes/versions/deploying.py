"""Deploying forms and processes (from the browser or the workflow directories) as versions."""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from app.core.audit import services as audit
from app.core.processes.forms import check_form_document
from app.core.processes.models import FormVersion, ProcessVersion
from app.core.processes.versions.catalog import db_catalog
from app.core.processes.versions.lookup import (
    called_versions,
    latest_form,
    latest_version,
    version_decisions,
)
from app.core.submissions import uniqueness
from app.core.users.models import User
from app.engine import specs, validation
from app.engine.decisions import decisions_for
from app.engine.documents import BPMN_NS, parse_bpmn
from app.extensions import db


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

"""Process owners edit processes: drafts (saved as they are), publishing and versions.
(The diff between two versions is in version_diff/.)

Publishing runs exactly the validation `flask workflows validate` runs (processes.deploy_process),
whatever the browser's linter said: the server never trusts the browser.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.processes import drops
from app.core.processes import versions as processes
from app.core.processes.models import FormVersion, ProcessDraft, ProcessVersion
from app.core.submissions import uniqueness
from app.core.tasks.models import ProcessInstance
from app.core.users import permissions
from app.core.users.models import Department, User
from app.engine.documents import DocumentRejected, parse_bpmn, spiff_properties
from app.engine.problems import Problem
from app.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.extensions import db

MAX_DRAFT_BYTES = 2 * 1024 * 1024
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def ensure_modeler(user: User, action: str, target: str) -> None:
    """Refuse (and audit) anyone who is not a process owner or admin."""
    if not permissions.may_model(user):
        data = {"action": action, "on": target}
        audit.record(user, "denied.modeling", "process", None, data=data)
        db.session.flush()
        raise PermissionDenied(_("Only process owners may change processes and forms."))


@dataclass
class ProcessSummary:
    """A process as the list shows it."""

    process_id: str
    latest: ProcessVersion
    draft: ProcessDraft | None
    running: int
    on_older: int


def summaries() -> list[ProcessSummary]:
    """Every deployed process with its newest version, draft and running instances."""
    rows = []
    pids = sorted(db.session.scalars(db.select(ProcessVersion.process_id).distinct()))
    drafts = {d.process_id: d for d in db.session.scalars(db.select(ProcessDraft))}
    for pid in pids:
        latest = processes.latest_version(pid)
        counts = db.session.execute(
            db.select(ProcessInstance.process_version_id, ProcessInstance.status, db.func.count())
            .join(ProcessVersion, ProcessVersion.id == ProcessInstance.process_version_id)
            .where(
                ProcessVersion.process_id == pid,
                ProcessInstance.status.in_(("running", "error")),  # what a migration moves
            )
            .group_by(ProcessInstance.process_version_id, ProcessInstance.status)
        ).all()
        running = sum(n for _vid, status, n in counts if status == "running")
        on_older = sum(n for vid, _status, n in counts if vid != latest.id)
        rows.append(ProcessSummary(pid, latest, drafts.get(pid), running, on_older))
    return rows


def versions(process_id: str) -> list[tuple[ProcessVersion, int]]:
    """The process's versions, newest first, each with its number of running instances."""
    found = list(
        db.session.scalars(
            db.select(ProcessVersion)
            .where(ProcessVersion.process_id == process_id)
            .order_by(ProcessVersion.number.desc())
        )
    )
    if not found:
        raise NotFound(_("This process does not exist."))
    counts = dict(
        db.session.execute(
            db.select(ProcessInstance.process_version_id, db.func.count())
            .where(
                ProcessInstance.process_version_id.in_([v.id for v in found]),
                ProcessInstance.status == "running",
            )
            .group_by(ProcessInstance.process_version_id)
        ).all()
    )
    return [(v, counts.get(v.id, 0)) for v in found]


def version(process_id: str, number: int) -> ProcessVersion:
    """One version of a process, or NotFound."""
    found = db.session.scalar(
        db.select(ProcessVersion).where(
            ProcessVersion.process_id == process_id, ProcessVersion.number == number
        )
    )
    if found is None:
        raise NotFound(_("This process version does not exist."))
    return found


def draft_of(process_id: str) -> ProcessDraft | None:
    """The process's unpublished draft, if any."""
    return db.session.scalar(db.select(ProcessDraft).where(ProcessDraft.process_id == process_id))


def new_drafts() -> list[ProcessDraft]:
    """Drafts of new processes (opened from a file) that have no published version yet."""
    published = db.select(ProcessVersion.process_id).distinct()
    return list(
        db.session.scalars(
            db.select(ProcessDraft)
            .where(ProcessDraft.process_id.not_in(published))
            .order_by(ProcessDraft.process_id)
        )
    )


def draft_name(draft: ProcessDraft, locale: str) -> str:
    """A draft's process name as its diagram says (name_zh for Chinese), else its key."""
    try:
        root = parse_bpmn(draft.xml.encode("utf-8"))
    except DocumentRejected:
        return draft.process_id
    for process in root.iterfind(f"{{{BPMN}}}process"):
        if process.get("id") == draft.process_id:
            if locale.startswith("zh"):
                zh = spiff_properties(process).get("name_zh")
                if zh:
                    return zh
            return process.get("name") or draft.process_id
    return draft.process_id


def editing(process_id: str) -> tuple[ProcessVersion | None, ProcessDraft | None]:
    """The newest version and the draft of a process the modeler opens; NotFound if neither."""
    latest = processes.latest_version(process_id)
    draft = draft_of(process_id)
    if latest is None and draft is None:
        raise NotFound(_("This process does not exist."))
    return latest, draft


def modeler_xml(process_id: str) -> str:
    """What the modeler opens: the draft if there is one, else the newest version."""
    draft = draft_of(process_id)
    if draft is not None:
        return draft.xml
    latest = processes.latest_version(process_id)
    if latest is None:
        raise NotFound(_("This process does not exist."))
    return latest.xml


def edit_token(process_id: str) -> str:
    """What the modeler opened: the draft's last save, or the newest version if no draft.

    The modeler sends it back with every save and publish; a different token means another
    owner saved or published in between, and the request is refused instead of overwriting.
    """
    draft = draft_of(process_id)
    if draft is not None:
        return f"draft-{draft.id}-{draft.updated_at.isoformat()}"
    latest = processes.latest_version(process_id)
    return f"version-{latest.id}" if latest else ""


def check_token(process_id: str, token: object) -> None:
    if token is not None and token != edit_token(process_id):
        raise Conflict(
            _(
                "Someone else saved or published this process after you opened it. Copy your "
                "changes, reload the modeler and apply them again."
            )
        )


def _xml_text(xml: object) -> str:
    if not isinstance(xml, str) or not xml.strip():
        raise InvalidInput(_("The request carried no diagram."))
    if len(xml.encode("utf-8")) > MAX_DRAFT_BYTES:
        raise InvalidInput(
            _("The diagram is larger than %(n)s MB; split the process.", n=MAX_DRAFT_BYTES // 2**20)
        )
    return xml


def save_draft(
    actor: User, process_id: str, xml: object, token: object = None, removed: object = None
) -> ProcessDraft:
    """Keep the diagram as the process's draft, errors and all, so no work is lost.

    `removed` is what the modeler says the owner removed knowingly (ids; drops.py): when it is
    given (every save from the browser gives it), an element of the stored diagram that the new
    one lacks and the list does not account for makes the save refuse, storing nothing.
    """
    ensure_modeler(actor, "save_draft", process_id)
    # Saves and publishes of one process take turns, so the edit token below sees the last one.
    uniqueness.lock_series(processes.series(process_id))
    latest = processes.latest_version(process_id)
    draft = draft_of(process_id)
    if latest is None and draft is None:  # a new process has its draft and no version yet
        raise NotFound(_("This process does not exist."))
    text = _xml_text(xml)
    check_token(process_id, token)
    if removed is not None:
        stored = draft.xml if draft is not None else latest.xml
        drops.refuse_silent_drops(stored, text, drops.confirmed_ids(removed))
    if draft is None:
        draft = ProcessDraft(process_id=process_id, xml=text, base_version_id=latest.id)
        db.session.add(draft)
    draft.xml, draft.updated_at, draft.updated_by_id = text, utcnow(), actor.id
    db.session.flush()
    data = {"process": process_id}
    audit.record(actor, "process.draft_save", "process_draft", draft.id, data=data)
    return draft


def discard_draft(actor: User, process_id: str) -> bool:
    """Throw the draft away; the published versions are untouched. False if there was none."""
    ensure_modeler(actor, "discard_draft", process_id)
    draft = draft_of(process_id)
    if draft is None:
        return False
    db.session.delete(draft)
    audit.record(actor, "process.draft_discard", "process", None, data={"process": process_id})
    return True


def _process_ids(xml: bytes) -> list[str]:
    try:
        root = parse_bpmn(xml)
    except DocumentRejected:
        return []
    return [p.get("id") for p in root.iterfind(f"{{{BPMN}}}process") if p.get("id")]


def publish(
    actor: User, process_id: str, xml: object, token: object = None, removed: object = None
) -> processes.Deployment:
    """Save the draft, then validate and store it as a new immutable version."""
    draft = save_draft(actor, process_id, xml, token, removed)
    data = draft.xml.encode("utf-8")
    ids = _process_ids(data)
    if ids and process_id not in ids:
        message = _(
            "The diagram's process id is %(found)s; it must stay %(id)s. Set it back in the "
            "process properties.",
            found=", ".join(ids),
            id=process_id,
        )
        return processes.Deployment(None, False, [Problem(0, message)])
    latest = processes.latest_version(process_id)
    file_name = latest.file_name if latest else f"{process_id}.bpmn"
    decisions = processes.version_decisions(latest) if latest else {}
    deployed = processes.deploy_process(file_name, data, actor, decisions)
    if deployed.problems:
        return deployed
    db.session.delete(draft)
    audit.record(
        actor,
        "process.publish",
        "process_version",
        deployed.version.id,
        data={
            "process": process_id,
            "number": deployed.version.number,
            "created": deployed.created,
        },
    )
    return deployed


def modeler_config(locale: str) -> dict:
    """Departments, forms and owners the modeler's panel and linter offer."""
    zh = locale.startswith("zh")
    # `aliases`: every lane name the server maps to the department (versions.department_aliases:
    # key, English or Chinese name), so the live lint accepts what publishing accepts.
    departments = [
        {"key": d.key, "name": d.name_zh if zh else d.name_en, "aliases": [d.name_en, d.name_zh]}
        for d in db.session.scalars(db.select(Department).order_by(Department.id))
    ]
    forms = sorted(set(db.session.scalars(db.select(FormVersion.name).distinct())))
    owners = list(
        db.session.scalars(
            db.select(User.username)
            .where(User.is_process_owner.is_(True), User.active.is_(True))
            .order_by(User.username)
        )
    )
    return {"departments": departments, "forms": forms, "owners": owners}

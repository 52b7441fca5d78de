"""Diagrams from other tools, opened in the modeler: a .bpmn file becomes a new process's draft,
or replaces the draft of an existing process.

The file is checked (size, a BPMN document parsed safely, at least one process), converted
(Camunda, Signavio, ... extensions mapped to what OrderGate runs; app.core.processes.conversion)
and stored as a draft, as it is: the owner fixes what the conversion report lists in the modeler
and publishes. The report is kept with the draft until it is published or discarded.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from lxml import etree

from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.processes import conversion, diagram_problems, modeling
from app.core.processes import versions as processes
from app.core.processes.models import ProcessDraft, ProcessVersion
from app.core.submissions import uniqueness
from app.core.users.models import User
from app.engine.convert import Answer, ReportItem, convert
from app.engine.convert import answer as write_answers
from app.engine.documents import BPMN_NS, DocumentRejected, executable_processes, parse_bpmn
from app.engine.problems import Reason
from app.errors import InvalidInput, NotFound
from app.extensions import db

MAX_FILE_BYTES = modeling.MAX_DRAFT_BYTES
MAX_FILE_NAME = 255  # what file systems allow; the audit row names the file
MAX_KEY = 60  # a process key made from a file's process id; room for a "_2" suffix within 100
# New processes' keys take turns: two owners opening the same file at once get two keys.
NEW_PROCESS_SERIES = "process:new"
_KEY_CHARS = re.compile(r"[^A-Za-z0-9_]+")
DI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
# Keys that would collide with the processes pages' own addresses (/processes/new).
RESERVED_KEYS = frozenset({"new"})
# What opening a file did on top of the conversion, said in the reader's language when shown.
SENTENCES = {
    "new_key": _l("The file's process %(old)s is the new process %(key)s."),
    "new_key_taken": _l(
        "The file's process %(old)s is the new process %(key)s: that id was taken or not "
        "usable as a key."
    ),
    "into_key": _l("The file's process %(old)s replaces the draft of %(key)s and takes its id."),
}
# What the report's choices can set (app/engine/convert/answering.py); conditions are written.
ANSWERABLE = ("department", "form", "due", "kind", "connector", "timer")
# The conversion's statuses (app/engine/convert/report.py), in the order the report lists them.
REPORT_STATUSES = ("owner", "check", "kept", "mapped")


@dataclass
class Opened:
    """A file opened as a draft: the draft and what its conversion report says."""

    draft: ProcessDraft
    report: list[dict]


def read_upload(storage: object) -> bytes:
    """The uploaded file's bytes, refused when missing or larger than the limit (never cut)."""
    stream = getattr(storage, "stream", None)
    if stream is None or not getattr(storage, "filename", ""):
        raise InvalidInput(_("Choose a .bpmn file to open."))
    if len(storage.filename) > MAX_FILE_NAME:
        raise InvalidInput(
            _("The file name is longer than %(n)s characters; rename the file.", n=MAX_FILE_NAME)
        )
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES
        size = f"{limit // 2**20} MB" if limit >= 2**20 else f"{max(1, limit // 1024)} KB"
        raise InvalidInput(_("The file is larger than the limit of %(limit)s.", limit=size))
    if not data.strip():
        raise InvalidInput(_("The file is empty."))
    return data


def _checked(data: bytes) -> etree._Element:
    """The file's BPMN definitions, or InvalidInput saying (in the reader's language) why not."""
    try:
        root = parse_bpmn(data)
    except DocumentRejected as exc:
        raise InvalidInput(diagram_problems.text(exc.message)) from None
    if root.find(f"{{{BPMN_NS}}}process") is None:
        raise InvalidInput(
            _("The file holds no process (only a collaboration or definitions); nothing to open.")
        )
    if root.find(f"{{{DI_NS}}}BPMNDiagram/{{{DI_NS}}}BPMNPlane") is None:
        # The modeler draws from the diagram interchange part; without it there is nothing to show.
        raise InvalidInput(
            _(
                "The file has no drawing (BPMN diagram interchange), only the process; export it "
                "from its tool with the diagram."
            )
        )
    return root


def _main_process(root: etree._Element) -> etree._Element:
    """The process the new key names: the first executable one, else the first one."""
    found = executable_processes(root)
    return found[0] if found else root.find(f"{{{BPMN_NS}}}process")


def _taken(key: str) -> bool:
    if key in RESERVED_KEYS:
        return True
    version = db.session.scalar(
        db.select(ProcessVersion.id).where(ProcessVersion.process_id == key).limit(1)
    )
    return version is not None or modeling.draft_of(key) is not None


def _new_key(wanted: str, ids_in_file: set[str]) -> str:
    """A process key no version or draft has, made from `wanted`: letters, digits and _."""
    base = _KEY_CHARS.sub("_", wanted).strip("_")[:MAX_KEY].strip("_") or "process"
    if base[0].isdigit():
        base = f"process_{base}"[:MAX_KEY]
    candidate, n = base, 1
    while _taken(candidate) or (candidate != wanted and candidate in ids_in_file):
        n += 1
        candidate = f"{base}_{n}"
    return candidate


def _renamed(root: etree._Element, process: etree._Element, key: str) -> None:
    """Give `process` the id `key` and follow it in the references to it (pool, diagram)."""
    old = process.get("id")
    process.set("id", key)
    if not old or old == key:
        return
    for node in root.iter(f"{{{BPMN_NS}}}participant"):
        if node.get("processRef") == old:
            node.set("processRef", key)
    for node in root.iter(f"{{{DI_NS}}}BPMNPlane"):
        if node.get("bpmnElement") == old:
            node.set("bpmnElement", key)


def _text(root: etree._Element) -> str:
    return etree.tostring(root, encoding="unicode")


def _convert(data: bytes) -> tuple[bytes, list[dict]]:
    """Run the conversion (app/engine/convert/ with this OrderGate's departments and forms);
    its report as stored items."""
    try:
        result = convert(data, conversion.departments(), conversion.form_names())
    except DocumentRejected as exc:
        raise InvalidInput(diagram_problems.text(exc.message)) from None
    return result.xml, [_stored(item) for item in result.items]


def _stored(item: ReportItem) -> dict:
    """A report item as the draft keeps it: JSON, its message as key and facts (said in the
    reader's language when shown) and in English."""
    params = getattr(item.message, "params", None)
    return {
        "status": item.status,
        "element": item.element_id,
        "name": item.name,
        "kind": item.kind,
        "field": item.field,
        "value": item.value,
        "choices": list(item.choices),
        "message": str(item.message),
        "key": getattr(item.message, "key", None),
        "params": json.loads(json.dumps(params, default=str)) if isinstance(params, dict) else None,
    }


@dataclass
class ReportGroup:
    """The report items of one status, as the report panel lists them."""

    status: str
    items: list[dict]


def item_text(item: dict) -> str:
    """A report item's message in the reader's language (English as stored if it cannot be)."""
    key, params = item.get("key"), item.get("params")
    if not isinstance(params, dict):
        return str(item.get("message") or "")
    try:
        if key in SENTENCES:
            return str(SENTENCES[key]) % params
        return _conversion_text(item, key, params)
    except (KeyError, TypeError, ValueError):  # a stored item older than its sentence
        return str(item.get("message") or "")


def _conversion_text(item: dict, key: object, params: dict) -> str:
    message = Reason(str(key), str(item.get("message") or ""), **params)
    found = ReportItem(
        status=str(item.get("status") or "owner"),
        element_id=item.get("element"),
        name=str(item.get("name") or ""),
        kind=str(item.get("kind") or ""),
        message=message,
    )
    return conversion.item_text(found)


def grouped(items: list[dict]) -> list[ReportGroup]:
    """The report's items by status: what needs the owner first, what was mapped last."""
    groups = [
        ReportGroup(status, [item for item in items if item.get("status") == status])
        for status in REPORT_STATUSES
    ]
    others = [item for item in items if item.get("status") not in REPORT_STATUSES]
    if others:
        groups[0].items.extend(others)
    return [group for group in groups if group.items]


def _prepared(data: bytes, key: str | None) -> tuple[str, str, list[dict]]:
    """(key, xml, report): the file checked, converted, its main process named `key` (or a new
    unique key when None)."""
    _checked(data)
    converted, report = _convert(data)
    root = _checked(converted)
    process = _main_process(root)
    old = process.get("id") or ""
    if key is None:
        ids = {node.get("id") for node in root.iter() if isinstance(node.tag, str)}
        key = _new_key(old or "process", ids)
        said = "new_key" if key == old else "new_key_taken"
    else:
        said = "into_key"
    _renamed(root, process, key)
    note = {"status": "mapped", "element": None, "key": said, "params": {"old": old, "key": key}}
    return key, _text(root), [note, *report]


def _xml_for_draft(xml: str) -> str:
    declaration = '<?xml version="1.0" encoding="UTF-8"?>\n'
    return declaration + xml


def new_process(actor: User, file_name: str, data: bytes) -> Opened:
    """A new process (a draft, no version yet) from a file, under a key nobody uses."""
    modeling.ensure_modeler(actor, "open_file", "new")
    root = _checked(data)  # refuse a bad file before taking the lock
    del root
    uniqueness.lock_series(NEW_PROCESS_SERIES)
    key, xml, report = _prepared(data, None)
    draft = ProcessDraft(process_id=key, base_version_id=None)
    db.session.add(draft)
    return _store(actor, draft, xml, report, file_name, new=True)


def _store(
    actor: User, draft: ProcessDraft, xml: str, report: list[dict], file_name: str, new: bool
) -> Opened:
    """Keep the converted diagram and its report as the draft; audit which file it was."""
    draft.xml, draft.updated_at, draft.updated_by_id = _xml_for_draft(xml), utcnow(), actor.id
    draft.report = json.dumps(report, ensure_ascii=False)
    db.session.flush()
    data = {"process": draft.process_id, "file": file_name, "new": new, "items": len(report)}
    audit.record(actor, "process.open_file", "process_draft", draft.id, data=data)
    return Opened(draft, report)


def into_draft(
    actor: User, process_id: str, file_name: str, data: bytes, token: object = None
) -> Opened:
    """Replace the process's draft by a file (its main process takes the process's key)."""
    modeling.ensure_modeler(actor, "open_file", process_id)
    _checked(data)
    uniqueness.lock_series(processes.series(process_id))
    latest = processes.latest_version(process_id)
    draft = modeling.draft_of(process_id)
    if latest is None and draft is None:
        raise NotFound(_("This process does not exist."))
    modeling.check_token(process_id, token)
    _key, xml, report = _prepared(data, process_id)
    if draft is None:
        draft = ProcessDraft(process_id=process_id, base_version_id=latest.id)
        db.session.add(draft)
    return _store(actor, draft, xml, report, file_name, new=False)


def answerable(item: dict) -> bool:
    """Whether the report offers choices for the item that an answer writes into the draft."""
    return (
        item.get("status") in ("owner", "check")
        and item.get("field") in ANSWERABLE
        and bool(item.get("choices"))
        and bool(item.get("element"))
    )


def answer(
    actor: User, process_id: str, element: object, field: object, value: object, token: object
) -> ProcessDraft:
    """Write one of the report's offered choices into the draft (a lane's department, a task's
    form or due time, a plain task's kind, a service task's connector, a plain start) and mark
    the item answered."""
    modeling.ensure_modeler(actor, "answer", process_id)
    uniqueness.lock_series(processes.series(process_id))
    draft = modeling.draft_of(process_id)
    if draft is None:
        raise NotFound(_("This process has no draft with a conversion report."))
    modeling.check_token(process_id, token)
    items = report_of(draft)
    item = next(
        (i for i in items if answerable(i) and i["element"] == element and i["field"] == field),
        None,
    )
    if item is None:
        raise InvalidInput(_("The conversion report asks nothing of this kind about this element."))
    if value not in item["choices"]:
        raise InvalidInput(_("Pick one of the choices the report offers."))
    given = Answer(str(element), str(field), str(value))
    xml = write_answers(draft.xml.encode("utf-8"), [given], conversion.departments())
    item["answer"] = value
    draft.xml, draft.updated_at, draft.updated_by_id = xml.decode("utf-8"), utcnow(), actor.id
    draft.report = json.dumps(items, ensure_ascii=False)
    db.session.flush()
    data = {"process": process_id, "element": element, "field": field, "value": value}
    audit.record(actor, "process.answer", "process_draft", draft.id, data=data)
    return draft


def report_of(draft: ProcessDraft | None) -> list[dict]:
    """The stored conversion report of a draft ([] when it was not opened from a file)."""
    if draft is None or not draft.report:
        return []
    try:
        items = json.loads(draft.report)
    except ValueError:
        return []
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []

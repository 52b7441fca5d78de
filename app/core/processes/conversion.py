"""Opening another tool's diagram: the engine's conversion (app/engine/convert/) with
OrderGate's departments and form library, and its report said in the reader's language
(docs/FOREIGN_DIAGRAMS.md). Converting stores nothing: the modeler shows the converted diagram
and the report, and the owner saves or publishes it as any other edit.
"""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.processes import diagram_problems
from app.core.processes.modeling import MAX_DRAFT_BYTES, ensure_modeler
from app.core.processes.models import FormVersion
from app.core.users.models import Department, User
from app.engine.convert import STATUSES, Conversion, ReportItem, convert
from app.engine.documents import DocumentRejected
from app.engine.problems import kind_words
from app.errors import InvalidInput
from app.extensions import db

KINDS = {
    **diagram_problems.KINDS,
    "lane": _l("Lane"),
    "definitions": _l("Diagram"),
    "participant": _l("Pool"),
}
STATUS_WORDS = {
    "mapped": _l("Converted"),
    "check": _l("Check"),
    "owner": _l("Needs you"),
    "kept": _l("Kept"),
}
SENTENCES = {
    "made_executable": _l(
        "%(element)s was not marked executable; it is now the process OrderGate runs."
    ),
    "condition_mapped": _l(
        "The %(language)s condition %(before)s of %(element_lc)s is now the Python %(after)s."
    ),
    "script_mapped": _l("The %(language)s script of %(element_lc)s is now Python: %(after)s."),
    "dict_access": _l(
        "%(element)s read data with dots (%(before)s), which works in spiff-arena but not in "
        "OrderGate, where data are dictionaries; it now reads %(after)s."
    ),
    "timer_mapped": _l("The timer %(before)s of %(element_lc)s is now %(after)s."),
    "due_mapped": _l(
        "The due date %(before)s of %(element_lc)s is now the due time %(after)s (working time)."
    ),
    "lane_renamed": _l(
        "The lane %(before)s is now the department %(after)s (its name or its tasks' candidate "
        "groups say so); check it."
    ),
    "task_placed": _l(
        "%(element)s was in no lane; it is now in the lane of the department %(after)s (its "
        "candidate group or assignee %(before)s says so); check it."
    ),
    "form_suggested": _l(
        "%(element)s used the form %(before)s of its tool; the library form %(after)s is set "
        "instead; check it or pick another (OrderGate does not convert other tools' forms)."
    ),
    "lane_unknown": _l(
        "The lane %(name)s is not a department; pick the department that does its work."
    ),
    "task_no_lane": _l("%(element)s is in no lane; pick the department that does it."),
    "form_needed": _l(
        "%(element)s needs a form from the library%(hint)s; pick one (OrderGate does not convert "
        "other tools' forms)."
    ),
    "due_needed": _l(
        "%(element)s needs a due time (an ISO 8601 duration of working time such as P1D)"
        "%(hint)s; set one."
    ),
    "condition_untranslated": _l(
        "The condition %(before)s of %(element_lc)s cannot be converted (%(why)s); write it in "
        "Python."
    ),
    "condition_missing": _l(
        "%(element)s leaves a gateway without a condition and is not its default flow; write a "
        "condition in Python or make it the default flow."
    ),
    "script_untranslated": _l(
        "The %(language)s script of %(element_lc)s cannot be converted (%(why)s); rewrite it in "
        "Python."
    ),
    "script_missing": _l(
        "%(element)s has no script; write one in Python or make it a manual task."
    ),
    "timer_untranslated": _l(
        "The timer %(before)s of %(element_lc)s cannot be converted; set an ISO 8601 date, "
        "duration or cycle."
    ),
    "timer_empty": _l(
        "The timer of %(element_lc)s is empty; set an ISO 8601 date, duration or cycle."
    ),
    "cycle_start": _l(
        "%(element)s starts the process again at every %(before)s; OrderGate starts each "
        "instance itself, and a repeating start timer would add a path at every cycle inside "
        "one instance that never ends: remove the timer (a plain start) or wait with a timer "
        "event after the start."
    ),
    "implementation": _l(
        "%(element)s runs %(implementation)s in its tool, which OrderGate does not run; bind it "
        "to an OrderGate connector or replace it with a script or user task."
    ),
    "plain_task": _l(
        "%(element)s is a plain task: nobody would be asked to do it; make it a user task (with "
        "a form) or a manual task."
    ),
    "other_pool": _l("%(element)s is not executable and stays as drawn; OrderGate runs %(main)s."),
    "vendor_kept": _l("%(element)s: not read by OrderGate, kept as written: %(names)s."),
}
HINTS = {
    "form_needed": _l(" (its tool used the form %(before)s)"),
    "due_needed": _l(" (its tool's due date %(before)s cannot be converted)"),
}
QUOTED = ("before", "after", "name", "main")


def _quote(value: object, zh: bool) -> str:
    return f"“{value}”" if zh else f"'{value}'"


def item_text(item: ReportItem) -> str:
    """The item's sentence in the current request's language."""
    message = item.message
    key, params = getattr(message, "key", None), getattr(message, "params", None)
    if key not in SENTENCES or not isinstance(params, dict):
        return str(message)
    zh = str(get_locale() or "").startswith("zh")
    facts = dict(params)
    for name in QUOTED:
        if name in facts:
            facts[name] = _quote(facts[name], zh)
    if "names" in params:
        facts["names"] = ", ".join(params["names"])
    kind = params.get("kind", "")
    word = str(KINDS[kind]) if kind in KINDS else kind_words(kind).capitalize()
    label = _quote(params.get("name") or params.get("id"), zh)
    element = f"{word}{label}" if zh else f"{word} {label}"
    facts["element"] = element
    facts["element_lc"] = element if zh else element[:1].lower() + element[1:]
    facts["hint"] = str(HINTS[key]) % facts if key in HINTS and params.get("before") else ""
    return str(SENTENCES[key]) % facts


def departments() -> list[tuple[str, str, str]]:
    """(key, English name, Chinese name) of every department."""
    rows = db.session.execute(
        db.select(Department.key, Department.name_en, Department.name_zh).order_by(Department.id)
    )
    return [tuple(r) for r in rows]


def form_names() -> list[str]:
    return sorted(set(db.session.scalars(db.select(FormVersion.name).distinct())))


def convert_file(actor: User, data: object) -> Conversion:
    """Convert an uploaded diagram with this OrderGate's departments and forms."""
    ensure_modeler(actor, "convert", "diagram")
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, bytes) or not data.strip():
        raise InvalidInput(_("The request carried no diagram."))
    if len(data) > MAX_DRAFT_BYTES:
        raise InvalidInput(
            _("The diagram is larger than %(n)s MB; split the process.", n=MAX_DRAFT_BYTES // 2**20)
        )
    try:
        return convert(data, departments(), form_names())
    except DocumentRejected as exc:
        raise InvalidInput(diagram_problems.text(exc.message)) from exc


def report(conversion: Conversion) -> dict:
    """The conversion as the modeler shows it: the diagram, the items and counts per status."""
    items = [
        {
            "status": item.status,
            "status_text": str(STATUS_WORDS[item.status]),
            "element": item.element_id,
            "name": item.name,
            "kind": item.kind,
            "field": item.field,
            "value": item.value,
            "choices": list(item.choices),
            "message": item_text(item),
        }
        for item in conversion.items
    ]
    order = {status: i for i, status in enumerate(("owner", "check", "mapped", "kept"))}
    items.sort(key=lambda i: order[i["status"]])  # what needs the owner first; stable otherwise
    return {
        "xml": conversion.xml.decode("utf-8"),
        "items": items,
        "counts": {s: sum(1 for i in conversion.items if i.status == s) for s in STATUSES},
    }

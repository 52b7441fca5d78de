"""The conversion's report: its statuses, its sentences and the items it lists, and the owner's
answers to them."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ..problems import Reason, kind_words
from .namespaces import kind_of

STATUSES = ("mapped", "check", "owner", "kept")

MESSAGES = {
    # mapped
    "made_executable": "{element} was not marked executable; it is now the process OrderGate runs.",
    "condition_mapped": "The {language} condition '{before}' of {element_lc} is now the Python "
    "'{after}'.",
    "script_mapped": "The {language} script of {element_lc} is now Python: '{after}'.",
    "dict_access": "{element} read data with dots ('{before}'), which works in spiff-arena but "
    "not in OrderGate, where data are dictionaries; it now reads '{after}'.",
    "timer_mapped": "The timer '{before}' of {element_lc} is now '{after}'.",
    "due_mapped": "The due date '{before}' of {element_lc} is now the due time {after} "
    "(working time).",
    # check: written into the diagram, to confirm
    "lane_renamed": "The lane '{before}' is now the department '{after}' (its name or its tasks' "
    "candidate groups say so); check it.",
    "task_placed": "{element} was in no lane; it is now in the lane of the department '{after}' "
    "(its candidate group or assignee '{before}' says so); check it.",
    "form_suggested": "{element} used the form '{before}' of its tool; the library form "
    "'{after}' is set instead; check it or pick another (OrderGate does not convert other "
    "tools' forms).",
    # owner
    "lane_unknown": "The lane '{name}' is not a department; pick the department that does its "
    "work.",
    "task_no_lane": "{element} is in no lane; pick the department that does it.",
    "form_needed": "{element} needs a form from the library{hint}; pick one (OrderGate does not "
    "convert other tools' forms).",
    "due_needed": "{element} needs a due time (an ISO 8601 duration of working time such as "
    "P1D){hint}; set one.",
    "condition_untranslated": "The condition '{before}' of {element_lc} cannot be converted "
    "({why}); write it in Python.",
    "condition_missing": "{element} leaves a gateway without a condition{label} and is not its "
    "default flow; write a condition in Python or make it the default flow.",
    "script_untranslated": "The {language} script of {element_lc} cannot be converted ({why}); "
    "rewrite it in Python.",
    "script_missing": "{element} has no script; write one in Python or make it a manual task.",
    "timer_untranslated": "The timer '{before}' of {element_lc} cannot be converted; set an ISO "
    "8601 date, duration or cycle.",
    "timer_empty": "The timer of {element_lc} is empty; set an ISO 8601 date, duration or cycle.",
    "cycle_start": "{element} starts the process again at every '{before}'; OrderGate starts "
    "each instance itself, and a repeating start timer would add a path at every cycle inside "
    "one instance that never ends: remove the timer (a plain start) or wait with a timer event "
    "after the start.",
    "implementation": "{element} runs {implementation} in its tool, which OrderGate does not "
    "run; bind it to an OrderGate connector or replace it with a script or user task.",
    "plain_task": "{element} is a plain task: nobody would be asked to do it; make it a user "
    "task (with a form) or a manual task.",
    # kept
    "other_pool": "{element} is not executable and stays as drawn; OrderGate runs '{main}'.",
    "vendor_kept": "{element}: not read by OrderGate, kept as written: {names}.",
}

_HINT = {
    "form_needed": " (its tool used the form '{before}')",
    "due_needed": " (its tool's due date '{before}' cannot be converted)",
}


def tell(key: str, node: etree._Element | None = None, **params: object) -> Reason:
    """The report sentence `key`; `node` adds its kind, id and name (`element`, `element_lc`)."""
    if node is not None:
        params.setdefault("kind", kind_of(node))
        params.setdefault("id", node.get("id") or "?")
        params.setdefault("name", node.get("name") or "")
    fields = dict(params)
    if "kind" in params:
        label = params["name"] or params["id"]
        words = kind_words(str(params["kind"]))
        fields["element"] = f"{words.capitalize()} '{label}'"
        fields["element_lc"] = f"{words} '{label}'"
    if key in _HINT:
        fields["hint"] = _HINT[key].format(**fields) if params.get("before") else ""
    if key == "condition_missing":
        fields["label"] = f" ('{params['name']}')" if params.get("name") else ""
    if key == "vendor_kept":
        fields["names"] = ", ".join(params["names"])  # type: ignore[arg-type]
    return Reason(key, MESSAGES[key].format(**fields), **params)


@dataclass(frozen=True)
class ReportItem:
    """One line of the conversion report."""

    status: str  # one of STATUSES
    element_id: str | None
    name: str  # the element's name as drawn ('' when it has none)
    kind: str  # the element's BPMN type, e.g. "userTask"
    message: Reason  # English text; .key and .params say it in another language
    field: str = ""  # what an answer sets: department, form, due, condition, script, timer,
    # connector
    value: str = ""  # what the conversion wrote (mapped / check), '' if nothing
    choices: tuple[str, ...] = ()  # what the owner may pick from, best first


@dataclass(frozen=True)
class Conversion:
    xml: bytes
    items: list[ReportItem]

    def needs_owner(self) -> list[ReportItem]:
        return [i for i in self.items if i.status == "owner"]


@dataclass(frozen=True)
class Answer:
    """The owner's pick for one element: field is department, form, due or condition."""

    element_id: str
    field: str
    value: str

"""Converting a diagram from another tool (Camunda 7 / 8, Flowable, Signavio, bpmn.io,
spiff-arena) into what OrderGate runs, with a report of every step (docs/FOREIGN_DIAGRAMS.md).

    convert(xml, departments, forms) -> Conversion(xml, items)

Pure: bytes in, bytes and report items out; nothing is read from the database. Each item is
  - "mapped":  converted with the same meaning (a JUEL condition now Python, a due date now a
               due time);
  - "check":   a suggestion written into the diagram that the owner should confirm (a lane
               renamed to the department its candidate group names, a form from the library);
  - "owner":   needs the owner (no department or form matches, a condition that cannot be
               translated, a service task's implementation); `field` and `choices` say what to
               pick, and `answer()` writes the picks;
  - "kept":    other tools' attributes and extension elements left as written and not read.
Nothing is removed: everything the conversion does not read is kept, and listed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

from .bpmn_tree import local
from .connectors import REGISTRY
from .convert_layout import draw_lanes, unique_id
from .documents import BPMN_NS, SPIFF_NS, parse_bpmn, spiff_properties
from .durations import working_problem
from .expressions import check_expression
from .foreign_expressions import (
    NotTranslated,
    dict_access,
    foreign_body,
    script_to_python,
    to_python,
    translate,
)
from .problems import Reason, kind_words
from .timers import duration_problem

__all__ = ["Answer", "Conversion", "ReportItem", "answer", "convert"]

STATUSES = ("mapped", "check", "owner", "kept")
DUE_CHOICES = ("P1D", "PT8H", "P2D", "P3D")
_OURS = {
    BPMN_NS,
    SPIFF_NS,
    "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC",
    "http://www.omg.org/spec/DD/20100524/DI",
    "http://www.w3.org/2001/XMLSchema-instance",
    "http://www.w3.org/XML/1998/namespace",
}
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
FLOWABLE_NS = "http://flowable.org/bpmn"
ACTIVITI_NS = "http://activiti.org/bpmn"
_ASSIGNING = (CAMUNDA_NS, FLOWABLE_NS, ACTIVITI_NS)  # attributes assignee / candidateGroups
_FLOW_NODES_NOT = {
    "laneSet",
    "sequenceFlow",
    "extensionElements",
    "documentation",
    "textAnnotation",
    "association",
    "group",
    "dataObject",
    "dataStoreReference",
    "property",
    "ioSpecification",
}

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
        params.setdefault("kind", _kind(node))
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


@dataclass(frozen=True)
class Department:
    key: str
    name_en: str
    name_zh: str


# Words in a vendor implementation (a Camunda 8 job type, a class, a topic, the task's name) that
# say which of OrderGate's connectors does the same: that one is offered first.
_CONNECTOR_WORDS = {
    "notify": ("mail", "notif", "message", "sms"),
    "http": ("http", "rest", "webhook"),
}


def connector_choices(said: str) -> tuple[str, ...]:
    """The registry's connectors, the one the vendor's words point to first."""
    text = said.lower()
    ranked = sorted(
        REGISTRY, key=lambda name: not any(w in text for w in _CONNECTOR_WORDS.get(name, ()))
    )
    return tuple(ranked)


def _vendor_words(task: etree._Element) -> str:
    """The task's name and what other tools' attributes and extension elements on it say."""
    said = [task.get("name") or ""]
    for node in task.iter():
        if not isinstance(node.tag, str):
            continue
        foreign = etree.QName(node).namespace not in _OURS
        said += [v for k, v in node.attrib.items() if foreign or etree.QName(k).namespace]
    return " ".join(said)


def _notify_guess(task: etree._Element, departments: Sequence[Department]) -> dict[str, str]:
    """For a task its tool says mails or notifies: the department of the lane it is in as
    `to` and its name as `text` (Python literals); {} when the words say otherwise."""
    text = _vendor_words(task).lower()
    if not any(word in text for word in _CONNECTOR_WORDS["notify"]):
        return {}
    guess = {"text": repr(task.get("name"))} if task.get("name") else {}
    for lane in task.getroottree().iter(_b("lane")):
        refs = {(r.text or "").strip() for r in lane.iterchildren(_b("flowNodeRef"))}
        wanted = (lane.get("name") or "").strip().casefold()
        for dept in departments if task.get("id") in refs else ():
            if wanted in (dept.key.casefold(), dept.name_en.casefold(), dept.name_zh.casefold()):
                guess["to"] = repr(dept.key)
    return guess


def _bind_connector(
    task: etree._Element, name: str, departments: Sequence[Department] = ()
) -> None:
    """Make the service task call the connector `name`: a spiffworkflow:serviceTaskOperator
    with its required parameters, their values left empty for the owner to write unless the
    vendor task says it notifies (then to its lane's department, with its name as the text)."""
    extensions = task.find(_b("extensionElements"))
    if extensions is None:
        extensions = etree.Element(_b("extensionElements"))
        task.insert(0, extensions)
    for old in extensions.findall(f"{{{SPIFF_NS}}}serviceTaskOperator"):
        extensions.remove(old)
    operator = etree.SubElement(extensions, f"{{{SPIFF_NS}}}serviceTaskOperator", id=name)
    parameters = etree.SubElement(operator, f"{{{SPIFF_NS}}}parameters")
    guess = _notify_guess(task, departments) if name == "notify" else {}
    for param, required in REGISTRY[name].params.items():
        if required:
            value = guess.get(param, "")
            etree.SubElement(
                parameters, f"{{{SPIFF_NS}}}parameter", id=param, type="any", value=value
            )


def _kind(node: etree._Element) -> str:
    return local(node) or etree.QName(node).localname


def _qname(node: etree._Element, tag: str) -> str:
    """A namespaced name as the file writes it (camunda:formKey)."""
    qname = etree.QName(tag)
    prefix = next((p for p, ns in (node.nsmap or {}).items() if ns == qname.namespace), None)
    return f"{prefix}:{qname.localname}" if prefix else qname.localname


def _b(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


def _tokens(text: str) -> list[str]:
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text or "")
    return [t for t in re.split(r"[^0-9a-z\u4e00-\u9fff]+", text.casefold()) if t]


_STOPWORDS = {"the", "a", "an", "of", "for", "to", "and", "form", "task"}


def _stem(token: str) -> str:
    return token[:5]


class _Converter:
    def __init__(
        self, root: etree._Element, departments: Sequence[Department], forms: Sequence[str]
    ) -> None:
        self.root = root
        self.departments = list(departments)
        self.forms = sorted(set(forms))
        self.items: list[ReportItem] = []
        # (element, qualified tag) read here; holding the element keeps its lxml proxy alive
        self.used: set[tuple[etree._Element, str]] = set()
        self.changed = False
        self.touched: set[str] = set()  # lanes that got a task
        self._ids: dict[str, etree._Element] | None = None
        self._outgoing: dict[int, Counter] = {}
        self._lanes: dict[int, dict[str, etree._Element]] = {}

    # --- reporting ---------------------------------------------------------------------------
    def add(
        self,
        status: str,
        node: etree._Element,
        reason: Reason,
        field: str = "",
        value: str = "",
        choices: Iterable[str] = (),
    ) -> None:
        self.items.append(
            ReportItem(
                status,
                node.get("id"),
                node.get("name") or "",
                _kind(node),
                reason,
                field,
                value,
                tuple(choices),
            )
        )

    def use(self, node: etree._Element, tag: str) -> None:
        self.used.add((node, tag))

    # --- departments ---------------------------------------------------------------------------
    def department(self, text: str | None) -> Department | None:
        """The department a lane name or candidate group names: exactly, by a word, or by the
        Chinese name it contains; None when none or several match."""
        if not (text or "").strip():
            return None
        wanted = text.strip().casefold()
        for d in self.departments:
            if wanted in (d.key.casefold(), d.name_en.casefold(), d.name_zh.casefold()):
                return d
        words = {_stem(t) for t in _tokens(text) if len(t) >= 2}
        found = {
            d.key: d
            for d in self.departments
            if {_stem(d.key.casefold()), _stem(d.name_en.casefold())} & words
            or (d.name_zh and d.name_zh.rstrip("部") in text)
        }
        return next(iter(found.values())) if len(found) == 1 else None

    def exact_department(self, lane_name: str | None) -> Department | None:
        wanted = (lane_name or "").strip().casefold()
        return next(
            (
                d
                for d in self.departments
                if wanted
                and wanted in (d.key.casefold(), d.name_en.casefold(), d.name_zh.casefold())
            ),
            None,
        )

    def department_choices(self) -> list[str]:
        return [d.key for d in self.departments]

    def lane_label(self, dept: Department, old: str) -> str:
        chinese = re.search(r"[\u4e00-\u9fff]", old or "")
        return dept.name_zh if chinese and dept.name_zh else dept.name_en

    def assignment(self, task: etree._Element) -> tuple[str, etree._Element | None, str]:
        """(candidate groups or assignee text, element, tag) a tool assigned the task with;
        the caller marks it used when a suggestion came of it."""
        for ns in _ASSIGNING:
            for attribute in ("candidateGroups", "assignee", "candidateUsers"):
                value = task.get(f"{{{ns}}}{attribute}")
                if value:
                    return value, task, f"{{{ns}}}{attribute}"
        definition = task.find(f"{_b('extensionElements')}/{{{ZEEBE_NS}}}assignmentDefinition")
        if definition is not None:
            for attribute in ("candidateGroups", "assignee", "candidateUsers"):
                if definition.get(attribute):
                    return definition.get(attribute), definition, definition.tag
        return "", None, ""

    # --- the steps -----------------------------------------------------------------------------
    def run(self) -> None:
        for process in self.executable():
            self.lanes(process)
            for node in list(process.iter()):
                kind = local(node)
                if kind in ("userTask", "manualTask", "task"):
                    self.human_task(process, node)
                elif kind == "scriptTask":
                    self.script(node)
                elif kind == "sequenceFlow":
                    self.condition(process, node)
                elif kind in ("timeDuration", "timeDate", "timeCycle"):
                    self.timer(node)
                elif kind == "startEvent" and node.getparent() is process:
                    self.cycle_start(node)
                if kind == "timerEventDefinition" and not len(node):
                    event = node.getparent()
                    self.add("owner", event, tell("timer_empty", event), field="timer")
                if kind in ("serviceTask", "sendTask", "receiveTask", "businessRuleTask"):
                    self.implementation(node)
        self.kept()

    def executable(self) -> list[etree._Element]:
        processes = list(self.root.iterchildren(_b("process")))
        running = [p for p in processes if p.get("isExecutable") == "true"]
        if not running and processes:

            def size(p: etree._Element) -> int:
                return sum(1 for c in p if local(c) and local(c) not in _FLOW_NODES_NOT)

            main = max(processes, key=size)
            main.set("isExecutable", "true")
            self.changed = True
            self.add("mapped", main, tell("made_executable", main), value="true")
            running = [main]
        for other in processes:
            if other not in running:
                main_id = running[0].get("id") if running else ""
                self.add("kept", other, tell("other_pool", other, main=main_id))
        return running

    def lanes(self, process: etree._Element) -> None:
        for lane in process.iter(_b("lane")):
            name = lane.get("name") or ""
            if self.exact_department(name):
                continue
            groups, sources = [], []
            for ref in lane.iterchildren(_b("flowNodeRef")):
                task = self.by_id(ref.text)
                if task is not None and local(task) in ("userTask", "manualTask"):
                    group, node, tag = self.assignment(task)
                    groups.append(group)
                    sources.append((node, tag))
            votes = {d.key: d for d in map(self.department, [name, *groups]) if d}
            if len(votes) == 1:
                dept = next(iter(votes.values()))
                for node, tag in sources:
                    if node is not None:
                        self.use(node, tag)
                label = self.lane_label(dept, name)
                lane.set("name", label)
                self.changed = True
                reason = tell("lane_renamed", lane, before=name, after=label)
                self.add(
                    "check",
                    lane,
                    reason,
                    field="department",
                    value=dept.key,
                    choices=self.department_choices(),
                )
            else:
                self.add(
                    "owner",
                    lane,
                    tell("lane_unknown", lane),
                    field="department",
                    choices=self.ranked_departments([name, *groups]),
                )

    def ranked_departments(self, texts: list[str]) -> list[str]:
        found = [d.key for d in map(self.department, texts) if d]
        return list(dict.fromkeys(found + self.department_choices()))

    def by_id(self, element_id: str | None) -> etree._Element | None:
        if self._ids is None:  # one pass over the document, not one per question
            self._ids = {}
            for node in self.root.iter():
                if local(node) and node.get("id"):
                    self._ids.setdefault(node.get("id"), node)
        return self._ids.get((element_id or "").strip())

    def outgoing(self, process: etree._Element, node_id: str | None) -> int:
        """How many sequence flows leave node_id (counted once per process)."""
        key = id(process)
        if key not in self._outgoing:
            self._outgoing[key] = Counter(
                f.get("sourceRef") for f in process.iter(_b("sequenceFlow"))
            )
        return self._outgoing[key][node_id]

    def lane_of(self, process: etree._Element, task_id: str) -> etree._Element | None:
        """The innermost lane holding task_id as the file drew it (read once per process; the
        conversion only places tasks that were in none)."""
        key = id(process)
        if key not in self._lanes:
            self._lanes[key] = {
                (ref.text or "").strip(): lane  # document order: an inner lane comes later
                for lane in process.iter(_b("lane"))
                for ref in lane.iterchildren(_b("flowNodeRef"))
            }
        return self._lanes[key].get(task_id)

    def human_task(self, process: etree._Element, task: etree._Element) -> None:
        group, node, tag = self.assignment(task)
        if self.lane_of(process, task.get("id")) is None:
            dept = self.department(group)
            if dept:
                self.use(node, tag)
                self.touched.add(place_in_lane(process, task, dept, in_a_lane=False))
                self.changed = True
                reason = tell("task_placed", task, before=group, after=dept.key)
                self.add(
                    "check",
                    task,
                    reason,
                    field="department",
                    value=dept.key,
                    choices=self.department_choices(),
                )
            else:
                self.add(
                    "owner",
                    task,
                    tell("task_no_lane", task),
                    field="department",
                    choices=self.ranked_departments([group]),
                )
        if local(task) == "task":
            self.add(
                "owner",
                task,
                tell("plain_task", task),
                field="kind",
                choices=("manualTask", "userTask"),
            )
        if local(task) == "userTask":
            self.form(task)
            self.due(task)

    def form_hint(self, task: etree._Element) -> str:
        for ns in (CAMUNDA_NS, FLOWABLE_NS, ACTIVITI_NS):
            for attribute in ("formKey", "formRef"):
                if task.get(f"{{{ns}}}{attribute}"):
                    self.use(task, f"{{{ns}}}{attribute}")
                    return task.get(f"{{{ns}}}{attribute}")
        extensions = task.find(_b("extensionElements"))
        if extensions is None:
            return ""
        zeebe = extensions.find(f"{{{ZEEBE_NS}}}formDefinition")
        if zeebe is not None:
            self.use(zeebe, zeebe.tag)
            return (
                zeebe.get("formId") or zeebe.get("formKey") or zeebe.get("externalReference") or ""
            )
        data = extensions.find(f"{{{CAMUNDA_NS}}}formData")
        if data is not None:
            self.use(data, data.tag)
            return "camunda:formData"
        props = spiff_properties(task)
        return props.get("formJsonSchemaFilename", "")

    def ranked_forms(self, texts: list[str]) -> list[tuple[float, str]]:
        """Every library form with how well its words match the best of texts (0 to 1)."""
        wanted = [
            {_stem(t) for t in _tokens(_form_words(text)) if t not in _STOPWORDS}
            for text in texts
            if text
        ]
        scored = []
        for form in self.forms:
            mine = {_stem(t) for t in _tokens(form)}
            best = max((len(w & mine) / len(w | mine) for w in wanted if w | mine), default=0.0)
            scored.append((best, form))
        return sorted(scored, key=lambda s: (-s[0], s[1]))

    def form(self, task: etree._Element) -> None:
        props = spiff_properties(task)
        hint = self.form_hint(task)
        if props.get("form"):
            return
        ranked = self.ranked_forms([hint, task.get("name") or ""])
        best = ranked[0] if ranked else (0.0, "")
        runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
        choices = [f for _score, f in ranked]
        if hint and best[0] >= 0.5 and best[0] > runner_up:
            set_property(task, "form", best[1])
            self.changed = True
            reason = tell("form_suggested", task, before=hint, after=best[1])
            self.add("check", task, reason, field="form", value=best[1], choices=choices)
        else:
            self.add(
                "owner", task, tell("form_needed", task, before=hint), field="form", choices=choices
            )

    def due_hint(self, task: etree._Element) -> str:
        for ns in (CAMUNDA_NS, FLOWABLE_NS, ACTIVITI_NS):
            if task.get(f"{{{ns}}}dueDate"):
                self.use(task, f"{{{ns}}}dueDate")
                return task.get(f"{{{ns}}}dueDate")
        schedule = task.find(f"{_b('extensionElements')}/{{{ZEEBE_NS}}}taskSchedule")
        if schedule is not None:
            self.use(schedule, schedule.tag)
            return schedule.get("dueDate") or ""
        return ""

    def due(self, task: etree._Element) -> None:
        hint = self.due_hint(task)
        if spiff_properties(task).get("due"):
            return
        duration = due_duration(hint) if hint else None
        if duration:
            set_property(task, "due", duration)
            self.changed = True
            reason = tell("due_mapped", task, before=hint, after=duration)
            self.add("mapped", task, reason, field="due", value=duration)
        else:
            self.add(
                "owner",
                task,
                tell("due_needed", task, before=hint),
                field="due",
                choices=DUE_CHOICES,
            )

    def condition(self, process: etree._Element, flow: etree._Element) -> None:
        expression = flow.find(_b("conditionExpression"))
        text = (expression.text or "").strip() if expression is not None else ""
        if not text:
            source = self.by_id(flow.get("sourceRef"))
            gateway = local(source) if source is not None else None
            if gateway in ("exclusiveGateway", "inclusiveGateway") and source.get(
                "default"
            ) != flow.get("id"):
                if self.outgoing(process, source.get("id")) > 1:
                    self.add("owner", flow, tell("condition_missing", flow), field="condition")
            return
        found = foreign_body(text)
        if found is not None:
            language = "FEEL" if found[1] else "JUEL"
            try:
                python = to_python(*found)
            except NotTranslated as why:
                reason = tell("condition_untranslated", flow, before=text, why=str(why))
                self.add("owner", flow, reason, field="condition")
                return
            expression.text = python
            _drop_language(expression)
            self.changed = True
            reason = tell("condition_mapped", flow, language=language, before=text, after=python)
            self.add("mapped", flow, reason, field="condition", value=python)
        elif check_expression(text):
            reason = tell("condition_untranslated", flow, before=text, why="not an expression")
            self.add("owner", flow, reason, field="condition")
        else:
            rewritten = dict_access(text, "eval")
            if rewritten and not check_expression(rewritten):
                expression.text = rewritten
                self.changed = True
                reason = tell("dict_access", flow, before=text, after=rewritten)
                self.add("mapped", flow, reason, field="condition", value=rewritten)

    def script(self, task: etree._Element) -> None:
        body = task.find(_b("script"))
        language = task.get("scriptFormat") or ""
        zeebe = task.find(f"{_b('extensionElements')}/{{{ZEEBE_NS}}}script")
        if zeebe is not None and (body is None or not (body.text or "").strip()):
            self.use(zeebe, zeebe.tag)
            expression, result = zeebe.get("expression") or "", zeebe.get("resultVariable") or ""
            try:
                python = f"{result} = {translate(expression)}"
                if not result.isidentifier():
                    raise NotTranslated("no result variable")
            except NotTranslated as why:
                reason = tell("script_untranslated", task, language="FEEL", why=str(why))
                self.add("owner", task, reason, field="script")
                return
            set_script(task, python)
            self.changed = True
            self.add(
                "mapped",
                task,
                tell("script_mapped", task, language="FEEL", after=python),
                field="script",
                value=python,
            )
            return
        if body is None or not (body.text or "").strip():
            self.add("owner", task, tell("script_missing", task), field="script")
            return
        if not language or "python" in language.lower():
            original = body.text
            rewritten = dict_access(original, "exec")
            if rewritten:
                body.text = rewritten
                self.changed = True
                reason = tell("dict_access", task, before=original.strip(), after=rewritten)
                self.add("mapped", task, reason, field="script", value=rewritten)
            return
        try:
            python = script_to_python(body.text)
        except NotTranslated as why:
            reason = tell("script_untranslated", task, language=language, why=str(why))
            self.add("owner", task, reason, field="script")
            return
        set_script(task, python)
        self.changed = True
        self.add(
            "mapped",
            task,
            tell("script_mapped", task, language=language, after=python),
            field="script",
            value=python,
        )

    def timer(self, node: etree._Element) -> None:
        text = (node.text or "").strip()
        event = node.getparent().getparent() if node.getparent() is not None else node
        if not text:
            self.add("owner", event, tell("timer_empty", event), field="timer")
            return
        value = timer_value(text)
        if value is None:
            if text.startswith(("=", "${", "#{")):
                reason = tell("timer_untranslated", event, before=text)
                self.add("owner", event, reason, field="timer")
            return
        if value != text:
            node.text = value
            self.changed = True
            reason = tell("timer_mapped", event, before=text, after=value)
            self.add("mapped", event, reason, field="timer", value=value)

    def cycle_start(self, event: etree._Element) -> None:
        cycle = event.find(f"{_b('timerEventDefinition')}/{_b('timeCycle')}")
        if cycle is not None and (cycle.text or "").strip():
            shown = timer_value(cycle.text) or cycle.text.strip()  # a quoted cycle unquoted
            reason = tell("cycle_start", event, before=shown)
            self.add("owner", event, reason, field="timer", choices=("none",))

    def implementation(self, task: etree._Element) -> None:
        operator = task.find(f"{_b('extensionElements')}/{{{SPIFF_NS}}}serviceTaskOperator")
        if operator is not None and operator.get("id") in REGISTRY:
            return  # bound to an OrderGate connector: validation checks its parameters
        names = []
        for tag in task.attrib:
            if etree.QName(tag).namespace not in _OURS and etree.QName(tag).localname in (
                "class",
                "delegateExpression",
                "expression",
                "type",
                "topic",
                "resultVariable",
            ):
                names.append(f'{_qname(task, tag)}="{task.get(tag)}"')
                self.use(task, tag)
        extensions = task.find(_b("extensionElements"))
        for child in extensions if extensions is not None else ():
            if not isinstance(child.tag, str):
                continue
            name, namespace = etree.QName(child).localname, etree.QName(child).namespace
            if name == "serviceTaskOperator" or (
                namespace not in _OURS and name in ("taskDefinition", "field", "connector")
            ):
                detail = child.get("type") or child.get("id") or child.get("name") or ""
                names.append(f"{_qname(child, child.tag)}" + (f" '{detail}'" if detail else ""))
                self.use(child, child.tag)
        if names:
            reason = tell("implementation", task, implementation=", ".join(names))
            if local(task) == "serviceTask":
                choices = connector_choices(" ".join(names) + " " + (task.get("name") or ""))
                self.add("owner", task, reason, field="connector", choices=choices)
            else:
                self.add("owner", task, reason, field="implementation")

    def kept(self) -> None:
        """One 'kept' item per element naming the other tools' attributes and extension
        elements the conversion did not read."""
        for node in self.root.iter():
            if not isinstance(node.tag, str) or etree.QName(node).namespace != BPMN_NS:
                continue
            names = [
                _qname(node, tag)
                for tag in node.attrib
                if etree.QName(tag).namespace not in (_OURS | {None})
                and (node, tag) not in self.used
            ]
            extensions = node.find(_b("extensionElements"))
            for child in extensions if extensions is not None else ():
                if not isinstance(child.tag, str) or etree.QName(child).namespace in _OURS:
                    continue
                if (child, child.tag) not in self.used:
                    names.append(_qname(child, child.tag))
            if names:
                names = list(dict.fromkeys(names))
                owner = node if node.get("id") else node.getparent()
                self.add(
                    "kept",
                    owner if owner is not None else node,
                    tell("vendor_kept", owner if owner is not None else node, names=names),
                )


# --- helpers that write --------------------------------------------------------------------------
def _drop_language(expression: etree._Element) -> None:
    if expression.get("language"):
        del expression.attrib["language"]


def _extensions(node: etree._Element) -> etree._Element:
    found = node.find(_b("extensionElements"))
    if found is not None:
        return found
    created = etree.Element(_b("extensionElements"))
    docs = [c for c in node if local(c) == "documentation"]
    node.insert(node.index(docs[-1]) + 1 if docs else 0, created)
    return created


def set_property(node: etree._Element, name: str, value: str) -> None:
    """Set (or replace) the spiffworkflow property `name` of node."""
    extensions = _extensions(node)
    props = extensions.find(f"{{{SPIFF_NS}}}properties")
    if props is None:
        props = etree.SubElement(
            extensions, f"{{{SPIFF_NS}}}properties", nsmap={"spiffworkflow": SPIFF_NS}
        )
    for prop in props.iterchildren(f"{{{SPIFF_NS}}}property"):
        if prop.get("name") == name:
            prop.set("value", value)
            return
    etree.SubElement(props, f"{{{SPIFF_NS}}}property", name=name, value=value)


def set_script(task: etree._Element, python: str) -> None:
    body = task.find(_b("script"))
    if body is None:
        body = etree.SubElement(task, _b("script"))
    body.text = python
    task.set("scriptFormat", "python")


def _process_children_index(process: etree._Element) -> int:
    """Where a new laneSet goes: after documentation, extensionElements and laneSets."""
    before = ("documentation", "extensionElements", "auditing", "monitoring", "property", "laneSet")
    index = 0
    for i, child in enumerate(process):
        if local(child) in before:
            index = i + 1
    return index


def place_in_lane(
    process: etree._Element, task: etree._Element, dept: Department, in_a_lane: bool = True
) -> str:
    """Put task into the lane of dept (made if missing, in a lane set made if missing); the
    lane's id. in_a_lane=False: the caller knows the task is in no lane yet."""
    task_id = task.get("id")
    for lane in process.iter(_b("lane")) if in_a_lane else ():  # out of the lane it was in
        for ref in list(lane.iterchildren(_b("flowNodeRef"))):
            if (ref.text or "").strip() == task_id:
                lane.remove(ref)
    target = None
    for lane in process.iter(_b("lane")):
        name = (lane.get("name") or "").strip().casefold()
        if name in (dept.key.casefold(), dept.name_en.casefold(), dept.name_zh.casefold()):
            target = lane
            break
    if target is None:
        lane_set = process.find(_b("laneSet"))
        if lane_set is None:
            lane_set = etree.Element(_b("laneSet"), id=unique_id(process, "LaneSet"))
            process.insert(_process_children_index(process), lane_set)
        target = etree.SubElement(
            lane_set, _b("lane"), id=unique_id(process, f"Lane_{dept.key}"), name=dept.name_en
        )
    ref = etree.SubElement(target, _b("flowNodeRef"))
    ref.text = task_id
    return target.get("id")


def _form_words(text: str) -> str:
    text = re.sub(r"^(embedded:|camunda-forms:|deployment:|app:)+", "", (text or "").strip())
    text = text.rsplit("/", 1)[-1]
    text = re.sub(r"\.(html|form|jsf|json|xhtml)$", "", text)
    return re.sub(r"[-_]?(ui)?schema$", "", text)


_ISO = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")
_PLUS = re.compile(r"\.plus(Years|Months|Weeks|Days|Hours|Minutes|Seconds)\((\d+)\)")
_JUEL_DUE = re.compile(r"^\$\{\s*dateTime\(\)((?:\.plus\w+\(\d+\))+)\.toDate\(\)\s*\}$")
_FEEL_DUE = re.compile(r"""^=\s*(?:now|today)\(\)\s*\+\s*duration\(\s*"([^"]+)"\s*\)\s*$""")


def _valid_due(text: str) -> str | None:
    return (
        text
        if _ISO.match(text) and not duration_problem(text) and not working_problem(text)
        else None
    )


def due_duration(text: str) -> str | None:
    """An ISO 8601 duration for another tool's due date relative to now, else None."""
    text = (text or "").strip()
    if _ISO.match(text):
        return _valid_due(text)
    feel = _FEEL_DUE.match(text)
    if feel:
        return _valid_due(feel.group(1))
    juel = _JUEL_DUE.match(text)
    if not juel:
        return None
    units = {u: 0 for u in ("Years", "Months", "Weeks", "Days", "Hours", "Minutes", "Seconds")}
    for unit, number in _PLUS.findall(juel.group(1)):
        units[unit] += int(number)
    date = "".join(f"{units[u]}{u[0]}" for u in ("Years", "Months", "Weeks", "Days") if units[u])
    time = "".join(f"{units[u]}{u[0]}" for u in ("Hours", "Minutes", "Seconds") if units[u])
    return _valid_due("P" + date + (f"T{time}" if time else "")) if date or time else None


_TIMER_CALL = re.compile(
    r"""^=\s*(?:duration|date and time|date|cycle)?\s*\(?\s*"([^"]+)"\s*\)?\s*$"""
)


def timer_value(text: str) -> str | None:
    """The plain ISO 8601 value of a timer written as a FEEL call or a quoted string; the text
    itself when it is already plain; None when it cannot be read."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    cycle = re.match(r"""^=\s*cycle\(\s*duration\(\s*"([^"]+)"\s*\)\s*\)$""", text)
    if cycle:
        return f"R/{cycle.group(1)}"
    call = _TIMER_CALL.match(text)
    if call:
        return call.group(1)
    if text.startswith(("=", "${", "#{")):
        return None
    return text


# --- the API -------------------------------------------------------------------------------------
def _departments(departments: Iterable[Department | tuple[str, str, str]]) -> list[Department]:
    return [d if isinstance(d, Department) else Department(*d) for d in departments]


def _is_utf8(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    head = text[:200].lower()
    return "encoding=" not in head.split("?>")[0] or "utf-8" in head.split("?>")[0]


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def convert(
    xml: bytes,
    departments: Iterable[Department | tuple[str, str, str]],
    forms: Iterable[str],
) -> Conversion:
    """Convert another tool's diagram; raises DocumentRejected when it is not BPMN at all.

    departments: (key, English name, Chinese name) of OrderGate's departments; forms: the
    names of the library's forms. The bytes are unchanged when nothing was converted."""
    root = parse_bpmn(xml)
    converter = _Converter(root, _departments(departments), list(forms))
    converter.run()
    if converter.changed:
        draw_lanes(root, converter.touched)
    unchanged = not converter.changed and _is_utf8(xml)
    return Conversion(xml if unchanged else _serialize(root), converter.items)


def answer(
    xml: bytes,
    answers: Iterable[Answer],
    departments: Iterable[Department | tuple[str, str, str]],
) -> bytes:
    """Write the owner's picks (department of a lane or task, form, due time, condition in
    Python, a task's kind, a service task's connector, "none" for a start event's repeating
    timer) into the diagram; ids
    that are not found are ignored."""
    root = parse_bpmn(xml)
    by_key = {d.key: d for d in _departments(departments)}
    touched: set[str] = set()
    for given in answers:
        node = next((n for n in root.iter() if local(n) and n.get("id") == given.element_id), None)
        if node is None:
            continue
        kind = local(node)
        if given.field == "department" and given.value in by_key:
            dept = by_key[given.value]
            if kind == "lane":
                node.set("name", dept.name_en)
            else:
                process = next(p for p in node.iterancestors(_b("process")))
                touched.add(place_in_lane(process, node, dept))
        elif given.field in ("form", "due"):
            set_property(node, given.field, given.value)
        elif given.field == "condition" and kind == "sequenceFlow":
            expression = node.find(_b("conditionExpression"))
            if expression is None:
                expression = etree.SubElement(node, _b("conditionExpression"))
                prefix = next((p for p, ns in node.nsmap.items() if ns == BPMN_NS and p), "")
                expression.set(
                    "{http://www.w3.org/2001/XMLSchema-instance}type",
                    f"{prefix}:tFormalExpression" if prefix else "tFormalExpression",
                )
            expression.text = given.value
            _drop_language(expression)
        elif given.field == "timer" and given.value == "none" and kind == "startEvent":
            for definition in node.findall(_b("timerEventDefinition")):
                node.remove(definition)
        elif given.field == "connector" and given.value in REGISTRY and kind == "serviceTask":
            _bind_connector(node, given.value, list(by_key.values()))
        elif given.field == "kind" and given.value in ("manualTask", "userTask"):
            node.tag = _b(given.value)
    draw_lanes(root, touched)
    return _serialize(root)

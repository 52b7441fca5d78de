"""Write the foreign-diagram corpus: every scenario (scenarios.py) the way six tools export it.

    .venv/bin/python -m tests.bpmn_corpus.generate

Each style follows what its tool writes (namespaces, id patterns, extension elements, expression
language, executable flag, DI), from reading their documentation and exports; nothing is copied
from a tool or a public test suite. The files are committed; rerunning writes the same bytes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from tests.bpmn_corpus.scenarios import LANE_NAMES, SCENARIOS, Node, Scenario

HERE = Path(__file__).parent
STYLES = ("camunda7", "camunda8", "signavio", "bpmnio", "spiff", "vendor")

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DI_NS = (
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
    'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)

TAGS = {
    "start": "startEvent", "start_msg": "startEvent", "start_timer": "startEvent",
    "user": "userTask", "manual": "manualTask", "task": "task", "script": "scriptTask",
    "service": "serviceTask", "send": "sendTask", "receive": "receiveTask",
    "xor": "exclusiveGateway", "and": "parallelGateway", "or": "inclusiveGateway",
    "end": "endEvent", "end_error": "endEvent", "end_terminate": "endEvent",
    "end_msg": "endEvent", "catch_msg": "intermediateCatchEvent",
    "catch_timer": "intermediateCatchEvent", "throw_msg": "intermediateThrowEvent",
    "b_timer": "boundaryEvent", "b_error": "boundaryEvent", "b_msg": "boundaryEvent",
}  # fmt: skip
PREFIX = {"Task": "Activity", "Gateway": "Gateway", "Event": "Event"}


def _family(kind: str) -> str:
    tag = TAGS[kind]
    if tag.endswith("Gateway"):
        return "Gateway"
    return "Event" if tag.endswith("Event") else "Task"


def _size(kind: str) -> tuple[int, int]:
    return {"Task": (100, 80), "Gateway": (50, 50), "Event": (36, 36)}[_family(kind)]


def _hash(*parts: str, length: int = 7) -> str:
    digest = hashlib.sha1("/".join(parts).encode()).hexdigest()
    return str(int(digest, 16) % 36**length).rjust(length, "0")[:length]


def _num(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


class Style:
    """How one tool writes a diagram. Subclasses change ids, extensions and expressions."""

    name = ""
    prefix = "bpmn:"
    namespaces = ""
    definitions_attrs = ""
    executable = "true"
    with_pool = True
    with_lanes = True

    def __init__(self, scenario: Scenario, index: int) -> None:
        self.s = scenario
        self.index = index
        self.zh = index % 4 == 1  # every fourth diagram is drawn in Chinese
        self.ids: dict[str, str] = {}
        for node in scenario.nodes:
            self.id(node.id, _family(node.kind))

    # --- ids and names ---------------------------------------------------------------------------
    def make_id(self, local: str, family: str) -> str:
        return f"{PREFIX.get(family, family)}_{_hash(self.name, self.s.key, local)}"

    def id(self, local: str, family: str = "") -> str:
        if local not in self.ids:
            self.ids[local] = self.make_id(local, family)
        return self.ids[local]

    def node_name(self, node: Node) -> str:
        return node.name_zh if self.zh and node.name_zh else node.name

    def lane_name(self, key: str) -> str:
        en, zh, _group = LANE_NAMES[key]
        return zh if self.zh else en

    def process_id(self) -> str:
        return f"{self.s.key}_{_hash(self.name, self.s.key, 'process', length=4)}"

    def t(self, tag: str) -> str:
        return f"{self.prefix}{tag}"

    # --- what each tool adds -------------------------------------------------------------------
    def node_attrs(self, node: Node) -> str:
        return ""

    def extensions(self, node: Node) -> str:
        return ""

    def process_extensions(self) -> str:
        return ""

    def condition(self, cond: tuple) -> str | None:
        """The text of a condition expression, or None to leave the flow without one."""
        return None

    def script(self, node: Node) -> tuple[str, str] | None:
        """(scriptFormat, script text) of a script task, or None for none."""
        return None

    def timer_text(self, node: Node) -> str:
        return node.timer

    def flow_extensions(self, flow_id: str) -> str:
        return ""

    def message_extensions(self, name: str) -> str:
        return ""

    def artifacts(self) -> str:
        return ""

    # --- writing -------------------------------------------------------------------------------
    def el(self, tag: str, attrs: str, body: str = "") -> str:
        if body:
            return f"<{self.t(tag)} {attrs}>{body}</{self.t(tag)}>"
        return f"<{self.t(tag)} {attrs} />"

    def ext_block(self, inner: str) -> str:
        return (
            f"<{self.t('extensionElements')}>{inner}</{self.t('extensionElements')}>"
            if inner
            else ""
        )

    def event_definition(self, node: Node) -> str:
        kind = node.kind
        did = self.id(node.id + "_def", "EventDefinition")
        if kind in ("start_timer", "catch_timer", "b_timer"):
            text = self.timer_text(node)
            which = "timeCycle" if node.timer.startswith("R") else "timeDuration"
            if node.timer[:1].isdigit() and "T" in node.timer and "-" in node.timer:
                which = "timeDate"
            inner = (
                f'<{self.t(which)} xsi:type="{self.prefix}tFormalExpression">{escape(text)}'
                f"</{self.t(which)}>"
                if text
                else ""
            )
            return self.el("timerEventDefinition", f'id="{did}"', inner)
        if kind in ("start_msg", "catch_msg", "throw_msg", "end_msg", "b_msg"):
            ref = self.id("msg_" + node.message, "Message")
            return self.el("messageEventDefinition", f'id="{did}" messageRef="{ref}"')
        if kind in ("end_error", "b_error"):
            ref = self.id("err_" + node.error, "Error")
            return self.el("errorEventDefinition", f'id="{did}" errorRef="{ref}"')
        if kind == "end_terminate":
            return self.el("terminateEventDefinition", f'id="{did}"')
        return ""

    def node_xml(self, node: Node, incoming: list[str], outgoing: list[str],
                 default: str | None) -> str:  # fmt: skip
        tag = TAGS[node.kind]
        attrs = f'id="{self.id(node.id, _family(node.kind))}"'
        name = self.node_name(node)
        if name:
            attrs += f" name={quoteattr(name)}"
        if node.kind.startswith("b_"):
            attrs += f' attachedToRef="{self.id(node.attached, "Task")}"'
            if not node.interrupting:
                attrs += ' cancelActivity="false"'
        if default:
            attrs += f' default="{self.id(default, "Flow")}"'
        if node.kind == "send":
            attrs += f' messageRef="{self.id("msg_" + node.message, "Message")}"'
        script = self.script(node) if node.kind == "script" else None
        if script and script[0]:
            attrs += f' scriptFormat="{script[0]}"'
        attrs += self.node_attrs(node)
        body = self.ext_block(self.extensions(node))
        body += "".join(f"<{self.t('incoming')}>{i}</{self.t('incoming')}>" for i in incoming)
        body += "".join(f"<{self.t('outgoing')}>{o}</{self.t('outgoing')}>" for o in outgoing)
        body += self.event_definition(node)
        if script and script[1]:
            body += f"<{self.t('script')}>{escape(script[1])}</{self.t('script')}>"
        return self.el(tag, attrs, body)

    def flows(self) -> list[tuple[str, object]]:
        return [(self.id(f"flow_{f.source}_{f.target}", "Flow"), f) for f in self.s.flows]

    def process_xml(self) -> str:
        flows = self.flows()
        parts = []
        if self.with_lanes:
            lanes = []
            for key in self.s.lanes:
                refs = "".join(
                    f"<{self.t('flowNodeRef')}>{self.id(n.id, _family(n.kind))}"
                    f"</{self.t('flowNodeRef')}>"
                    for n in self.s.nodes
                    if n.lane == key
                )
                lanes.append(
                    self.el("lane", f'id="{self.id("lane_" + key, "Lane")}" '
                            f"name={quoteattr(self.lane_name(key))}", refs)
                )  # fmt: skip
            parts.append(
                self.el("laneSet", f'id="{self.id("laneset", "LaneSet")}"', "".join(lanes))
            )
        for node in self.s.nodes:
            incoming = [fid for fid, f in flows if f.target == node.id]
            outgoing = [fid for fid, f in flows if f.source == node.id]
            default = next(
                (f.target for _fid, f in flows if f.source == node.id and f.default), None
            )
            default_id = f"flow_{node.id}_{default}" if default else None
            parts.append(self.node_xml(node, incoming, outgoing, default_id))
        for fid, f in flows:
            attrs = f'id="{fid}" sourceRef="{self.id(f.source)}" targetRef="{self.id(f.target)}"'
            if f.label:
                attrs += f" name={quoteattr(f.label)}"
            body = self.ext_block(self.flow_extensions(fid))
            text = self.condition(f.cond) if f.cond is not None else None
            if text is not None:
                body += (
                    f'<{self.t("conditionExpression")} xsi:type="{self.prefix}tFormalExpression">'
                    f"{escape(text)}</{self.t('conditionExpression')}>"
                )
            parts.append(self.el("sequenceFlow", attrs, body))
        parts.append(self.artifacts())
        name = self.s.name_zh if self.zh else self.s.name
        attrs = (
            f'id="{self.process_id()}" name={quoteattr(name)} isExecutable="{self.executable}"'
            + self.process_attrs()
        )
        return self.el("process", attrs, self.ext_block(self.process_extensions()) + "".join(parts))

    def process_attrs(self) -> str:
        return ""

    def root_elements(self) -> str:
        out = []
        messages = sorted({n.message for n in self.s.nodes if n.message})
        for m in messages:
            mid = self.id("msg_" + m, "Message")
            out.append(
                self.el(
                    "message", f'id="{mid}" name="{m}"', self.ext_block(self.message_extensions(m))
                )
            )
        for code in sorted({n.error for n in self.s.nodes if n.error}):
            eid = self.id("err_" + code, "Error")
            out.append(
                self.el(
                    "error",
                    f'id="{eid}" name="{code.replace("_", " ").title()}" errorCode="{code}"',
                )
            )
        return "".join(out)

    def collaboration(self) -> str:
        if not self.with_pool:
            return ""
        name = self.s.name_zh if self.zh else self.s.name
        parts = [self.el("participant", f'id="{self.id("pool", "Participant")}" '
                         f'name={quoteattr(name)} processRef="{self.process_id()}"')]  # fmt: skip
        if self.s.partner:
            parts.append(self.el("participant", f'id="{self.id("partner", "Participant")}" '
                                 f"name={quoteattr(self.s.partner)}"))  # fmt: skip
            for node in self.s.nodes:
                if not node.message:
                    continue
                out = node.kind in ("send", "throw_msg", "end_msg")
                ends = (node.id, "partner") if out else ("partner", node.id)
                parts.append(
                    self.el("messageFlow", f'id="{self.id("mf_" + node.id, "Flow")}" '
                            f'sourceRef="{self.id(ends[0])}" targetRef="{self.id(ends[1])}"')
                )  # fmt: skip
        return self.el(
            "collaboration", f'id="{self.id("collab", "Collaboration")}"', "".join(parts)
        )

    # --- layout ----------------------------------------------------------------------------------
    def layout(self) -> dict[str, tuple[int, int, int, int]]:
        boxes: dict[str, tuple[int, int, int, int]] = {}
        lanes = self.s.lanes if self.with_lanes else [""]
        col = 0
        for node in self.s.nodes:
            if node.kind.startswith("b_"):
                continue
            row = lanes.index(node.lane) if node.lane in lanes else 0
            w, h = _size(node.kind)
            cx, cy = 230 + col * 150, 140 + row * 180
            boxes[node.id] = (cx - w // 2, cy - h // 2, w, h)
            col += 1
        for node in self.s.nodes:
            if node.kind.startswith("b_"):
                x, y, w, h = boxes[node.attached]
                boxes[node.id] = (x + w - 38, y + h - 18, 36, 36)
        return boxes

    def di(self) -> str:
        boxes = self.layout()
        shapes = []
        lanes = self.s.lanes if self.with_lanes else [""]
        width = 200 + 150 * len(boxes)
        plane_ref = self.id("collab", "Collaboration") if self.with_pool else self.process_id()
        if self.with_pool:
            shapes.append(self.shape("pool", self.id("pool"), (120, 50, width, 180 * len(lanes)),
                                     ' isHorizontal="true"'))  # fmt: skip
            if self.s.partner:
                shapes.append(self.shape("partner", self.id("partner"),
                                         (120, 80 + 180 * len(lanes), width, 60),
                                         ' isHorizontal="true"'))  # fmt: skip
        if self.with_lanes:
            for i, key in enumerate(lanes):
                lane = self.id("lane_" + key)
                shapes.append(self.shape("lane_" + key, lane, (150, 50 + 180 * i, width - 30, 180),
                                         ' isHorizontal="true"'))  # fmt: skip
        for node in self.s.nodes:
            extra = ' isMarkerVisible="true"' if TAGS[node.kind] == "exclusiveGateway" else ""
            shapes.append(self.shape(node.id, self.id(node.id), boxes[node.id], extra))
        for fid, f in self.flows():
            sx, sy, sw, sh = boxes[f.source]
            tx, ty, tw, th = boxes[f.target]
            if f.source in {n.id for n in self.s.nodes if n.kind.startswith("b_")}:
                a = (sx + sw // 2, sy + sh)
                points = [a, (a[0], ty + th // 2 + 60), (tx, ty + th // 2 + 60), (tx, ty + th // 2)]
            else:
                a, b = (sx + sw, sy + sh // 2), (tx, ty + th // 2)
                mid = (a[0] + b[0]) // 2
                points = [a, b] if a[1] == b[1] else [a, (mid, a[1]), (mid, b[1]), b]
            waypoints = "".join(f'<di:waypoint x="{x}" y="{y}" />' for x, y in points)
            shapes.append(
                f'<bpmndi:BPMNEdge id="{fid}_di" bpmnElement="{fid}">{waypoints}</bpmndi:BPMNEdge>'
            )
        return (
            '<bpmndi:BPMNDiagram id="BPMNDiagram_1">'
            f'<bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="{plane_ref}">{"".join(shapes)}'
            "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>"
        )

    def shape(
        self, local: str, element: str, box: tuple[int, int, int, int], extra: str = ""
    ) -> str:
        x, y, w, h = box
        return (
            f'<bpmndi:BPMNShape id="{element}_di" bpmnElement="{element}"{extra}>'
            f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}" /></bpmndi:BPMNShape>'
        )

    def document(self) -> str:
        body = self.root_elements() + self.collaboration() + self.process_xml() + self.di()
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<{self.t('definitions')} {self.namespaces} {DI_NS} "
            f'id="{self.definitions_id()}" targetNamespace="http://bpmn.io/schema/bpmn"'
            f"{self.definitions_attrs}>{body}</{self.t('definitions')}>\n"
        )

    def definitions_id(self) -> str:
        return f"Definitions_{_hash(self.name, self.s.key, 'defs')}"


# --- expression languages ------------------------------------------------------------------------
def python(cond: tuple) -> str:
    op = cond[0]
    if op == "cmp":
        _, var, rel, lit = cond
        return f"{var} {rel} {lit!r}"
    if op == "var":
        return cond[1]
    if op == "not":
        return f"not {python(cond[1])}"
    if op == "raw":
        return cond[1]
    if op == "arith":
        return f"{cond[1]} {cond[2]} {cond[3]!r}"
    inner = f" {op} ".join(
        f"({python(c)})" if c[0] in ("and", "or") else python(c) for c in cond[1:]
    )
    return inner


def juel(cond: tuple, words: bool = False) -> str:
    """A JUEL body (without ${ }); words=True writes gt/eq/and like some Camunda users do."""
    op = cond[0]
    if op == "cmp":
        _, var, rel, lit = cond
        if words:
            rel = {">": "gt", ">=": "ge", "<": "lt", "<=": "le", "==": "eq", "!=": "ne"}[rel]
        text = f"'{lit}'" if isinstance(lit, str) else _num(lit)
        return f"{var} {rel} {text}"
    if op == "var":
        return cond[1]
    if op == "not":
        inner = juel(cond[1], words)
        return f"not {inner}" if words else f"!{inner}"
    if op == "raw":
        return cond[1]
    if op == "arith":
        return f"{cond[1]} {cond[2]} {_num(cond[3])}"
    joiner = f" {op} " if words else (" && " if op == "and" else " || ")
    return joiner.join(
        f"({juel(c, words)})" if c[0] in ("and", "or") else juel(c, words) for c in cond[1:]
    )


def feel(cond: tuple) -> str:
    """A FEEL body (without the leading =)."""
    op = cond[0]
    if op == "cmp":
        _, var, rel, lit = cond
        rel = {"==": "=", "!=": "!="}.get(rel, rel)
        text = f'"{lit}"' if isinstance(lit, str) else _num(lit)
        return f"{var} {rel} {text}"
    if op == "var":
        return f"{cond[1]} = true"
    if op == "not":
        return f"not({feel(cond[1])})"
    if op == "raw":
        return cond[1]
    if op == "arith":
        return f"{cond[1]} {cond[2]} {_num(cond[3])}"
    return f" {op} ".join(f"({feel(c)})" if c[0] in ("and", "or") else feel(c) for c in cond[1:])


def prose(cond: tuple) -> str:
    """How a business analyst writes a condition in words."""
    op = cond[0]
    if op == "cmp":
        _, var, rel, lit = cond
        words = {">": "greater than", ">=": "at least", "<": "less than", "<=": "at most",
                 "==": "is", "!=": "is not"}[rel]  # fmt: skip
        return f"{var.replace('_', ' ').capitalize()} {words} {lit}"
    if op == "var":
        return f"{cond[1].replace('_', ' ').capitalize()}"
    if op == "not":
        return f"Not {prose(cond[1]).lower()}"
    if op == "raw":
        return cond[1]
    return f" {op} ".join(prose(c) for c in cond[1:])


def _value(value: object, lang: str) -> str:
    if isinstance(value, tuple):
        return {"python": python, "juel": juel, "feel": feel}[lang](value)
    if lang == "python":
        return repr(value)
    if isinstance(value, str):
        return f'"{value}"'
    return _num(value)


# --- the six tools -------------------------------------------------------------------------------
class Camunda7(Style):
    name = "camunda7"
    namespaces = (
        f'xmlns:bpmn="{BPMN}" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
        'xmlns:modeler="http://camunda.org/schema/modeler/1.0"'
    )
    definitions_attrs = (
        ' exporter="Camunda Modeler" exporterVersion="5.19.0" '
        'modeler:executionPlatform="Camunda Platform" modeler:executionPlatformVersion="7.20.0"'
    )

    def process_attrs(self) -> str:
        return ' camunda:historyTimeToLive="180"'

    def node_attrs(self, node: Node) -> str:
        if node.kind == "user":
            group = LANE_NAMES[node.lane][2]
            forms = (
                f"embedded:app:forms/{node.form}.html",
                f"camunda-forms:deployment:{node.form}.form",
                f"app:{node.form}.jsf",
            )
            attrs = f' camunda:formKey="{forms[self.index % 3]}"'
            if node.assignee:
                attrs += f" camunda:assignee={quoteattr(node.assignee)}"
            else:
                attrs += f' camunda:candidateGroups="{group}"'
            if node.due:
                attrs += f' camunda:dueDate="{self.due(node.due)}"'
            return attrs
        if node.kind == "service":
            return f' camunda:delegateExpression="${{{node.id}Delegate}}"'
        if node.kind == "send":
            return f' camunda:class="com.example.{self.s.key}.SendMessage"'
        if node.kind == "script" and self.index % 2:
            return ' camunda:resultVariable="scriptResult"'
        return ""

    def due(self, duration: str) -> str:
        number = int("".join(c for c in duration if c.isdigit()))
        unit = "Hours" if "T" in duration else "Days"
        if self.index == 3:
            return "2026-12-31T17:00:00"  # a fixed date: nothing to convert
        return f"${{dateTime().plus{unit}({number}).toDate()}}"

    def extensions(self, node: Node) -> str:
        if node.kind == "user" and self.index % 3 == 0:
            return (
                '<camunda:taskListener class="com.example.NotifyAssignee" event="create" />'
                '<camunda:inputOutput><camunda:inputParameter name="orderId">${orderId}'
                "</camunda:inputParameter></camunda:inputOutput>"
            )
        if node.kind == "start" and self.index % 2 == 0:
            return (
                '<camunda:formData><camunda:formField id="amount" label="Amount" type="long" />'
                "</camunda:formData>"
            )
        return ""

    def condition(self, cond: tuple) -> str | None:
        if self.index == 7 and cond[0] == "cmp":
            return f'${{execution.getVariable("{cond[1]}") {cond[2]} {_num(cond[3])}}}'
        return "${" + juel(cond, words=self.index % 3 == 2) + "}"

    def script(self, node: Node) -> tuple[str, str] | None:
        lines = [f'execution.setVariable("{var}", {_value(v, "juel")})' for var, v in node.script]
        return ("groovy" if self.index % 2 == 0 else "javascript", "\n".join(lines))


class Camunda8(Style):
    name = "camunda8"
    namespaces = (
        f'xmlns:bpmn="{BPMN}" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
        'xmlns:modeler="http://camunda.org/schema/modeler/1.0"'
    )
    definitions_attrs = (
        ' exporter="Camunda Modeler" exporterVersion="5.24.0" '
        'modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.5.0"'
    )

    def __init__(self, scenario: Scenario, index: int) -> None:
        super().__init__(scenario, index)
        self.with_lanes = index % 3 != 0  # Camunda 8 users often draw no lanes
        self.with_pool = self.with_lanes

    def extensions(self, node: Node) -> str:
        if node.kind == "user":
            group = LANE_NAMES[node.lane][2]
            out = "<zeebe:userTask />" if self.index % 2 else ""
            out += f'<zeebe:formDefinition formId="{node.form}" />'
            if node.assignee and not node.assignee.startswith("$"):
                out += f'<zeebe:assignmentDefinition assignee="{node.assignee}" />'
            else:
                out += f'<zeebe:assignmentDefinition candidateGroups="{group}" />'
            if node.due:
                out += f'<zeebe:taskSchedule dueDate="=now() + duration(&quot;{node.due}&quot;)" />'
            return out
        if node.kind in ("service", "send"):
            return f'<zeebe:taskDefinition type="{node.id.replace("_", "-")}" retries="3" />'
        if node.kind == "script":
            var, value = node.script[0]
            text = _value(value, "feel")
            return f'<zeebe:script expression={quoteattr("=" + text)} resultVariable="{var}" />'
        if node.kind == "end_msg":
            return '<zeebe:taskDefinition type="publish-message" />'
        return ""

    def message_extensions(self, name: str) -> str:
        return '<zeebe:subscription correlationKey="=orderId" />'

    def condition(self, cond: tuple) -> str | None:
        return "=" + feel(cond)

    def timer_text(self, node: Node) -> str:
        if self.index % 2 and not node.timer.startswith("R"):
            return f'=duration("{node.timer}")'
        return node.timer


class Signavio(Style):
    name = "signavio"
    prefix = ""
    namespaces = f'xmlns="{BPMN}" xmlns:signavio="http://www.signavio.com"'
    definitions_attrs = (
        ' exporter="Signavio Process Editor, http://www.signavio.com" exporterVersion="17.14.2"'
        ' expressionLanguage="http://www.w3.org/TR/XPath" typeLanguage="http://www.w3.org/2001/XMLSchema"'
    )
    executable = "false"

    def make_id(self, local: str, family: str) -> str:
        h = hashlib.sha1(f"{self.s.key}/{local}".encode()).hexdigest().upper()
        return f"sid-{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"

    def process_attrs(self) -> str:
        return ' processType="None" isClosed="false"'

    def extensions(self, node: Node) -> str:
        color = "#ffffcc" if _family(node.kind) == "Task" else "#ffffff"
        out = f'<signavio:signavioMetaData metaKey="bgcolor" metaValue="{color}" />'
        if node.kind in ("user", "manual", "task") and node.form:
            out += '<signavio:signavioMetaData metaKey="risks" metaValue="" />'
            out += (
                '<signavio:signavioMetaData metaKey="externaldocuments" '
                f'metaValue="{node.form}.docx" />'
            )
        return out

    def node_xml(self, node: Node, incoming, outgoing, default) -> str:  # noqa: ANN001
        if node.kind == "script":  # analysts draw automatic steps as plain tasks
            node = Node(**{**node.__dict__, "kind": "task"})
        return super().node_xml(node, incoming, outgoing, default)

    def flow_extensions(self, flow_id: str) -> str:
        return '<signavio:signavioMetaData metaKey="bordercolor" metaValue="#000000" />'

    def condition(self, cond: tuple) -> str | None:
        return prose(cond) if self.index % 2 else None

    def timer_text(self, node: Node) -> str:
        return "" if self.index % 3 == 0 else node.timer


class BpmnIo(Style):
    name = "bpmnio"
    namespaces = f'xmlns:bpmn="{BPMN}"'
    definitions_attrs = ' exporter="bpmn-js (https://demo.bpmn.io)" exporterVersion="17.7.1"'

    def __init__(self, scenario: Scenario, index: int) -> None:
        super().__init__(scenario, index)
        self.executable = "false" if index % 2 else "true"
        self.with_pool = index % 3 != 2
        self.with_lanes = self.with_pool

    def node_xml(self, node: Node, incoming, outgoing, default) -> str:  # noqa: ANN001
        if node.kind in ("script", "service") and self.index % 2 == 0:
            node = Node(**{**node.__dict__, "kind": "task"})
        if node.kind == "user" and self.index % 3 == 1:
            node = Node(**{**node.__dict__, "kind": "task"})
        return super().node_xml(node, incoming, outgoing, default)

    def artifacts(self) -> str:
        first = next(n for n in self.s.nodes if n.kind == "user")
        note = self.id("note", "TextAnnotation")
        return (
            f'<bpmn:dataObjectReference id="{self.id("docref", "DataObjectReference")}" '
            f'name="Request" dataObjectRef="{self.id("doc", "DataObject")}" />'
            f'<bpmn:dataObject id="{self.id("doc", "DataObject")}" />'
            f'<bpmn:textAnnotation id="{note}"><bpmn:text>Checked against the policy</bpmn:text>'
            "</bpmn:textAnnotation>"
            f'<bpmn:association id="{self.id("assoc", "Association")}" '
            f'sourceRef="{self.id(first.id)}" targetRef="{note}" />'
        )

    def layout(self) -> dict:
        boxes = super().layout()
        boxes["docref"] = (200, 300 + 180 * len(self.s.lanes), 36, 50)
        boxes["note"] = (400, 300 + 180 * len(self.s.lanes), 160, 40)
        return boxes

    def di(self) -> str:
        text = super().di()
        boxes = self.layout()
        extra = self.shape("docref", self.id("docref"), boxes["docref"])
        extra += self.shape("note", self.id("note"), boxes["note"])
        return text.replace("</bpmndi:BPMNPlane>", extra + "</bpmndi:BPMNPlane>")


class Spiff(Style):
    name = "spiff"
    namespaces = (
        f'xmlns:bpmn="{BPMN}" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
    )

    def __init__(self, scenario: Scenario, index: int) -> None:
        super().__init__(scenario, index)
        self.with_pool = index % 2 == 0
        self.with_lanes = index % 4 != 3

    def lane_name(self, key: str) -> str:
        en, zh, group = LANE_NAMES[key]
        return zh if self.zh else (f"{en} Team" if self.index % 3 == 0 else en)

    def extensions(self, node: Node) -> str:
        if node.kind == "user":
            out = (
                "<spiffworkflow:properties>"
                '<spiffworkflow:property name="formJsonSchemaFilename" '
                f'value="{node.form}-schema.json" />'
                '<spiffworkflow:property name="formUiSchemaFilename" '
                f'value="{node.form}-uischema.json" />'
                "</spiffworkflow:properties>"
                "<spiffworkflow:instructionsForEndUser>Please check {{ amount }} before you "
                "decide.</spiffworkflow:instructionsForEndUser>"
            )
            if self.index % 2:
                out += "<spiffworkflow:preScript>show_amount = amount</spiffworkflow:preScript>"
            return out
        if node.kind == "service":
            return (
                '<spiffworkflow:serviceTaskOperator id="http/PostRequest" resultVariable="erp">'
                "<spiffworkflow:parameters>"
                '<spiffworkflow:parameter id="url" type="str" '
                'value="&quot;https://erp.example/api&quot;" />'
                "</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator>"
            )
        return ""

    def message_extensions(self, name: str) -> str:
        return f"<spiffworkflow:messageVariable>{name}_payload</spiffworkflow:messageVariable>"

    def condition(self, cond: tuple) -> str | None:
        return python(cond)

    def script(self, node: Node) -> tuple[str, str] | None:
        lines = [f"{var} = {_value(v, 'python')}" for var, v in node.script]
        return ("python" if self.index % 2 else "", "\n".join(lines))

    def timer_text(self, node: Node) -> str:
        if node.timer.startswith("R"):
            return f'"{node.timer}"'
        return f'"{node.timer}"' if self.index % 2 else node.timer

    def artifacts(self) -> str:
        return (
            f'<bpmn:dataObject id="{self.s.key}_record" name="Record" />'
            f'<bpmn:dataObjectReference id="{self.id("docref", "DataObjectReference")}" '
            f'name="Record" dataObjectRef="{self.s.key}_record" />'
        )

    def layout(self) -> dict:
        boxes = super().layout()
        boxes["docref"] = (200, 300 + 180 * len(self.s.lanes), 36, 50)
        return boxes

    def di(self) -> str:
        text = super().di()
        extra = self.shape("docref", self.id("docref"), self.layout()["docref"])
        return text.replace("</bpmndi:BPMNPlane>", extra + "</bpmndi:BPMNPlane>")


class Vendor(Style):
    """Flowable / Activiti exports, with a company's own extension namespace on top."""

    name = "vendor"
    namespaces = (
        f'xmlns:bpmn="{BPMN}" xmlns:flowable="http://flowable.org/bpmn" '
        'xmlns:activiti="http://activiti.org/bpmn" xmlns:acme="http://acme.example/bpmn/ext" '
        'xmlns:design="http://flowable.org/design"'
    )
    definitions_attrs = (
        ' exporter="Flowable Open Source Modeler" exporterVersion="7.0.1"'
        ' design:palette="flowable-process-palette" typeLanguage="http://www.w3.org/2001/XMLSchema"'
        ' expressionLanguage="http://www.w3.org/1999/XPath"'
    )

    def make_id(self, local: str, family: str) -> str:
        return f"{family.lower()}-{_hash('vendor', self.s.key, local, length=5)}"

    def node_attrs(self, node: Node) -> str:
        if node.kind == "user":
            group = LANE_NAMES[node.lane][2]
            attrs = f' flowable:candidateGroups="{group}" flowable:formKey="{node.form}"'
            attrs += f' flowable:dueDate="{node.due}"' if node.due else ""
            return attrs + ' flowable:formFieldValidation="true" activiti:exclusive="true"'
        if node.kind in ("service", "send"):
            return ' flowable:type="http" flowable:async="true"'
        if node.kind == "script":
            return ' flowable:autoStoreVariables="false"'
        return ""

    def extensions(self, node: Node) -> str:
        meta = (
            f'<acme:audit id="audit-{node.id}" level="full" />'
            f"<design:stencilid><![CDATA[{TAGS[node.kind]}]]></design:stencilid>"
        )
        if node.kind == "user":
            meta += (
                '<flowable:formProperty id="decision" name="Decision" type="enum" required="true">'
                '<flowable:value id="approve" name="Approve" />'
                '<flowable:value id="reject" name="Reject" />'
                "</flowable:formProperty>"
                '<flowable:taskListener event="create" class="com.acme.flow.AssignListener" />'
                f'<acme:sla id="sla-{node.id}" hours="8" costCenter="CC-{self.index:03d}" />'
            )
        if node.kind == "service":
            meta += (
                '<flowable:field name="requestUrl"><flowable:string><![CDATA[https://erp.acme.example/api]]>'
                "</flowable:string></flowable:field>"
            )
        return meta

    def process_extensions(self) -> str:
        return (
            '<acme:processMeta id="meta" owner="ops@acme.example" version="12" />'
            '<flowable:eventListener events="TASK_CREATED" class="com.acme.flow.Audit" />'
        )

    def flow_extensions(self, flow_id: str) -> str:
        return f'<acme:trace id="trace-{flow_id}" />'

    def condition(self, cond: tuple) -> str | None:
        return "${" + juel(cond) + "}"

    def script(self, node: Node) -> tuple[str, str] | None:
        lines = [f'execution.setVariable("{var}", {_value(v, "juel")});' for var, v in node.script]
        return ("javascript", "\n".join(lines))


WRITERS = {w.name: w for w in (Camunda7, Camunda8, Signavio, BpmnIo, Spiff, Vendor)}


def render(style: str, index: int) -> bytes:
    """One corpus file, indented the way the tools write it."""
    text = WRITERS[style](SCENARIOS[index], index).document()
    parser = etree.XMLParser(strip_cdata=False, remove_blank_text=True)
    root = etree.fromstring(text.encode(), parser)
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def write_all(root: Path = HERE) -> list[Path]:
    written = []
    for style in STYLES:
        folder = root / style
        folder.mkdir(exist_ok=True)
        for index, scenario in enumerate(SCENARIOS):
            path = folder / f"{scenario.key}.bpmn"
            path.write_bytes(render(style, index))
            written.append(path)
    return written


if __name__ == "__main__":
    print(f"{len(write_all())} diagrams written")

"""Writing the owner's answers to the conversion report into the diagram."""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from ..bpmn_tree import local
from ..connectors import REGISTRY
from ..convert_layout import draw_lanes
from ..documents import BPMN_NS, parse_bpmn
from .converting import serialize
from .departments import Department, as_departments, place_in_lane
from .namespaces import bpmn
from .report import Answer
from .service_tasks import bind_connector
from .spiff_writes import drop_language, set_property


def answer(
    xml: bytes,
    answers: Iterable[Answer],
    departments: Iterable[Department | tuple[str, str, str]],
) -> bytes:
    """Write the owner's picks (department of a lane or task, form, due time, condition in
    Python, a task's kind, a service task's connector, "none" for a start event's repeating
    timer) into the diagram; ids that are not found are ignored."""
    root = parse_bpmn(xml)
    by_key = {d.key: d for d in as_departments(departments)}
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
                process = next(p for p in node.iterancestors(bpmn("process")))
                touched.add(place_in_lane(process, node, dept))
        elif given.field in ("form", "due"):
            set_property(node, given.field, given.value)
        elif given.field == "condition" and kind == "sequenceFlow":
            _write_condition(node, given.value)
        elif given.field == "timer" and given.value == "none" and kind == "startEvent":
            for definition in node.findall(bpmn("timerEventDefinition")):
                node.remove(definition)
        elif given.field == "connector" and given.value in REGISTRY and kind == "serviceTask":
            bind_connector(node, given.value, list(by_key.values()))
        elif given.field == "kind" and given.value in ("manualTask", "userTask"):
            node.tag = bpmn(given.value)
    draw_lanes(root, touched)
    return serialize(root)


def _write_condition(flow: etree._Element, python: str) -> None:
    """Make the flow's condition the Python given (a condition element made if it had none)."""
    expression = flow.find(bpmn("conditionExpression"))
    if expression is None:
        expression = etree.SubElement(flow, bpmn("conditionExpression"))
        prefix = next((p for p, ns in flow.nsmap.items() if ns == BPMN_NS and p), "")
        expression.set(
            "{http://www.w3.org/2001/XMLSchema-instance}type",
            f"{prefix}:tFormalExpression" if prefix else "tFormalExpression",
        )
    expression.text = python
    drop_language(expression)

"""Converting a diagram: which process runs, every step over its elements in document order,
and the other tools' settings no step read, kept and listed."""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from ..bpmn_tree import local
from ..convert_layout import draw_lanes
from ..documents import BPMN_NS, parse_bpmn
from .conditions_and_scripts import condition, script
from .converter import Converter
from .departments import Department, as_departments, lanes
from .namespaces import OURS, bpmn, written_name
from .report import Conversion, tell
from .service_tasks import implementation
from .timer_events import cycle_start, timer
from .user_tasks import human_task

# Children of a process that are not flow nodes: with no process executable, the one with the
# most flow nodes is made the one that runs.
_NOT_FLOW_NODES = {
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


def convert(
    xml: bytes,
    departments: Iterable[Department | tuple[str, str, str]],
    forms: Iterable[str],
) -> Conversion:
    """Convert another tool's diagram; raises DocumentRejected when it is not BPMN at all.

    departments: (key, English name, Chinese name) of OrderGate's departments; forms: the
    names of the library's forms. The bytes are unchanged when nothing was converted."""
    root = parse_bpmn(xml)
    converter = Converter(root, as_departments(departments), list(forms))
    _run(converter)
    if converter.changed:
        draw_lanes(root, converter.touched)
    unchanged = not converter.changed and _is_utf8(xml)
    return Conversion(xml if unchanged else serialize(root), converter.items)


def _run(conv: Converter) -> None:
    """Every step, over each process that runs, element by element in document order."""
    for process in _executable(conv):
        lanes(conv, process)
        for node in list(process.iter()):
            kind = local(node)
            if kind in ("userTask", "manualTask", "task"):
                human_task(conv, process, node)
            elif kind == "scriptTask":
                script(conv, node)
            elif kind == "sequenceFlow":
                condition(conv, process, node)
            elif kind in ("timeDuration", "timeDate", "timeCycle"):
                timer(conv, node)
            elif kind == "startEvent" and node.getparent() is process:
                cycle_start(conv, node)
            if kind == "timerEventDefinition" and not len(node):
                event = node.getparent()
                conv.add("owner", event, tell("timer_empty", event), field="timer")
            if kind in ("serviceTask", "sendTask", "receiveTask", "businessRuleTask"):
                implementation(conv, node)
    _kept(conv)


def _executable(conv: Converter) -> list[etree._Element]:
    """The processes that run (with none marked executable, the biggest is marked); the other
    pools are kept as drawn."""
    processes = list(conv.root.iterchildren(bpmn("process")))
    running = [p for p in processes if p.get("isExecutable") == "true"]
    if not running and processes:

        def size(p: etree._Element) -> int:
            return sum(1 for c in p if local(c) and local(c) not in _NOT_FLOW_NODES)

        main = max(processes, key=size)
        main.set("isExecutable", "true")
        conv.changed = True
        conv.add("mapped", main, tell("made_executable", main), value="true")
        running = [main]
    for other in processes:
        if other not in running:
            main_id = running[0].get("id") if running else ""
            conv.add("kept", other, tell("other_pool", other, main=main_id))
    return running


def _kept(conv: Converter) -> None:
    """One 'kept' item per element naming the other tools' attributes and extension
    elements the conversion did not read."""
    for node in conv.root.iter():
        if not isinstance(node.tag, str) or etree.QName(node).namespace != BPMN_NS:
            continue
        names = [
            written_name(node, tag)
            for tag in node.attrib
            if etree.QName(tag).namespace not in (OURS | {None}) and (node, tag) not in conv.used
        ]
        extensions = node.find(bpmn("extensionElements"))
        for child in extensions if extensions is not None else ():
            if not isinstance(child.tag, str) or etree.QName(child).namespace in OURS:
                continue
            if (child, child.tag) not in conv.used:
                names.append(written_name(child, child.tag))
        if names:
            names = list(dict.fromkeys(names))
            owner = node if node.get("id") else node.getparent()
            conv.add(
                "kept",
                owner if owner is not None else node,
                tell("vendor_kept", owner if owner is not None else node, names=names),
            )


def _is_utf8(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    head = text[:200].lower()
    return "encoding=" not in head.split("?>")[0] or "utf-8" in head.split("?>")[0]


def serialize(root: etree._Element) -> bytes:
    """The document as UTF-8 bytes with an XML declaration."""
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")

"""Computing the difference between two process versions, element by element, with raw values
(ids, BPMN element types, ISO 8601 durations, department keys)."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from app.core.processes.models import ProcessVersion
from app.engine.documents import DocumentRejected, parse_bpmn
from app.errors import InvalidInput

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN, "spiffworkflow": SPIFF}
PROPERTY = "property "  # aspect prefix of a spiffworkflow:property


@dataclass(frozen=True)
class Detail:
    """One aspect of an element that differs: its raw value before and after."""

    aspect: str  # "name", "lane", "type", "property due", ...
    before: str
    after: str


@dataclass(frozen=True)
class ElementChange:
    """One element added, removed or changed between two versions."""

    element_id: str
    kind: str  # the BPMN element type, e.g. userTask
    name: str
    change: str  # "added", "removed", "changed"
    details: tuple[Detail, ...] = ()
    name_zh: str = ""


def _events(node: etree._Element) -> str:
    parts = []
    for child in node:
        if not isinstance(child.tag, str):
            continue
        kind = etree.QName(child).localname
        if kind.endswith("EventDefinition"):
            parts.append(kind + ":" + " ".join((t.text or "").strip() for t in child))
    return "; ".join(parts)


def _loop(node: etree._Element) -> str:
    return " ".join(
        f"{etree.QName(child).localname} sequential={child.get('isSequential')} "
        + " ".join((t.text or "").strip() for t in child.iter() if t is not child)
        for child in node
        if isinstance(child.tag, str)
        and etree.QName(child).localname.endswith("LoopCharacteristics")
    )


def _describe(root: etree._Element) -> dict[str, dict]:
    """Every element with an id inside the processes: its type, name and what it does."""
    lanes: dict[str, str] = {}
    for lane in root.iter(f"{{{BPMN}}}lane"):
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            lanes[(ref.text or "").strip()] = lane.get("name") or lane.get("id")
    found: dict[str, dict] = {}
    for process in root.iterfind("bpmn:process", NS):
        for node in process.iter():
            if not isinstance(node.tag, str) or node.get("id") is None:
                continue
            tag = etree.QName(node).localname
            if etree.QName(node).namespace != BPMN or tag in ("lane", "laneSet"):
                continue
            props = {
                p.get("name"): p.get("value")
                for p in node.iterfind(
                    "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS
                )
            }
            aspects = {
                "name": node.get("name") or "",
                "lane": lanes.get(node.get("id"), ""),
                "source": node.get("sourceRef") or "",
                "target": node.get("targetRef") or "",
                "default": node.get("default") or "",
                "attached": node.get("attachedToRef") or "",
                "condition": " ".join(
                    " ".join((c.text or "").split())
                    for c in node.iterfind("bpmn:conditionExpression", NS)
                ),
                "script": "\n".join((s.text or "") for s in node.iterfind("bpmn:script", NS)),
                "events": _events(node),
                "loop": _loop(node),
                **{f"{PROPERTY}{key}": value or "" for key, value in props.items()},
            }
            found[node.get("id")] = {"kind": tag, "aspects": aspects}
    return found


def diff_versions(old: ProcessVersion, new: ProcessVersion) -> list[ElementChange]:
    """The elements added, removed and changed from `old` to `new`, changed ones with what."""
    try:
        before = _describe(parse_bpmn(old.xml.encode("utf-8")))
        after = _describe(parse_bpmn(new.xml.encode("utf-8")))
    except DocumentRejected as exc:  # stored versions were validated; this is defensive
        raise InvalidInput(str(exc)) from exc
    changes = []
    for element_id in sorted(before.keys() | after.keys()):
        a, b = before.get(element_id), after.get(element_id)
        item = b or a
        name, name_zh = item["aspects"]["name"], item["aspects"].get(f"{PROPERTY}name_zh", "")
        if a is None or b is None:
            change = "added" if a is None else "removed"
            changes.append(ElementChange(element_id, item["kind"], name, change, (), name_zh))
            continue
        details = []
        if a["kind"] != b["kind"]:
            details.append(Detail("type", a["kind"], b["kind"]))
        for aspect in sorted(a["aspects"].keys() | b["aspects"].keys()):
            x, y = a["aspects"].get(aspect, ""), b["aspects"].get(aspect, "")
            if x != y:
                details.append(Detail(aspect, x, y))
        if details:
            changes.append(
                ElementChange(element_id, b["kind"], name, "changed", tuple(details), name_zh)
            )
    return changes

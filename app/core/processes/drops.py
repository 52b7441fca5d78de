"""Saving never drops elements silently: the server's side of the modeler's check.

bpmn-js writes back only what it could read, so a save can lose elements of the stored diagram
the owner never touched. The modeler sends, with every save and publish, the ids of what the
owner removed knowingly: elements deleted (or replaced, or given a new id) on the canvas, and
what the owner confirmed losing after the modeler listed it (an element id, or `id@attribute`
for a `…Ref` attribute). The server compares the stored diagram with the new one and refuses the
save when anything else with an id disappears — storing nothing and naming what would be lost.

Not counted as lost: an element inside one the owner removed (a deleted sub-process's content,
a replaced event's definition), the drawing (BPMN DI) of a removed element, a container left
empty by removals (a lane set without lanes), an element only removed elements referred to (a
deleted data object reference's data object, a deleted group's category value), and the
process element itself (publishing checks that its id stays). A `…Ref` attribute is lost when
the element keeps its id but no longer has the attribute at all (pointing it elsewhere is an
edit). A text that is no BPMN document is not compared: it is stored as it is, like every
draft, and publishing refuses it.
"""

from __future__ import annotations

from flask_babel import gettext as _
from lxml import etree

from app.engine.documents import DocumentRejected, parse_bpmn
from app.errors import InvalidInput

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DI = "http://www.omg.org/spec/BPMN/20100524/DI"
MAX_CONFIRMED = 20_000  # ids a save may name as removed (more than any diagram holds)
MAX_CONFIRMED_CHARS = 600  # one id, or id@attribute
SHOWN = 20  # lost elements named in the refusal; the rest are counted
NOT_COMPARED = frozenset({f"{{{BPMN}}}definitions", f"{{{BPMN}}}process"})


def confirmed_ids(value: object) -> set[str]:
    """The list the modeler sent (ids and id@attribute), or InvalidInput if it is not one."""
    if value is None:
        return set()
    if (
        not isinstance(value, list)
        or len(value) > MAX_CONFIRMED
        or not all(isinstance(v, str) and 0 < len(v) <= MAX_CONFIRMED_CHARS for v in value)
    ):
        raise InvalidInput(
            _("The list of removed elements is damaged. Reload the modeler and try again.")
        )
    return set(value)


def _elements(xml: str) -> dict[str, etree._Element] | None:
    """Every BPMN or BPMN-DI element with an id, by "bpmn:id" / "di:id"; None if no BPMN."""
    try:
        root = parse_bpmn(xml.encode("utf-8"))
    except DocumentRejected:
        return None
    found = {}
    for node in root.iter():
        if not isinstance(node.tag, str) or node.tag in NOT_COMPARED:
            continue
        namespace = etree.QName(node).namespace
        if namespace in (BPMN, DI) and node.get("id"):
            found[f"{'di' if namespace == DI else 'bpmn'}:{node.get('id')}"] = node
    return found


def _refs(node: etree._Element) -> dict[str, str]:
    return {name: value for name, value in node.attrib.items() if name.endswith("Ref") and value}


def _removed(old: dict, new: dict, confirmed: set[str]) -> set[str]:
    """Ids of old elements gone from the new diagram that the owner removed knowingly."""
    gone = {key: node for key, node in old.items() if key not in new}
    removed = {node.get("id") for node in gone.values() if node.get("id") in confirmed}
    referrers: dict[str, set[str]] = {}  # id -> ids of the elements whose …Ref names it
    for node in old.values():
        for value in _refs(node).values():
            referrers.setdefault(value, set()).add(node.get("id"))

    def inside_removed(node) -> bool:
        return any(
            parent.get("id") in confirmed or parent.get("id") in removed
            for parent in node.iterancestors()
        )

    changed = True
    while changed:  # containers emptied by removals count once their content does
        changed = False
        for node in gone.values():
            element_id = node.get("id")
            if element_id in removed:
                continue
            content = [
                child
                for child in node.iterdescendants()
                if isinstance(child.tag, str) and child.get("id")
            ]
            if (
                inside_removed(node)
                or node.get("bpmnElement") in removed
                or node.get("bpmnElement") in confirmed
                or (content and all(c.get("id") in removed for c in content))
                or (referrers.get(element_id) and referrers[element_id] <= removed)
            ):
                removed.add(element_id)
                changed = True
    return removed


def lost(stored_xml: str, new_xml: str, confirmed: set[str]) -> list[str]:
    """What the new diagram lacks that the owner did not remove: "kind id" / "kind id (ref)"."""
    old, new = _elements(stored_xml), _elements(new_xml)
    if old is None or new is None:
        return []
    removed = _removed(old, new, confirmed)
    found = []
    gone_ids = {node.get("id") for key, node in old.items() if key not in new}
    for key, node in old.items():
        element_id, kind = node.get("id"), etree.QName(node).localname
        if key not in new:
            # The drawing of a lost element is not listed again: the element says it.
            drawn = node.get("bpmnElement")
            if element_id not in removed and not (key.startswith("di:") and drawn in gone_ids):
                found.append(f"{kind} {element_id}")
            continue
        kept = new[key].attrib
        for name, value in _refs(node).items():
            if name in kept or f"{element_id}@{name}" in confirmed or element_id in confirmed:
                continue
            if value in removed or value in confirmed:
                continue
            found.append(f"{kind} {element_id} ({name})")
    return found


def refuse_silent_drops(stored_xml: str, new_xml: str, confirmed: set[str]) -> None:
    """InvalidInput naming what the save would drop that the owner did not remove."""
    found = lost(stored_xml, new_xml, confirmed)
    if not found:
        return
    listed = ", ".join(found[:SHOWN])
    if len(found) > SHOWN:
        listed = _("%(list)s and %(n)s more", list=listed, n=len(found) - SHOWN)
    raise InvalidInput(
        _(
            "Nothing was saved: the diagram would lose elements you did not delete: %(list)s. "
            "Reload the modeler to see the stored diagram, or delete them yourself first.",
            list=listed,
        )
    )

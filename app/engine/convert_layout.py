"""Drawing the lanes the conversion adds (app/engine/convert/), so the modeler shows them.

A lane made for tasks that were in no lane has no shape. It gets a band at the bottom of its
process's pool (a pool is made around the whole drawing when the process had none, and the
diagram's plane then shows the collaboration), and the lane's tasks move into the band with
their boundary events, labels and the ends of their flows. Nothing else moves.
"""

from __future__ import annotations

from lxml import etree

from .bpmn_tree import local
from .documents import BPMN_NS

BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
BAND = 150  # height of a new lane
MARGIN = 30  # room around the drawing in a new pool, and a pool's label column


def unique_id(node: etree._Element, base: str) -> str:
    """base, or base_2, base_3, ... : an id no element of node's document has."""
    taken = {n.get("id") for n in node.getroottree().iter() if isinstance(n.tag, str)}
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}_{number}"
    return candidate


def _b(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


def _bounds(shape: etree._Element) -> etree._Element | None:
    return shape.find(f"{{{DC}}}Bounds")


def _num(text: str | None) -> float:
    """A coordinate as written; 0 for a missing or unreadable one (the drawing is the tool's)."""
    try:
        value = float(text or "0")
    except ValueError:
        return 0.0
    return value if value == value and abs(value) < 1e9 else 0.0  # not NaN, not huge


def _box(shape: etree._Element) -> tuple[float, float, float, float]:
    b = _bounds(shape)
    if b is None:
        return (0.0, 0.0, 0.0, 0.0)
    return tuple(_num(b.get(k)) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


def _set_box(shape: etree._Element, x: float, y: float, w: float, h: float) -> None:
    b = _bounds(shape)
    if b is None:
        b = etree.SubElement(shape, f"{{{DC}}}Bounds")
    for key, value in (("x", x), ("y", y), ("width", w), ("height", h)):
        b.set(key, f"{value:g}")


def _new_shape(plane: etree._Element, element_id: str, box: tuple[float, ...],
               index: int | None = None) -> etree._Element:  # fmt: skip
    shape = etree.Element(f"{{{BPMNDI}}}BPMNShape", id=f"{element_id}_di", bpmnElement=element_id)
    shape.set("isHorizontal", "true")
    _set_box(shape, *box)
    if index is None:
        plane.append(shape)
    else:
        plane.insert(index, shape)
    return shape


def _participant(root: etree._Element, process: etree._Element) -> etree._Element | None:
    for participant in root.iter(_b("participant")):
        if participant.get("processRef") == process.get("id"):
            return participant
    return None


def _make_pool(root: etree._Element, process: etree._Element, plane: etree._Element,
               shapes: dict[str, etree._Element]) -> etree._Element | None:  # fmt: skip
    """A participant and its shape around everything drawn; the plane then shows it."""
    boxes = [_box(s) for s in shapes.values() if _bounds(s) is not None]
    if not boxes:
        return None
    collaboration = root.find(_b("collaboration"))
    if collaboration is None:
        collaboration = etree.Element(_b("collaboration"), id=unique_id(root, "Collaboration"))
        root.insert(list(root).index(process), collaboration)
    participant = etree.SubElement(
        collaboration, _b("participant"), id=unique_id(root, f"Participant_{process.get('id')}"),
        processRef=process.get("id"),
    )  # fmt: skip
    if process.get("name"):
        participant.set("name", process.get("name"))
    left = min(b[0] for b in boxes) - 2 * MARGIN
    top = min(b[1] for b in boxes) - MARGIN
    right = max(b[0] + b[2] for b in boxes) + MARGIN
    bottom = max(b[1] + b[3] for b in boxes) + MARGIN
    _new_shape(plane, participant.get("id"), (left, top, right - left, bottom - top), index=0)
    plane.set("bpmnElement", collaboration.get("id"))
    return participant


def _move(plane: etree._Element, root: etree._Element, element_id: str, dy: float) -> None:
    """Move an element's shape (and its label, boundary events and flow ends) down by dy."""
    moved = {element_id} | {
        b.get("id") for b in root.iter(_b("boundaryEvent")) if b.get("attachedToRef") == element_id
    }
    for shape in plane.iter(f"{{{BPMNDI}}}BPMNShape"):
        if shape.get("bpmnElement") in moved:
            for bounds in shape.iter(f"{{{DC}}}Bounds"):
                bounds.set("y", f"{_num(bounds.get('y')) + dy:g}")
    ends = {}
    for flow in root.iter(_b("sequenceFlow"), _b("messageFlow"), _b("association")):
        if flow.get("sourceRef") in moved:
            ends.setdefault(flow.get("id"), []).append(0)
        if flow.get("targetRef") in moved:
            ends.setdefault(flow.get("id"), []).append(-1)
    for edge in plane.iter(f"{{{BPMNDI}}}BPMNEdge"):
        points = edge.findall(f"{{{DI}}}waypoint")
        for index in ends.get(edge.get("bpmnElement"), []):
            if points:
                points[index].set("y", f"{_num(points[index].get('y')) + dy:g}")


def draw_new_lanes(root: etree._Element, process: etree._Element, touched: set[str]) -> None:
    """Give every lane of process that has no shape a band in its pool, and move the tasks of
    new and `touched` lanes (ids) into their lane's band."""
    plane = root.find(f".//{{{BPMNDI}}}BPMNPlane")
    if plane is None or not process.get("id"):
        return
    shapes = {s.get("bpmnElement"): s for s in plane.iter(f"{{{BPMNDI}}}BPMNShape")}
    lanes = [lane for lane in process.iter(_b("lane")) if lane.get("id")]
    new = [lane for lane in lanes if lane.get("id") not in shapes]
    fix = new + [lane for lane in lanes if lane.get("id") in touched and lane not in new]
    if not fix:
        return
    participant = _participant(root, process)
    if participant is not None and (
        not participant.get("id") or participant.get("id") not in shapes
    ):
        return  # a pool drawn nowhere: nothing to draw the lanes in
    if participant is None:
        participant = _make_pool(root, process, plane, shapes)
        if participant is None:
            return
    pool = plane.find(f"{{{BPMNDI}}}BPMNShape[@bpmnElement='{participant.get('id')}']")
    for lane in new:
        x, y, w, h = _box(pool)
        _set_box(pool, x, y, w, h + BAND)
        _new_shape(plane, lane.get("id"), (x + MARGIN, y + h, w - MARGIN, BAND),
                   index=list(plane).index(pool) + 1)  # fmt: skip
    shapes = {s.get("bpmnElement"): s for s in plane.iter(f"{{{BPMNDI}}}BPMNShape")}
    for lane in fix:
        _lx, top, _lw, height = _box(shapes[lane.get("id")])
        for ref in lane.iterchildren(_b("flowNodeRef")):
            shape = shapes.get((ref.text or "").strip())
            if shape is None or _bounds(shape) is None:
                continue
            _x, sy, _w, sh = _box(shape)
            if not top <= sy + sh / 2 <= top + height:
                _move(plane, root, (ref.text or "").strip(), top + (height - sh) / 2 - sy)


def draw_lanes(root: etree._Element, touched: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    """Draw the lanes without a shape, and put the tasks of touched lanes (ids) inside them."""
    for process in root.iterchildren(_b("process")):
        if any(local(c) == "laneSet" for c in process):
            draw_new_lanes(root, process, set(touched))

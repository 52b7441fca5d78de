"""Lanes and departments: which department a lane name or a tool's candidate group names, lanes
renamed to their department, and tasks in no lane placed in their department's lane."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxml import etree

from ..bpmn_tree import local
from ..convert_layout import unique_id
from ..problems import Reason
from .name_words import stem, tokens
from .namespaces import ATTRIBUTE_TOOLS, ZEEBE_NS, bpmn
from .report import tell

if TYPE_CHECKING:
    from .converter import Converter


@dataclass(frozen=True)
class Department:
    key: str
    name_en: str
    name_zh: str


def as_departments(departments: Iterable[Department | tuple[str, str, str]]) -> list[Department]:
    """Departments given as (key, English name, Chinese name) or as Department."""
    return [d if isinstance(d, Department) else Department(*d) for d in departments]


def _names(dept: Department) -> tuple[str, str, str]:
    return dept.key.casefold(), dept.name_en.casefold(), dept.name_zh.casefold()


def named(departments: Sequence[Department], text: str | None) -> Department | None:
    """The department a lane name or candidate group names: exactly, by a word, or by the
    Chinese name it contains; None when none or several match."""
    if not (text or "").strip():
        return None
    wanted = text.strip().casefold()
    for d in departments:
        if wanted in _names(d):
            return d
    words = {stem(t) for t in tokens(text) if len(t) >= 2}
    found = {
        d.key: d
        for d in departments
        if {stem(d.key.casefold()), stem(d.name_en.casefold())} & words
        or (d.name_zh and d.name_zh.rstrip("部") in text)
    }
    return next(iter(found.values())) if len(found) == 1 else None


def exactly_named(departments: Sequence[Department], lane_name: str | None) -> Department | None:
    """The department whose key or name the lane has, compared without case."""
    wanted = (lane_name or "").strip().casefold()
    return next((d for d in departments if wanted and wanted in _names(d)), None)


def keys(departments: Sequence[Department]) -> list[str]:
    """Every department's key: what the owner may pick from."""
    return [d.key for d in departments]


def ranked(departments: Sequence[Department], texts: list[str]) -> list[str]:
    """Every department's key, those the texts name first."""
    found = [d.key for d in (named(departments, t) for t in texts) if d]
    return list(dict.fromkeys(found + keys(departments)))


def lane_label(dept: Department, old: str) -> str:
    """The department's name in the language the lane was named in."""
    chinese = re.search(r"[\u4e00-\u9fff]", old or "")
    return dept.name_zh if chinese and dept.name_zh else dept.name_en


def assignment(task: etree._Element) -> tuple[str, etree._Element | None, str]:
    """(candidate groups or assignee text, element, tag) a tool assigned the task with;
    the caller marks it used when a suggestion came of it."""
    for ns in ATTRIBUTE_TOOLS:
        for attribute in ("candidateGroups", "assignee", "candidateUsers"):
            value = task.get(f"{{{ns}}}{attribute}")
            if value:
                return value, task, f"{{{ns}}}{attribute}"
    definition = task.find(f"{bpmn('extensionElements')}/{{{ZEEBE_NS}}}assignmentDefinition")
    if definition is not None:
        for attribute in ("candidateGroups", "assignee", "candidateUsers"):
            if definition.get(attribute):
                return definition.get(attribute), definition, definition.tag
    return "", None, ""


def lanes(conv: Converter, process: etree._Element) -> None:
    """Rename each lane that is not a department to the one its name or its tasks' candidate
    groups agree on (to check), else ask the owner."""
    for lane in process.iter(bpmn("lane")):
        name = lane.get("name") or ""
        if exactly_named(conv.departments, name):
            continue
        groups, sources = [], []
        for ref in lane.iterchildren(bpmn("flowNodeRef")):
            task = conv.by_id(ref.text)
            if task is not None and local(task) in ("userTask", "manualTask"):
                group, node, tag = assignment(task)
                groups.append(group)
                sources.append((node, tag))
        votes = {d.key: d for d in (named(conv.departments, t) for t in [name, *groups]) if d}
        if len(votes) == 1:
            dept = next(iter(votes.values()))
            for node, tag in sources:
                if node is not None:
                    conv.use(node, tag)
            label = lane_label(dept, name)
            lane.set("name", label)
            _suggested(conv, lane, dept, tell("lane_renamed", lane, before=name, after=label))
        else:
            _asked(conv, lane, tell("lane_unknown", lane), [name, *groups])


def place_unlaned(conv: Converter, process: etree._Element, task: etree._Element) -> None:
    """A human task in no lane goes to the lane of the department its tool assigned it to (to
    check), else the owner picks one."""
    group, node, tag = assignment(task)
    if conv.lane_of(process, task.get("id")) is not None:
        return
    dept = named(conv.departments, group)
    if dept:
        conv.use(node, tag)
        conv.touched.add(place_in_lane(process, task, dept, in_a_lane=False))
        _suggested(conv, task, dept, tell("task_placed", task, before=group, after=dept.key))
    else:
        _asked(conv, task, tell("task_no_lane", task), [group])


def _suggested(conv: Converter, node: etree._Element, dept: Department, reason: Reason) -> None:
    """Report a department written into the diagram, for the owner to check."""
    conv.changed = True
    choices = keys(conv.departments)
    conv.add("check", node, reason, field="department", value=dept.key, choices=choices)


def _asked(conv: Converter, node: etree._Element, reason: Reason, texts: list[str]) -> None:
    """Ask the owner for a department, those the texts name first."""
    choices = ranked(conv.departments, texts)
    conv.add("owner", node, reason, field="department", choices=choices)


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
    for lane in process.iter(bpmn("lane")) if in_a_lane else ():  # out of the lane it was in
        for ref in list(lane.iterchildren(bpmn("flowNodeRef"))):
            if (ref.text or "").strip() == task_id:
                lane.remove(ref)
    target = None
    for lane in process.iter(bpmn("lane")):
        name = (lane.get("name") or "").strip().casefold()
        if name in _names(dept):
            target = lane
            break
    if target is None:
        lane_set = process.find(bpmn("laneSet"))
        if lane_set is None:
            lane_set = etree.Element(bpmn("laneSet"), id=unique_id(process, "LaneSet"))
            process.insert(_process_children_index(process), lane_set)
        target = etree.SubElement(
            lane_set, bpmn("lane"), id=unique_id(process, f"Lane_{dept.key}"), name=dept.name_en
        )
    ref = etree.SubElement(target, bpmn("flowNodeRef"))
    ref.text = task_id
    return target.get("id")

"""Service, send, receive and business rule tasks: what other tools run there (a class, a job
type, a topic) is named for the owner, who binds a service task to one of OrderGate's
connectors; the connector offered first is the one the tool's words point to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lxml import etree

from ..bpmn_tree import local
from ..connectors import REGISTRY
from ..documents import SPIFF_NS
from .departments import Department
from .namespaces import OURS, bpmn, written_name
from .report import tell

if TYPE_CHECKING:
    from .converter import Converter

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
        foreign = etree.QName(node).namespace not in OURS
        said += [v for k, v in node.attrib.items() if foreign or etree.QName(k).namespace]
    return " ".join(said)


def _notify_guess(task: etree._Element, departments: Sequence[Department]) -> dict[str, str]:
    """For a task its tool says mails or notifies: the department of the lane it is in as
    `to` and its name as `text` (Python literals); {} when the words say otherwise."""
    text = _vendor_words(task).lower()
    if not any(word in text for word in _CONNECTOR_WORDS["notify"]):
        return {}
    guess = {"text": repr(task.get("name"))} if task.get("name") else {}
    for lane in task.getroottree().iter(bpmn("lane")):
        refs = {(r.text or "").strip() for r in lane.iterchildren(bpmn("flowNodeRef"))}
        wanted = (lane.get("name") or "").strip().casefold()
        for dept in departments if task.get("id") in refs else ():
            if wanted in (dept.key.casefold(), dept.name_en.casefold(), dept.name_zh.casefold()):
                guess["to"] = repr(dept.key)
    return guess


def bind_connector(task: etree._Element, name: str, departments: Sequence[Department] = ()) -> None:
    """Make the service task call the connector `name`: a spiffworkflow:serviceTaskOperator
    with its required parameters, their values left empty for the owner to write unless the
    vendor task says it notifies (then to its lane's department, with its name as the text)."""
    extensions = task.find(bpmn("extensionElements"))
    if extensions is None:
        extensions = etree.Element(bpmn("extensionElements"))
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


def implementation(conv: Converter, task: etree._Element) -> None:
    """Name what another tool runs in the task, for the owner to bind a connector (service
    tasks) or replace it; a task bound to an OrderGate connector is left alone."""
    operator = task.find(f"{bpmn('extensionElements')}/{{{SPIFF_NS}}}serviceTaskOperator")
    if operator is not None and operator.get("id") in REGISTRY:
        return  # bound to an OrderGate connector: validation checks its parameters
    names = []
    for tag in task.attrib:
        if etree.QName(tag).namespace not in OURS and etree.QName(tag).localname in (
            "class",
            "delegateExpression",
            "expression",
            "type",
            "topic",
            "resultVariable",
        ):
            names.append(f'{written_name(task, tag)}="{task.get(tag)}"')
            conv.use(task, tag)
    extensions = task.find(bpmn("extensionElements"))
    for child in extensions if extensions is not None else ():
        if not isinstance(child.tag, str):
            continue
        name, namespace = etree.QName(child).localname, etree.QName(child).namespace
        if name == "serviceTaskOperator" or (
            namespace not in OURS and name in ("taskDefinition", "field", "connector")
        ):
            detail = child.get("type") or child.get("id") or child.get("name") or ""
            names.append(f"{written_name(child, child.tag)}" + (f" '{detail}'" if detail else ""))
            conv.use(child, child.tag)
    if names:
        reason = tell("implementation", task, implementation=", ".join(names))
        if local(task) == "serviceTask":
            choices = connector_choices(" ".join(names) + " " + (task.get("name") or ""))
            conv.add("owner", task, reason, field="connector", choices=choices)
        else:
            conv.add("owner", task, reason, field="implementation")

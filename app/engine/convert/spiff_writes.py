"""Writing a setting the way OrderGate reads it: a spiffworkflow property, a Python script, a
condition without the other tool's expression language."""

from __future__ import annotations

from lxml import etree

from ..bpmn_tree import local
from ..documents import SPIFF_NS
from .namespaces import bpmn


def drop_language(expression: etree._Element) -> None:
    """Forget the expression's language: OrderGate's conditions are Python."""
    if expression.get("language"):
        del expression.attrib["language"]


def _extensions(node: etree._Element) -> etree._Element:
    found = node.find(bpmn("extensionElements"))
    if found is not None:
        return found
    created = etree.Element(bpmn("extensionElements"))
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
    """Make the task's script the Python given."""
    body = task.find(bpmn("script"))
    if body is None:
        body = etree.SubElement(task, bpmn("script"))
    body.text = python
    task.set("scriptFormat", "python")

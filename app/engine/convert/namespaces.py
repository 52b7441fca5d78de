"""The namespaces a converted diagram mixes: BPMN's and OrderGate's own, and the other tools'
whose settings the conversion reads (Camunda 7 and 8, Flowable, Activiti)."""

from __future__ import annotations

from lxml import etree

from ..bpmn_tree import local
from ..documents import BPMN_NS, SPIFF_NS

OURS = {
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
# The tools whose attributes on a task (assignee, candidateGroups, formKey, dueDate) mean the same.
ATTRIBUTE_TOOLS = (CAMUNDA_NS, FLOWABLE_NS, ACTIVITI_NS)


def bpmn(tag: str) -> str:
    """The BPMN element `tag` as lxml names it."""
    return f"{{{BPMN_NS}}}{tag}"


def kind_of(node: etree._Element) -> str:
    """The element's BPMN type ("userTask"), else its local name in whatever namespace."""
    return local(node) or etree.QName(node).localname


def written_name(node: etree._Element, tag: str) -> str:
    """A namespaced name as the file writes it (camunda:formKey)."""
    qname = etree.QName(tag)
    prefix = next((p for p, ns in (node.nsmap or {}).items() if ns == qname.namespace), None)
    return f"{prefix}:{qname.localname}" if prefix else qname.localname

"""Validation of multi-instance markers: human tasks only, plain data names, checked expressions.

A multi-instance user task runs once per item of a collection in the task data (SpiffWorkflow's
`loopDataInputRef` + `inputDataItem`) or a counted number of times (`loopCardinality`); standard
loops stay refused (check_elements.py).
"""

from __future__ import annotations

from lxml import etree

from .bpmn_tree import local
from .check_content import HUMAN_TASKS
from .check_expressions import checked
from .documents import BPMN_NS
from .expressions import check_expression
from .problems import Problem, Reason, at, said


def _child(node: etree._Element, name: str) -> etree._Element | None:
    return node.find(f"{{{BPMN_NS}}}{name}")


def _name_problems(
    node: etree._Element, name: str | None, what: Reason, owner: Reason, owner_id: str | None
) -> list[Problem]:
    """A collection or item must be a plain task-data name (what SpiffWorkflow reads as is)."""
    name = (name or "").strip()
    refused = check_expression(name) if name else None
    if refused:
        return [at(node, said("expr_rejected", what=what, owner=owner, detail=refused), owner_id)]
    if not name.isidentifier() or name.startswith("_"):
        return [at(node, said("mi_name_bad", what=what, name=name, owner=owner), owner_id)]
    return []


def _pairing_problems(mi: etree._Element, owner: Reason, owner_id: str | None) -> list[Problem]:
    problems = []
    if (_child(mi, "loopCardinality") is None) == (_child(mi, "loopDataInputRef") is None):
        problems.append(at(mi, said("mi_input_or_cardinality", owner=owner), owner_id))
    if (_child(mi, "loopDataOutputRef") is None) != (_child(mi, "outputDataItem") is None):
        problems.append(at(mi, said("mi_output_pair", owner=owner), owner_id))
    return problems


def _marker_problems(mi: etree._Element, task: etree._Element) -> list[Problem]:
    owner, owner_id = said("owner", task), task.get("id")
    problems = _pairing_problems(mi, owner, owner_id)
    cardinality = _child(mi, "loopCardinality")
    if cardinality is not None:
        problems += checked(
            cardinality, cardinality.text, said("what_cardinality"), owner, owner_id
        )
    condition = _child(mi, "completionCondition")
    if condition is not None:
        what = said("what_completion")
        problems += checked(condition, condition.text, what, owner, owner_id)
    names = {}
    for tag, what, value in (
        ("loopDataInputRef", "what_collection", lambda n: n.text),
        ("loopDataOutputRef", "what_output_collection", lambda n: n.text),
        ("inputDataItem", "what_input_item", lambda n: n.get("id")),
        ("outputDataItem", "what_output_item", lambda n: n.get("id")),
    ):
        node = _child(mi, tag)
        if node is not None:
            names[tag] = (value(node) or "").strip()
            problems += _name_problems(node, value(node), said(what), owner, owner_id)
    if names.get("inputDataItem") and names.get("inputDataItem") == names.get("loopDataInputRef"):
        problems.append(at(mi, said("mi_item_is_collection", owner=owner), owner_id))
    return problems


def multi_instance_problems(root: etree._Element) -> list[Problem]:
    """Multi-instance markers: only on user and manual tasks, each one well formed."""
    problems = []
    for mi in root.iter(f"{{{BPMN_NS}}}multiInstanceLoopCharacteristics"):
        task = mi.getparent()
        if local(task) not in HUMAN_TASKS:
            problems.append(at(mi, said("mi_not_human", task), task.get("id")))
            continue
        problems += _marker_problems(mi, task)
    return problems

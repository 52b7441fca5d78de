"""Which DMN files a BPMN file needs (the decisions its business rule tasks call), and which
rule of a decision table matches some data (to tell a reader why a process went one way)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from .check_decisions import _dmn_cell_expression
from .documents import BPMN_NS, SPIFF_NS, DocumentRejected, parse_bpmn, parse_document
from .errors import EngineError
from .expressions import RestrictedEnvironment


def called_decisions(xml: bytes) -> set[str]:
    """The decision ids named by the file's business rule tasks (empty if it cannot be parsed)."""
    try:
        root = parse_bpmn(xml)
    except DocumentRejected:
        return set()
    path = (
        f".//{{{BPMN_NS}}}businessRuleTask/{{{BPMN_NS}}}extensionElements"
        f"/{{{SPIFF_NS}}}calledDecisionId"
    )
    return {(node.text or "").strip() for node in root.iterfind(path)} - {""}


def decision_ids(dmn: bytes) -> set[str]:
    """The ids of the decisions a DMN file defines (empty if it cannot be parsed)."""
    try:
        root = parse_document(dmn, "DMN")
    except DocumentRejected:
        return set()
    return {
        node.get("id")
        for node in root.iter()
        if isinstance(node.tag, str) and node.tag.endswith("}decision") and node.get("id")
    }


def decisions_for(xml: bytes, dmn_files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The DMN files (by name) that define a decision the BPMN file calls."""
    wanted = called_decisions(xml)
    return {name: data for name, data in sorted(dmn_files.items()) if decision_ids(data) & wanted}


@dataclass(frozen=True)
class Condition:
    """One input cell of a decision rule: the input (its label and expression) and the test."""

    label: str  # the input's label in the table (the process owner's words)
    expression: str  # the input expression, e.g. change['value_delta_pct']
    test: str  # the cell, e.g. "> 10"; "" when the rule ignores this input ("-")
    value: Any  # the input's value in the data the decision was (or will be) made on


@dataclass(frozen=True)
class FiredRule:
    """The rule of a decision table that matches some data, and why: its tested inputs."""

    decision_id: str
    rule_id: str
    description: str
    conditions: tuple[Condition, ...]  # only the inputs the rule tests
    outputs: dict[str, Any]


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _text(node: etree._Element) -> str:
    found = next((t for t in node if _local(t) == "text"), None)
    return (found.text or "").strip() if found is not None else ""


def _table(dmn_files: Iterable[bytes], decision_id: str) -> etree._Element | None:
    for data in dmn_files:
        root = parse_document(data, "DMN")
        for decision in root.iter():
            if _local(decision) == "decision" and decision.get("id") == decision_id:
                return next((t for t in decision if _local(t) == "decisionTable"), None)
    return None


def explain(dmn_files: Iterable[bytes], decision_id: str, data: dict) -> FiredRule | None:
    """The first rule of a decision table that matches `data`, evaluated as the engine does
    (the same cell expressions, restricted and under a budget); None when no rule matches.

    Raises EngineError when the table is missing or a cell cannot be evaluated on this data.
    """
    table = _table(dmn_files, decision_id)
    if table is None:
        raise EngineError("internal", f"No decision table '{decision_id}' in these files.")
    env = RestrictedEnvironment()
    inputs = []
    for node in (n for n in table if _local(n) == "input"):
        expression = next((_text(e) for e in node if _local(e) == "inputExpression"), "")
        inputs.append((node.get("label") or expression, expression))
    outputs = [n.get("name") or n.get("label") or "" for n in table if _local(n) == "output"]
    for rule in (n for n in table if _local(n) == "rule"):
        cells = [_text(c) for c in rule if _local(c) == "inputEntry"]
        conditions = []
        try:
            for (label, expression), cell in zip(inputs, cells, strict=False):
                if not cell or cell == "-":
                    continue
                value = env.evaluate(expression, dict(data))
                if not env.evaluate(
                    _dmn_cell_expression("dmninput", cell), {}, {"dmninput": value}
                ):
                    break
                conditions.append(Condition(label, expression, cell, value))
            else:
                values = [
                    env.evaluate(text, dict(data)) if text else None
                    for text in (_text(c) for c in rule if _local(c) == "outputEntry")
                ]
                description = next(
                    ((d.text or "").strip() for d in rule if _local(d) == "description"), ""
                )
                return FiredRule(
                    decision_id,
                    rule.get("id") or "",
                    description,
                    tuple(conditions),
                    dict(zip(outputs, values, strict=False)),
                )
        except EngineError:
            raise
        except Exception as exc:  # noqa: BLE001 - a cell may fail in many ways on this data
            raise EngineError(
                "expression",
                f"Rule '{rule.get('id')}' of '{decision_id}' cannot be evaluated on this data.",
                detail=f"{type(exc).__name__}: {exc}",
            ) from exc
    return None

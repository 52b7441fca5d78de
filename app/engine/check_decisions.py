"""Content validation of DMN decision tables: input expressions, rule cells and outputs, checked
as SpiffWorkflow will evaluate them."""

from __future__ import annotations

import ast
from collections.abc import Sequence

from lxml import etree

from .check_expressions import checked
from .problems import Problem, Reason, at, said


def _dmn_cell_expression(input_expr: str, cell: str) -> str:
    # Mirrors SpiffWorkflow's DMNEngine.evaluate, so what is checked is what will run.
    if "?" in cell:
        return cell.replace("?", "dmninputexpr")
    try:
        ast.parse(cell, mode="eval")
    except SyntaxError:
        return input_expr + cell
    return f"({input_expr}) == ({cell})"


def dmn_local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def decision_problems(dmn_roots: Sequence[etree._Element]) -> list[Problem]:
    """Input expressions, rule cells and outputs of decision tables."""
    problems = []
    for dmn in dmn_roots:
        for table in (n for n in dmn.iter() if dmn_local(n) == "decisionTable"):
            owner = said("owner_table", id=table.get("id"))
            inputs = [i for i in table if dmn_local(i) == "input"]
            exprs = [
                next((t.text or "" for t in i.iter() if dmn_local(t) == "text"), "") for i in inputs
            ]
            for expr, node in zip(exprs, inputs, strict=True):
                problems += checked(
                    node, expr, said("what_input_expression"), owner, node.get("id")
                )
            rules = [r for r in table if dmn_local(r) == "rule"]
            if not rules:
                problems.append(at(table, said("table_no_rules", owner=owner)))
            for rule in rules:
                cells = [c for c in rule if dmn_local(c) in ("inputEntry", "outputEntry")]
                problems += _rule_problems(rule, cells, exprs, owner)
    return problems


def _rule_problems(
    rule: etree._Element, cells: list[etree._Element], input_exprs: list[str], owner: Reason
) -> list[Problem]:
    problems, position = [], 0
    for cell in cells:
        text = next((t.text or "" for t in cell.iter() if dmn_local(t) == "text"), "").strip()
        cell_id = cell.get("id") or rule.get("id")
        if dmn_local(cell) == "inputEntry":
            expr = input_exprs[position] if position < len(input_exprs) else ""
            position += 1
            if text and text != "-":
                full = _dmn_cell_expression(expr, text)
                what = said("what_rule_cell", rule=rule.get("id"))
                problems += checked(cell, full, what, owner, cell_id)
        elif text:
            what = said("what_rule_output", rule=rule.get("id"))
            problems += checked(cell, text, what, owner, cell_id)
    return problems

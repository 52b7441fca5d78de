"""Service tasks: each calls a connector of the registry (connectors.py) with the parameters it
takes, every parameter value an expression the restricted checker accepts."""

from __future__ import annotations

import ast

from lxml import etree

from .check_expressions import checked
from .connectors import REGISTRY, http_endpoints
from .documents import BPMN_NS, SPIFF_NS
from .problems import Problem, at, said

_OPERATOR = f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}serviceTaskOperator"


def _literal(text: str | None) -> object:
    try:
        return ast.literal_eval((text or "").strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None


def _params(operator: etree._Element) -> dict[str, etree._Element]:
    return {p.get("id") or "": p for p in operator.iter(f"{{{SPIFF_NS}}}parameter")}


def _task_problems(task: etree._Element) -> list[Problem]:
    known = ", ".join(sorted(REGISTRY))
    operator = task.find(_OPERATOR)
    if operator is None:
        return [at(task, said("connector_missing", task, known=known))]
    name = operator.get("id") or ""
    connector = REGISTRY.get(name)
    if connector is None:
        return [at(task, said("connector_unknown", task, name=name, known=known))]
    params, problems = _params(operator), []
    names = ", ".join(connector.params)
    for param, node in params.items():
        if param not in connector.params:
            problem = said("connector_param_unknown", task, name=name, param=param, known=names)
            problems.append(at(node, problem, task.get("id")))
            continue
        owner = said("owner", task)
        problems += checked(node, node.get("value"), said("what_expression"), owner, task.get("id"))
    for param, required in connector.params.items():
        if required and param not in params:
            problems.append(at(task, said("connector_param_missing", task, name=name, param=param)))
    endpoint = params.get("endpoint")
    value = _literal(endpoint.get("value")) if endpoint is not None and name == "http" else None
    if isinstance(value, str) and value not in http_endpoints():
        listing = ", ".join(sorted(http_endpoints())) or said("none_defined")
        problem = said("endpoint_unknown", task, endpoint=value, known=listing)
        problems.append(at(endpoint, problem, task.get("id")))
    return problems


def service_task_problems(root: etree._Element) -> list[Problem]:
    """Every service task's connector and parameters."""
    problems = []
    for task in root.iter(f"{{{BPMN_NS}}}serviceTask"):
        problems += _task_problems(task)
    return problems

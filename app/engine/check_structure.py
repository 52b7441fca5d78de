"""Structural validation: ids used once, sequence flows that connect, gateways that can choose,
and nodes a start event reaches (which elements are supported: check_elements.py)."""

from __future__ import annotations

from lxml import etree

from .bpmn_tree import containers, is_event_subprocess, local
from .check_elements import unsupported_problems
from .documents import BPMN_NS
from .problems import Problem, at, said

OMG_PREFIX = "{http://www.omg.org/spec/"

# Children of a process that are not flow nodes (everything else with an id is a node, supported
# or not, so one unsupported element does not also make its flows look dangling).
NOT_NODES = frozenset(
    (
        "sequenceFlow laneSet dataObject dataObjectReference dataStoreReference textAnnotation"
        " association group documentation extensionElements ioSpecification property"
    ).split()
)
GATEWAYS = frozenset(
    {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway"}
)
# Gateways that pick their outgoing flows by condition (or take the default flow).
CHOOSING_GATEWAYS = frozenset({"exclusiveGateway", "inclusiveGateway"})


def _standard(node: etree._Element) -> bool:
    """An element of the OMG's BPMN/DI namespaces, outside vendor extension content (where
    Camunda and others give their own elements ids that are not BPMN ids)."""
    if not isinstance(node.tag, str) or not node.tag.startswith(OMG_PREFIX):
        return False
    return not any(local(a) == "extensionElements" for a in node.iterancestors())


def duplicate_id_problems(root: etree._Element) -> list[Problem]:
    """Ids used more than once by BPMN and diagram (DI) elements."""
    seen: dict[str, int] = {}
    problems = []
    for node in root.iter():
        node_id = node.get("id") if _standard(node) else None
        if node_id is None:
            continue
        if node_id in seen:
            problems.append(at(node, said("duplicate_id", id=node_id, first=seen[node_id])))
        else:
            seen[node_id] = node.sourceline or 0
    return problems


def _nodes(container: etree._Element) -> dict[str, etree._Element]:
    return {
        n.get("id"): n
        for n in container
        if n.get("id") and local(n) is not None and local(n) not in NOT_NODES
    }


def _flows(container: etree._Element) -> list[etree._Element]:
    return [n for n in container if local(n) == "sequenceFlow"]


def _has_condition(flow: etree._Element) -> bool:
    condition = flow.find(f"{{{BPMN_NS}}}conditionExpression")
    return condition is not None and bool((condition.text or "").strip())


def _dangling(flow: etree._Element, nodes: dict) -> list[Problem]:
    problems = []
    for end, side in (("sourceRef", "source"), ("targetRef", "target")):
        ref = flow.get(end)
        if not ref:
            problems.append(at(flow, said(f"flow_no_{side}", id=flow.get("id"))))
        elif ref not in nodes:
            problems.append(at(flow, said(f"flow_bad_{side}", id=flow.get("id"), ref=ref)))
    return problems


def _gateway_problems(gateway: etree._Element, leaving: list[etree._Element]) -> list[Problem]:
    if not leaving:
        return [at(gateway, said("gateway_no_outgoing", gateway))]
    if local(gateway) not in CHOOSING_GATEWAYS:
        return []
    default = gateway.get("default")
    problems = []
    if default and default not in {f.get("id") for f in leaving}:
        problems.append(at(gateway, said("default_not_leaving", gateway, default=default)))
    if len(leaving) < 2:
        return problems
    return problems + [
        at(flow, said("flow_no_condition", gateway, flow=flow.get("id")))
        for flow in leaving
        if flow.get("id") != default and not _has_condition(flow)
    ]


def flow_problems(container: etree._Element) -> list[Problem]:
    """Dangling sequence flows and gateways without (conditioned) outgoing flows."""
    nodes, problems = _nodes(container), []
    outgoing: dict[str, list[etree._Element]] = {}
    for flow in _flows(container):
        problems += _dangling(flow, nodes)
        outgoing.setdefault(flow.get("sourceRef"), []).append(flow)
    for node_id, node in nodes.items():
        if local(node) in GATEWAYS:
            problems += _gateway_problems(node, outgoing.get(node_id, []))
    return problems


def _start_problems(container: etree._Element, starts: list[etree._Element]) -> list[Problem]:
    if not starts:
        return [at(container, said("no_start", container))]
    plain = [s for s in starts if not any((local(c) or "").endswith("EventDefinition") for c in s)]
    if len(starts) < 2 or not plain:
        return []  # several message/timer start events: the first one triggered wins
    names = ", ".join(f"'{s.get('id')}'" for s in starts)
    return [
        at(
            starts[1],
            said(
                "competing_starts",
                container,
                count=len(starts),
                names=names,
                plain=plain[0].get("id"),
            ),
        )
    ]


def reachability_problems(container: etree._Element) -> list[Problem]:
    """Missing or competing start events, and nodes no path from a start event reaches."""
    nodes = _nodes(container)
    starts = [i for i, n in nodes.items() if local(n) == "startEvent"]
    problems = _start_problems(container, [nodes[i] for i in starts])
    if not starts:
        return problems
    targets: dict[str, list[str]] = {}
    for flow in _flows(container):
        targets.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    boundary = {i: n.get("attachedToRef") for i, n in nodes.items() if local(n) == "boundaryEvent"}
    reached, queue = set(), list(starts)
    while queue:
        current = queue.pop()
        if current in reached or current not in nodes:
            continue
        reached.add(current)
        queue.extend(targets.get(current, []))
        queue.extend(b for b, host in boundary.items() if host == current)
    return problems + [
        at(node, said("unreachable", node))
        for node_id, node in nodes.items()
        if node_id not in reached and not _started_otherwise(node)
    ]


def _started_otherwise(node: etree._Element) -> bool:
    # Event subprocesses and compensation handlers are started by events, not by flows (both
    # are reported as unsupported).
    return is_event_subprocess(node) or node.get("isForCompensation") == "true"


def structure_problems(root: etree._Element, running: etree._Element) -> list[Problem]:
    """All structural problems of a parsed BPMN document: ids of the whole document, elements
    and flows of `running` (its `running_part`)."""
    problems = unsupported_problems(running) + duplicate_id_problems(root)
    for container in containers(running):
        problems += flow_problems(container) + reachability_problems(container)
    return problems

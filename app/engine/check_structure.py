"""Structural validation: supported elements, ids, sequence flows, gateways, reachability."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from .documents import BPMN_NS
from .problems import Problem, at

FLOW_NODES = frozenset(
    (
        "startEvent endEvent userTask manualTask scriptTask businessRuleTask task exclusiveGateway"
        " parallelGateway inclusiveGateway eventBasedGateway intermediateCatchEvent"
        " intermediateThrowEvent boundaryEvent subProcess callActivity"
    ).split()
)
# Multi-instance markers (on human tasks only: check_loops.py).
MULTI_INSTANCE = frozenset(
    (
        "multiInstanceLoopCharacteristics loopCardinality loopDataInputRef loopDataOutputRef"
        " inputDataItem outputDataItem completionCondition"
    ).split()
)
OTHER_ELEMENTS = frozenset(
    (
        "definitions process collaboration participant messageFlow correlationKey"
        " correlationPropertyRef correlationProperty correlationPropertyRetrievalExpression"
        " messagePath formalExpression message documentation extensionElements laneSet lane"
        " childLaneSet flowNodeRef script sequenceFlow conditionExpression incoming outgoing"
        " messageEventDefinition timerEventDefinition timeDate timeDuration timeCycle dataObject"
        " dataObjectReference dataInputAssociation dataOutputAssociation sourceRef targetRef"
        " textAnnotation text association"
    ).split()
)
SUPPORTED = FLOW_NODES | MULTI_INSTANCE | OTHER_ELEMENTS
# Event definitions each kind of event may carry.
EVENT_DEFINITIONS = {
    "startEvent": {"messageEventDefinition", "timerEventDefinition"},
    "endEvent": {"messageEventDefinition"},
    "intermediateCatchEvent": {"messageEventDefinition", "timerEventDefinition"},
    "intermediateThrowEvent": {"messageEventDefinition"},
    "boundaryEvent": {"timerEventDefinition"},
}
HINTS = {
    "complexGateway": "use an exclusive, inclusive or parallel gateway",
    "transaction": "use a plain subprocess",
    "adHocSubProcess": "use a plain subprocess",
    "serviceTask": "use a script task or a user task",
    "sendTask": "use a message throw event",
    "receiveTask": "use a message catch event",
    "standardLoopCharacteristics": "model the loop with an exclusive gateway",
    "complexBehaviorDefinition": "remove it; instances run to completion",
}
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


def local(node: etree._Element) -> str | None:
    """The local name of a BPMN-namespace element, else None."""
    if not isinstance(node.tag, str) or not node.tag.startswith(f"{{{BPMN_NS}}}"):
        return None
    return node.tag[len(BPMN_NS) + 2 :]


def words(name: str) -> str:
    """'intermediateCatchEvent' -> 'intermediate catch event'."""
    return re.sub(r"(?<!^)([A-Z])", r" \1", name).lower()


def describe(node: etree._Element) -> str:
    """How messages name an element: kind and id, capitalised ("User task 'x'")."""
    return f"{words(local(node) or 'element').capitalize()} '{node.get('id') or '?'}'"


def bpmn_elements(root: etree._Element) -> Iterator[etree._Element]:
    """BPMN elements of the document in order, skipping diagram (DI) and extension content."""
    stack = [root]
    while stack:
        node = stack.pop()
        name = local(node)
        if name is None:
            continue
        yield node
        if name != "extensionElements":
            stack.extend(reversed(list(node)))


def _event_kind(definition: str) -> str:
    return words(definition).removesuffix(" event definition")


def _choices(allowed: set[str]) -> str:
    return " or ".join(f"a {_event_kind(a)}" for a in sorted(allowed))


def _unsupported(node: etree._Element, name: str) -> Problem:
    parent = node.getparent()
    if name.endswith("EventDefinition") and parent is not None:
        kind = _event_kind(name)
        article = "an" if kind[:1] in "aeiou" else "a"
        return at(
            node,
            f"{describe(parent)} is {article} {kind} event, which is not "
            "supported; use a message or timer event.",
            parent.get("id"),
        )
    hint = HINTS.get(name, "remove it or replace it with a supported element")
    if node.get("id") or parent is None:
        return at(node, f"{words(name).capitalize()} '{node.get('id')}' is not supported; {hint}.")
    return at(
        node,
        f"The {words(name)} in {describe(parent).lower()} is not supported; {hint}.",
        parent.get("id"),
    )


def _event_problems(node: etree._Element, name: str) -> list[Problem]:
    definitions = [local(c) for c in node if (local(c) or "").endswith("EventDefinition")]
    allowed = EVENT_DEFINITIONS[name]
    problems = []
    if len(definitions) > 1:
        problems.append(at(node, f"{describe(node)} has several event definitions; keep one."))
    for kind in definitions:
        if kind in SUPPORTED and kind not in allowed:
            problems.append(
                at(
                    node,
                    f"{describe(node)} cannot be a {_event_kind(kind)} event; "
                    f"use {_choices(allowed)} event instead.",
                )
            )
    if not definitions and name in ("intermediateCatchEvent", "boundaryEvent"):
        problems.append(
            at(
                node,
                f"{describe(node)} waits for nothing; "
                f"give it {_choices(allowed)} event definition.",
            )
        )
    return problems


def unsupported_problems(root: etree._Element) -> list[Problem]:
    """Every element OrderGate does not run, named with its id and a replacement."""
    problems = []
    for node in bpmn_elements(root):
        name = local(node)
        if name not in SUPPORTED:
            problems.append(_unsupported(node, name))
        elif name in EVENT_DEFINITIONS:
            problems.extend(_event_problems(node, name))
        elif name == "subProcess" and node.get("triggeredByEvent") == "true":
            problems.append(
                at(
                    node,
                    f"Event subprocess '{node.get('id')}' is not supported; "
                    "use a boundary timer event instead.",
                )
            )
    return problems


def duplicate_id_problems(root: etree._Element) -> list[Problem]:
    """Ids used more than once in the document."""
    seen: dict[str, int] = {}
    problems = []
    for node in root.iter():
        node_id = node.get("id") if isinstance(node.tag, str) else None
        if node_id is None:
            continue
        if node_id in seen:
            problems.append(
                at(
                    node,
                    f"The id '{node_id}' is used twice (first on line "
                    f"{seen[node_id]}); give each element its own id.",
                )
            )
        else:
            seen[node_id] = node.sourceline or 0
    return problems


def containers(root: etree._Element) -> list[etree._Element]:
    """Processes and subprocesses: the scopes in which sequence flows connect nodes."""
    return [n for n in bpmn_elements(root) if local(n) in ("process", "subProcess")]


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
    for end, verb in (("sourceRef", "starts at"), ("targetRef", "ends at")):
        ref = flow.get(end)
        if ref not in nodes:
            problems.append(
                at(
                    flow,
                    f"Sequence flow '{flow.get('id')}' {verb} '{ref}', which is "
                    "not an element of this process; reconnect it.",
                )
            )
    return problems


def _gateway_problems(gateway: etree._Element, leaving: list[etree._Element]) -> list[Problem]:
    if not leaving:
        return [
            at(gateway, f"{describe(gateway)} has no outgoing flow; connect it to the next step.")
        ]
    if local(gateway) != "exclusiveGateway" or len(leaving) < 2:
        return []
    default = gateway.get("default")
    return [
        at(
            flow,
            f"Sequence flow '{flow.get('id')}' leaves {describe(gateway).lower()} without a "
            "condition and is not its default flow; add a condition or make it the "
            "default.",
        )
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


def reachability_problems(container: etree._Element) -> list[Problem]:
    """A missing start event, and nodes no path from a start event reaches."""
    nodes = _nodes(container)
    starts = [i for i, n in nodes.items() if local(n) == "startEvent"]
    if not starts:
        return [at(container, f"{describe(container)} has no start event; add one.")]
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
    return [
        at(node, f"{describe(node)} cannot be reached from a start event; connect it or delete it.")
        for node_id, node in nodes.items()
        if node_id not in reached
    ]


def structure_problems(root: etree._Element) -> list[Problem]:
    """All structural problems of a parsed BPMN document."""
    problems = unsupported_problems(root) + duplicate_id_problems(root)
    for container in containers(root):
        if local(container) == "process" and container.get("isExecutable") != "true":
            continue  # documentation-only pools are never run
        problems += flow_problems(container) + reachability_problems(container)
    return problems

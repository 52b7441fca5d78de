"""Structural validation: supported elements, ids, sequence flows, gateways, reachability."""

from __future__ import annotations

import re
from collections.abc import Iterator
from copy import deepcopy

from lxml import etree

from .documents import BPMN_NS
from .problems import Problem, at, said

OMG_PREFIX = "{http://www.omg.org/spec/"

FLOW_NODES = frozenset(
    (
        "startEvent endEvent userTask manualTask scriptTask businessRuleTask task exclusiveGateway"
        " parallelGateway inclusiveGateway eventBasedGateway intermediateCatchEvent"
        " intermediateThrowEvent boundaryEvent subProcess callActivity sendTask receiveTask"
        " serviceTask"
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
        " textAnnotation text association group category categoryValue property itemDefinition"
        " signal error escalation errorEventDefinition escalationEventDefinition"
        " signalEventDefinition terminateEventDefinition"
    ).split()
)
SUPPORTED = FLOW_NODES | MULTI_INSTANCE | OTHER_ELEMENTS
# Event definitions each kind of event may carry.
# Signals reach the instance that throws them only (docs/ENGINE_CONTRACT.md); a start event
# has no other instance to hear one, so signal start events stay refused.
_THROWN = {"messageEventDefinition", "signalEventDefinition", "escalationEventDefinition"}
_CAUGHT = {"messageEventDefinition", "timerEventDefinition", "signalEventDefinition"}
EVENT_DEFINITIONS = {
    "startEvent": {"messageEventDefinition", "timerEventDefinition"},
    # SpiffWorkflow 3.2 reads no signal on an end event (it would end without sending it):
    # throw the signal from an intermediate event just before the end.
    "endEvent": {
        "messageEventDefinition",
        "escalationEventDefinition",
        "errorEventDefinition",
        "terminateEventDefinition",
    },
    "intermediateCatchEvent": _CAUGHT,
    "intermediateThrowEvent": _THROWN,
    "boundaryEvent": _CAUGHT | {"errorEventDefinition", "escalationEventDefinition"},
}
# What to use instead (a key of problems.MESSAGES), per event kind, when an event definition is
# not supported.
EVENT_HINTS = {
    "startEvent": "hint_start_event",
    "endEvent": "hint_end_event",
    "intermediateCatchEvent": "hint_catch_event",
    "intermediateThrowEvent": "hint_throw_event",
    "boundaryEvent": "hint_boundary_event",
}
HINTS = {
    "complexGateway": "hint_gateway",
    "transaction": "hint_subprocess",
    "adHocSubProcess": "hint_subprocess",
    "standardLoopCharacteristics": "hint_loop",
    "complexBehaviorDefinition": "hint_complex_behavior",
    "dataStore": "hint_data_store",
    "dataStoreReference": "hint_data_store",
    "ioSpecification": "hint_io_specification",
    "choreography": "hint_choreography",
    "conversation": "hint_conversation",
    "globalUserTask": "hint_global_user_task",
    "globalScriptTask": "hint_global_script_task",
    "globalManualTask": "hint_global_manual_task",
    "globalBusinessRuleTask": "hint_global_rule_task",
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
# Gateways that pick their outgoing flows by condition (or take the default flow).
CHOOSING_GATEWAYS = frozenset({"exclusiveGateway", "inclusiveGateway"})


def local(node: etree._Element) -> str | None:
    """The local name of a BPMN-namespace element, else None."""
    if not isinstance(node.tag, str) or not node.tag.startswith(f"{{{BPMN_NS}}}"):
        return None
    return node.tag[len(BPMN_NS) + 2 :]


def words(name: str) -> str:
    """'intermediateCatchEvent' -> 'intermediate catch event'."""
    return re.sub(r"(?<!^)([A-Z])", r" \1", name).lower()


def describe(node: etree._Element, capitalised: bool = True) -> str:
    """How messages name an element: kind and id ("User task 'x'"; "user task 'x'" inside a
    sentence; the id keeps its case)."""
    kind = words(local(node) or "element")
    return f"{kind.capitalize() if capitalised else kind} '{node.get('id') or '?'}'"


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
    kind = words(definition).removesuffix(" event definition")
    return "compensation" if kind == "compensate" else kind


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _choices(allowed: set[str]) -> str:
    kinds = [_event_kind(a) for a in sorted(allowed)]
    return " or ".join(f"{_article(k)} {k}" for k in kinds)


def _unsupported(node: etree._Element, name: str) -> Problem:
    parent = node.getparent()
    if name.endswith("EventDefinition") and parent is not None:
        kind = _event_kind(name)
        article = _article(kind)
        hint = said(EVENT_HINTS.get(local(parent) or "", "hint_catch_event"))
        problem = said("unsupported_event", parent, article=article, event=kind, hint=hint)
        return at(node, problem, parent.get("id"))
    hint = said(HINTS.get(name, "hint_default"))
    if node.get("id") or parent is None:
        return at(node, said("unsupported", kind=name, id=str(node.get("id")), hint=hint))
    problem = said("unsupported_inside", parent, part=name, part_words=words(name), hint=hint)
    return at(node, problem, parent.get("id"))


def inside_unsupported(node: etree._Element) -> bool:
    """Whether node is inside an element that is refused as a whole (its content is not
    checked: the container's message says what to do)."""
    return any(local(a) not in SUPPORTED for a in node.iterancestors())


def definition_allowed(definition: etree._Element) -> bool:
    """Whether an event definition sits on an event that may carry it: else the event's one
    message is that it cannot (or the definition is a top-level one no event holds)."""
    parent = definition.getparent()
    allowed = EVENT_DEFINITIONS.get(local(parent) if parent is not None else "", set())
    return local(definition) in allowed


def _event_problems(node: etree._Element, name: str) -> list[Problem]:
    definitions = [local(c) for c in node if (local(c) or "").endswith("EventDefinition")]
    allowed = EVENT_DEFINITIONS[name]
    problems = []
    if len(definitions) > 1:
        problems.append(at(node, said("several_definitions", node)))
    for kind in definitions:
        if kind in SUPPORTED and kind not in allowed:
            problems.append(
                at(
                    node,
                    said(
                        "wrong_event",
                        node,
                        event=_event_kind(kind),
                        choices=_choices(allowed),
                        allowed=[_event_kind(a) for a in sorted(allowed)],
                    ),
                )
            )
    if (
        name == "startEvent"
        and node.find(f"{{{BPMN_NS}}}timerEventDefinition/{{{BPMN_NS}}}timeCycle") is not None
    ):
        # In an instance a cycle would add a path at every firing and never end.
        problems.append(at(node, said("start_timer_repeats", node)))
    if not definitions and name in ("intermediateCatchEvent", "boundaryEvent"):
        problems.append(
            at(
                node,
                said(
                    "waits_for_nothing",
                    node,
                    choices=_choices(allowed),
                    allowed=[_event_kind(a) for a in sorted(allowed)],
                ),
            )
        )
    return problems


def unsupported_problems(root: etree._Element) -> list[Problem]:
    """Every element OrderGate does not run, named with its id and a replacement.

    What an unsupported element contains is not reported again (one message per element).
    """
    problems = []
    stack = [root]
    while stack:
        node = stack.pop()
        name = local(node)
        if name is None:
            continue
        if name not in SUPPORTED:
            problems.append(_unsupported(node, name))
            continue
        if is_event_subprocess(node):
            problems.append(at(node, said("event_subprocess", id=node.get("id"))))
            continue
        if name != "extensionElements":
            stack.extend(reversed(list(node)))
        if name in EVENT_DEFINITIONS:
            problems.extend(_event_problems(node, name))
    return problems


def is_event_subprocess(node: etree._Element) -> bool:
    """A subprocess started by an event rather than by a sequence flow."""
    return local(node) == "subProcess" and node.get("triggeredByEvent") == "true"


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


def containers(root: etree._Element) -> list[etree._Element]:
    """Processes and subprocesses: the scopes in which sequence flows connect nodes."""
    return [
        n
        for n in bpmn_elements(root)
        if local(n) in ("process", "subProcess") and not is_event_subprocess(n)
    ]


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


def running_process_ids(root: etree._Element) -> set[str]:
    """Executable processes and every process their call activities reach: what can run. With
    none executable, every process (the owner is told to mark one; the rest is checked now)."""
    processes = {p.get("id"): p for p in root.iterchildren(f"{{{BPMN_NS}}}process")}
    running: set[str] = set()
    queue = [pid for pid, p in processes.items() if p.get("isExecutable") == "true"]
    queue = queue or list(processes)
    while queue:
        pid = queue.pop()
        if pid in running or pid not in processes:
            continue
        running.add(pid)
        queue += [c.get("calledElement") for c in processes[pid].iter(f"{{{BPMN_NS}}}callActivity")]
    return running


def running_part(root: etree._Element) -> etree._Element:
    """A copy of the document without the pools that never run (documentation-only processes
    no executable process calls): what content and element checks look at. Lines are kept."""
    running = running_process_ids(root)
    copy = deepcopy(root)
    for process in list(copy.iterchildren(f"{{{BPMN_NS}}}process")):
        if process.get("id") not in running:
            copy.remove(process)
    return copy


def structure_problems(root: etree._Element, running: etree._Element) -> list[Problem]:
    """All structural problems of a parsed BPMN document: ids of the whole document, elements
    and flows of `running` (its `running_part`)."""
    problems = unsupported_problems(running) + duplicate_id_problems(root)
    for container in containers(running):
        problems += flow_problems(container) + reachability_problems(container)
    return problems

"""Which BPMN elements and event definitions OrderGate runs, and a problem naming a replacement
for every one it does not."""

from __future__ import annotations

from lxml import etree

from .bpmn_tree import is_event_subprocess, local, words
from .documents import BPMN_NS
from .problems import Problem, at, said

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

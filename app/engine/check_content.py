"""Content validation: human tasks (lane, form, role, due), timers, expressions, references."""

from __future__ import annotations

import ast
from collections.abc import Sequence

from lxml import etree

from .bpmn_tree import bpmn_elements, local
from .check_decisions import decision_problems, dmn_local
from .check_elements import definition_allowed, inside_unsupported
from .check_expressions import checked
from .check_foreign import (
    assignment_note,
    due_note,
    foreign_expression,
    form_note,
    language_problem,
)
from .check_services import service_task_problems
from .documents import BPMN_NS, SPIFF_NS, spiff_properties
from .durations import working_problem
from .problems import Catalog, Problem, Reason, at, said
from .timers import (
    ESCALATE_PROPERTY,
    ESCALATE_VALUES,
    TIMER_KINDS,
    duration_problem,
    escalation_levels,
    example,
    is_bare_iso,
    timer_problem,
)

HUMAN_TASKS = ("userTask", "manualTask")
# A plain task (bpmn:task) waits for a person too (SpiffWorkflow runs it as a manual task), so
# it needs a lane like them: else its inbox row would be nobody's.
LANED_TASKS = (*HUMAN_TASKS, "task")


def _lanes(root: etree._Element) -> dict[str, str]:
    """Flow node id -> name of the innermost lane holding it."""
    lanes = {}
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        for ref in lane.iterchildren(f"{{{BPMN_NS}}}flowNodeRef"):
            lanes[(ref.text or "").strip()] = lane.get("name") or ""
    return lanes


def _listing(values: set[str]) -> str | Reason:
    return ", ".join(sorted(values)) if values else said("none_defined")


def _lane_problem(task: etree._Element, lane: str | None, catalog: Catalog) -> Problem | None:
    if lane is None and local(task) == "task":
        return at(task, said("plain_task_not_in_lane", task))
    if lane is None:
        return at(task, said("not_in_lane", task, note=assignment_note(task)))
    if catalog.department_for(lane) is None:
        known = sorted(set(catalog.departments.values()))
        return at(task, said("lane_not_department", task, lane=lane, known=", ".join(known)))
    return None


def human_task_problems(root: etree._Element, catalog: Catalog) -> list[Problem]:
    """User and manual tasks: a department lane, a known form and role, a valid due duration
    (user tasks must have a form and a due duration; manual tasks may go without)."""
    lanes, problems = _lanes(root), []
    for task in bpmn_elements(root):
        if local(task) not in LANED_TASKS or inside_unsupported(task):
            continue
        lane_problem = _lane_problem(task, lanes.get(task.get("id")), catalog)
        problems += [lane_problem] if lane_problem else []
        props = spiff_properties(task)
        form, role, due = props.get("form"), props.get("role"), props.get("due")
        if not form and local(task) == "userTask":
            problems.append(at(task, said("no_form", task, note=form_note(task))))
        elif form and form not in catalog.forms:
            problems.append(
                at(task, said("unknown_form", task, form=form, known=_listing(catalog.forms)))
            )
        if role and role not in catalog.roles:
            problems.append(
                at(task, said("unknown_role", task, role=role, known=_listing(catalog.roles)))
            )
        if not (due or "").strip():
            if local(task) == "userTask":  # a manual task may go without one
                problems.append(at(task, said("no_due", task, note=due_note(task))))
        elif duration_problem(due.strip()) or working_problem(due.strip()):
            why = duration_problem(due.strip()) or working_problem(due.strip())
            problems.append(at(task, said("bad_due", task, due=due, detail=why)))
    return problems


def _assigned_names(script: str | None) -> set[str]:
    try:
        tree = ast.parse(script or "")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return set()
    return {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }


def data_names(root: etree._Element, dmn_roots: Sequence[etree._Element] = ()) -> set[str]:
    """Task-data names the diagram itself sets: step ids (form data and message payloads are
    kept under them), names scripts assign, message variables, data objects, multi-instance
    items and decision outputs."""
    names = {
        n.get("id")
        for n in bpmn_elements(root)
        if local(n) in ("userTask", "manualTask", "intermediateCatchEvent", "startEvent")
        or local(n) in ("dataObject", "inputDataItem", "outputDataItem")
    }
    for node in root.iter(f"{{{BPMN_NS}}}script", f"{{{SPIFF_NS}}}preScript"):
        names |= _assigned_names(node.text)
    for node in root.iter(f"{{{SPIFF_NS}}}postScript"):
        names |= _assigned_names(node.text)
    for node in root.iter(f"{{{SPIFF_NS}}}messageVariable", f"{{{BPMN_NS}}}loopDataOutputRef"):
        names.add((node.text or "").strip())
    names |= {n.get("name") for d in dmn_roots for n in d.iter() if dmn_local(n) == "output"}
    return {n for n in names if n}


def _unset_name(text: str | None, kind: str, names: set[str]) -> str | None:
    # A bare word ("soon", "tomorrow") would be looked up as task data that nothing sets.
    word = (text or "").strip()
    if not word.isidentifier() or is_bare_iso(word) or word in names:
        return None
    return (
        f"'{word}' is not an ISO 8601 {kind} (for example {example(kind)}), and no step of "
        "this process sets task data of that name"
    )


def timer_problems(root: etree._Element, dmn_roots: Sequence[etree._Element] = ()) -> list[Problem]:
    """Timers must hold one ISO 8601 date, duration or cycle (a bare PT4H is fine), or an
    expression; a bare name must be task data the diagram sets."""
    problems, names = [], data_names(root, dmn_roots)
    for timer in root.iter(f"{{{BPMN_NS}}}timerEventDefinition"):
        event = timer.getparent()
        if not definition_allowed(timer):
            continue  # a definition nothing uses, or one its event may not have (said once)
        values = [c for c in timer if local(c) in TIMER_KINDS]
        if len(values) != 1:
            problems.append(at(event, said("timer_needs_one", event)))
            continue
        kind, text = TIMER_KINDS[local(values[0])], values[0].text
        problem = (
            foreign_expression(text)
            or timer_problem(kind, text)
            or _unset_name(text, kind, names)
            or _working_timer_problem(root, event, kind, text)
        )
        if problem:
            problems.append(
                at(values[0], said("timer_invalid", event, detail=problem), event.get("id"))
            )
    return problems


def _on_user_task(root: etree._Element, event: etree._Element) -> bool:
    """Whether event is a boundary event of a user or manual task."""
    if local(event) != "boundaryEvent":
        return False
    attached = event.get("attachedToRef")
    return any(
        t.get("id") == attached for name in HUMAN_TASKS for t in root.iter(f"{{{BPMN_NS}}}{name}")
    )


def _working_timer_problem(
    root: etree._Element, event: etree._Element, kind: str, text: str | None
) -> str | None:
    """A duration counted in working time (a timer on a user task) must stay within about a
    year, or its end would be searched for far into the calendar."""
    value = (text or "").strip()
    if not is_bare_iso(value) or not _on_user_task(root, event) or kind == "date":
        return None
    durations = (
        [value]
        if kind == "duration"
        else [p for p in value.split("/")[1:] if p.upper().startswith("P")]
    )
    return next((working_problem(d) for d in durations if working_problem(d)), None)


def escalation_problems(root: etree._Element) -> list[Problem]:
    """The 'escalate' property (docs/DEADLINES.md) belongs on a timer on a user task's boundary
    and names one of the escalation steps."""
    problems = []
    for node in bpmn_elements(root):
        value = spiff_properties(node).get(ESCALATE_PROPERTY)
        if value is None:
            continue
        is_timer = node.find(f"{{{BPMN_NS}}}timerEventDefinition") is not None
        if not (is_timer and _on_user_task(root, node)):
            problems.append(at(node, said("escalate_misplaced", node, name=ESCALATE_PROPERTY)))
        elif not escalation_levels(value) or any(
            level not in ESCALATE_VALUES for level in escalation_levels(value)
        ):
            problems.append(
                at(
                    node,
                    said(
                        "escalate_bad_value",
                        node,
                        name=ESCALATE_PROPERTY,
                        value=value,
                        known=", ".join(ESCALATE_VALUES),
                    ),
                )
            )
    return problems


def _owner(node: etree._Element) -> etree._Element:
    """The nearest element with an id holding node (the document root if none has one)."""
    current = node
    while current is not None and not current.get("id"):
        current = current.getparent()
    return current if current is not None else node.getroottree().getroot()


def expression_problems(root: etree._Element) -> list[Problem]:
    """Conditions, scripts and message expressions, checked by the restricted compiler."""
    problems = []
    for flow in root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        for cond in flow.iterchildren(f"{{{BPMN_NS}}}conditionExpression"):
            owner = said("owner", flow)
            language = language_problem(cond, "language", owner, flow.get("id"))
            what = said("what_condition")
            problems += (
                [language] if language else checked(cond, cond.text, what, owner, flow.get("id"))
            )
    for task in root.iter(f"{{{BPMN_NS}}}scriptTask"):
        script = task.find(f"{{{BPMN_NS}}}script")
        node = script if script is not None else task
        text = script.text if script is not None else None
        owner, what = said("owner", task), said("what_script")
        language = language_problem(task, "scriptFormat", owner, task.get("id"))
        problems += (
            [language] if language else checked(node, text, what, owner, task.get("id"), True)
        )
    spiff_items = (
        ("preScript", True, "what_preScript"),
        ("postScript", True, "what_postScript"),
        ("messagePayload", False, "what_messagePayload"),
        ("expression", False, "what_expression"),
    )
    for name, is_script, what in spiff_items:
        for node in root.iter(f"{{{SPIFF_NS}}}{name}"):
            owner = _owner(node)
            problems += checked(
                node, node.text, said(what), said("owner", owner), owner.get("id"), is_script
            )
    for prop in root.iter(f"{{{BPMN_NS}}}correlationPropertyRetrievalExpression"):
        correlation = prop.getparent()
        label = correlation.get("id") or correlation.get("name") or "?"
        for expr in prop:
            problems += checked(
                expr,
                expr.text,
                said("what_retrieval"),
                said("owner_correlation", name=label),
                correlation.get("id"),
            )
    for var in root.iter(f"{{{SPIFF_NS}}}messageVariable"):
        name = (var.text or "").strip()
        if not name.isidentifier() or name.startswith("_"):
            problems.append(
                at(var, said("message_variable_bad", _owner(var), name=name), _owner(var).get("id"))
            )
    return problems


def property_problems(root: etree._Element) -> list[Problem]:
    """Every spiffworkflow:property needs a name and a value (SpiffWorkflow reads both)."""
    problems = []
    for prop in root.iter(f"{{{SPIFF_NS}}}property"):
        owner = _owner(prop)
        owner_id = owner.get("id")
        if prop.get("name") is None:
            problems.append(at(prop, said("property_no_name", owner), owner_id))
        elif prop.get("value") is None:
            problems.append(
                at(prop, said("property_no_value", owner, name=prop.get("name")), owner_id)
            )
    return problems


# Event definitions that name a root element, and the element they name.
_DEFINITION_REFS = {
    "errorEventDefinition": ("errorRef", "error"),
    "escalationEventDefinition": ("escalationRef", "escalation"),
    "signalEventDefinition": ("signalRef", "signal"),
}


def _definition_ref_problems(root: etree._Element) -> list[Problem]:
    """An error, escalation or signal event names one this file defines (or none: an error
    boundary without one catches every error, a signal without one goes by the event's name)."""
    problems = []
    for definition_name, (attribute, kind) in _DEFINITION_REFS.items():
        defined = {n.get("id") for n in root.iter(f"{{{BPMN_NS}}}{kind}")}
        for definition in root.iter(f"{{{BPMN_NS}}}{definition_name}"):
            ref, event = definition.get(attribute), definition.getparent()
            if ref and ref not in defined and definition_allowed(definition):
                problems.append(at(event, said("ref_unknown", event, event=kind, ref=ref)))
    return problems


def _call_problems(root: etree._Element, catalog: Catalog) -> list[Problem]:
    """A call activity calls a process of this file or a published one (which must not call
    any process of this file back: that recursion would never end)."""
    processes = {p.get("id") for p in root.iter(f"{{{BPMN_NS}}}process")}
    problems = []
    for call in root.iter(f"{{{BPMN_NS}}}callActivity"):
        called = call.get("calledElement")
        if called in processes:
            continue
        published = catalog.published(called) if called else None
        if published is None:
            problems.append(at(call, said("call_unknown", call, called=called)))
        elif looped := [pid for pid in published.reaches if pid in processes]:
            problems.append(at(call, said("call_recursive", call, called=called, back=looped[0])))
    return problems


def reference_problems(root: etree._Element, decision_ids: set[str]) -> list[Problem]:
    """Message, correlation and called decision references must resolve."""
    messages = {m.get("id") for m in root.iter(f"{{{BPMN_NS}}}message")}
    problems = []
    for prop in root.iter(f"{{{BPMN_NS}}}correlationProperty"):
        if not prop.get("id"):
            problems.append(at(prop, said("correlation_no_id", name=prop.get("name") or "?")))
    for definition in root.iter(f"{{{BPMN_NS}}}messageEventDefinition"):
        event = definition.getparent()
        if not definition_allowed(definition):
            continue
        if definition.get("messageRef") not in messages:
            problems.append(at(event, said("no_message", event)))
    for task in root.iter(f"{{{BPMN_NS}}}sendTask", f"{{{BPMN_NS}}}receiveTask"):
        has_definition = task.find(f"{{{BPMN_NS}}}messageEventDefinition") is not None
        if not has_definition and task.get("messageRef") not in messages:
            problems.append(at(task, said("no_message", task)))
    problems += _definition_ref_problems(root)
    for task in root.iter(f"{{{BPMN_NS}}}businessRuleTask"):
        called = task.find(f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}calledDecisionId")
        decision = (called.text or "").strip() if called is not None else ""
        if not decision:
            problems.append(at(task, said("decision_missing", task)))
        elif decision not in decision_ids:
            problems.append(at(task, said("decision_unknown", task, decision=decision)))
    return problems


def content_problems(
    root: etree._Element, catalog: Catalog, dmn_roots: Sequence[etree._Element]
) -> list[Problem]:
    """All content problems of a parsed BPMN document and its DMN files."""
    decision_ids = {n.get("id") for d in dmn_roots for n in d.iter() if dmn_local(n) == "decision"}
    return (
        human_task_problems(root, catalog)
        + timer_problems(root, dmn_roots)
        + escalation_problems(root)
        + expression_problems(root)
        + reference_problems(root, decision_ids)
        + _call_problems(root, catalog)
        + property_problems(root)
        + service_task_problems(root)
        + decision_problems(dmn_roots)
    )

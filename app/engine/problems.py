"""What validation reports: problems with a line, and the catalog diagrams are checked against."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field


class Reason(str):
    """A sentence said by the engine: the English text (what `str` gives: logs, the CLI, tests)
    with a `key` and `params`, so the app can say it in its reader's language (docs/I18N.md).
    Used for migration refusals (`migration.py`) and diagram problems (`said`)."""

    key: str
    params: dict

    def __new__(cls, key: str, text: str, **params) -> Reason:
        reason = super().__new__(cls, text)
        reason.key, reason.params = key, params
        return reason


# Diagram problems with a key: English template (str.format). `app/core/processes/
# diagram_problems.py` says each key in the reader's language; a test checks both lists agree.
# {element} / {element_lc} name the element (kind and id) at the start of / inside a sentence.
MESSAGES = {
    "several_definitions": "{element} has several event definitions; keep one.",
    "event_subprocess": "Event subprocess '{id}' is not supported; use a boundary timer event, "
    "or a message catch event in the main flow, instead.",
    "duplicate_id": "The id '{id}' is used twice (first on line {first}); give each element its "
    "own id.",
    "flow_no_source": "Sequence flow '{id}' has no start (sourceRef is missing); connect both of "
    "its ends.",
    "flow_no_target": "Sequence flow '{id}' has no end (targetRef is missing); connect both of "
    "its ends.",
    "flow_bad_source": "Sequence flow '{id}' starts at '{ref}', which is not an element of this "
    "process; reconnect it.",
    "flow_bad_target": "Sequence flow '{id}' ends at '{ref}', which is not an element of this "
    "process; reconnect it.",
    "gateway_no_outgoing": "{element} has no outgoing flow; connect it to the next step.",
    "default_not_leaving": "The default flow '{default}' of {element_lc} does not leave it; "
    "choose one of its outgoing flows as the default.",
    "flow_no_condition": "Sequence flow '{flow}' leaves {element_lc} without a condition and is "
    "not its default flow; add a condition or make it the default.",
    "no_start": "{element} has no start event; add one.",
    "competing_starts": "{element} has {count} start events ({names}); a start event without a "
    "message or timer ('{plain}') starts at once and cancels the others, so keep only one, or "
    "give every start event a message or timer.",
    "unreachable": "{element} cannot be reached from a start event; connect it or delete it.",
    "schema": "The file does not follow the BPMN 2.0 schema: {detail}; fix or remove this element.",
    "not_executable": 'No process is marked executable; set isExecutable="true" on the process '
    "OrderGate should run.",
    "build_failed": "SpiffWorkflow cannot build the process: {detail}.",
    "spiff_warns": "SpiffWorkflow warns: {detail}",
    "unchecked": "The diagram could not be checked ({detail}); save it again from the modeler "
    "and retry.",
    "not_in_lane": "{element} is not in any lane; put it in the lane of the department that "
    "does it{note}.",
    "plain_task_not_in_lane": "{element} is not in any lane, but a plain task waits for someone "
    "to mark it done; put it in the lane of the department that does it, or make it a script "
    "task if nobody needs to act.",
    "lane_not_department": "{element} is in the lane '{lane}', which is not a department; rename "
    "the lane to one of: {known}.",
    "no_form": "{element} has no form; add the spiffworkflow property 'form' naming one{note}.",
    "unknown_form": "{element} uses the form '{form}', which does not exist; use one of: {known}.",
    "unknown_role": "{element} requires the role '{role}', which does not exist; use one of: "
    "{known}.",
    "no_due": "{element} has no due time; add the spiffworkflow property 'due' with a duration "
    "such as PT8H or P2D{note}.",
    "bad_due": "{element} has the due time '{due}': {detail}.",
    "timer_needs_one": "The timer of {element_lc} needs exactly one date, duration or cycle; set "
    "it in the modeler.",
    "timer_invalid": "The timer of {element_lc} is invalid: {detail}.",
    "start_timer_repeats": "{element} has a repeating timer (a cycle): in an instance it would "
    "start a new path at every cycle and never end; make it a plain start event and wait with a "
    "timer boundary or intermediate event instead.",
    "escalate_misplaced": "{element} has the property '{name}', which only a timer on the "
    "boundary of a user task may have; remove it or move it there.",
    "escalate_bad_value": "{element} has '{name}' = '{value}'; use one of: {known}, or several "
    "separated by commas for a cycle timer (the first firing takes the first).",
    "message_variable_bad": "The message variable '{name}' of {element_lc} must be a plain name "
    "(letters, digits, _; not starting with _).",
    "property_no_name": "A spiffworkflow property of {element_lc} has no name; name it (form, "
    "due, role, ...) or remove it.",
    "property_no_value": "The spiffworkflow property '{name}' of {element_lc} has no value; set "
    "one or remove the property.",
    "correlation_no_id": "The correlation property '{name}' has no id; give it one (correlation "
    "keys and messages refer to it by id).",
    "ref_unknown": "{element} refers to the {event} '{ref}', which this file does not define; "
    "pick one defined here or add it.",
    "connector_missing": "{element} calls no connector; add a spiffworkflow:serviceTaskOperator "
    "naming one of: {known}.",
    "connector_unknown": "{element} calls the connector '{name}', which does not exist; use one "
    "of: {known}.",
    "connector_param_unknown": "{element} gives the connector '{name}' the parameter '{param}', "
    "which it does not take; its parameters: {known}.",
    "connector_param_missing": "{element} does not give the connector '{name}' its parameter "
    "'{param}'; add it.",
    "endpoint_unknown": "{element} calls the endpoint '{endpoint}', which is not configured; use "
    "one of: {known}.",
    "no_message": "{element} does not name a message; choose or create the message it sends or "
    "waits for.",
    "call_unknown": "{element} calls the process '{called}', which is neither in this file nor "
    "published; pick a process defined here or publish '{called}' first.",
    "call_recursive": "{element} calls the process '{called}', whose published version calls "
    "'{back}' of this file back; a process may not call itself through another.",
    "decision_unknown": "{element} calls the decision '{decision}', but no DMN file with that "
    "decision was supplied; upload it or fix the decision id.",
    "decision_missing": "{element} does not name a decision; set its decision id "
    "(spiffworkflow:calledDecisionId) to a decision of the DMN file it uses.",
    "expr_empty": "The {what} of {owner} is empty; write one or remove it.",
    "expr_refused": "The {what} of {owner} was refused: {detail}.",
    "expr_rejected": "The {what} of {owner} was refused: {detail}",  # detail ends its sentence
    "not_python": "'{expr}' is not a Python expression ({detail}).",
    "other_language": "The {what} of {owner} is written in {language}; OrderGate runs Python "
    "only, so rewrite it in Python.",
    "mi_not_human": "{element} is multi-instance, which only user and manual tasks may be; model "
    "the repetition with gateways.",
    "mi_name_bad": "The {what} '{name}' of {owner} must be the name of a task data variable "
    "(letters, digits, _; not starting with _).",
    "mi_input_or_cardinality": "The multi-instance marker of {owner} needs either a collection "
    "(loop input) or a cardinality, not both or neither; set one of them.",
    "mi_output_pair": "The multi-instance marker of {owner} needs both an output collection and "
    "an output item, or neither.",
    "mi_item_is_collection": "The input item of {owner} has the name of its collection; give "
    "each item its own name (e.g. 'line' for 'lines').",
    "table_no_rules": "The {owner} has no rules, so it can never decide; add at least one rule (a "
    "last rule with '-' in every input catches everything else).",
    "unsupported_event": "{element} is {article} {event} event, which is not supported; {hint}.",
    "unsupported": "{element} is not supported; {hint}.",
    "unsupported_inside": "The {part_words} in {element_lc} is not supported; {hint}.",
    "wrong_event": "{element} cannot be a {event} event; use {choices} event instead.",
    "waits_for_nothing": "{element} waits for nothing; give it {choices} event definition.",
    "doc_declaration": "The {what} file contains a DOCTYPE or ENTITY declaration; remove it "
    "(diagrams never need one).",
    "doc_binary": "The {what} file holds binary data, not XML; upload the .{ext} file the modeler "
    "saved.",
    "doc_not_xml": "The {what} file is not XML: it starts with '{char}' instead of '<'; upload the "
    ".{ext} file the modeler saved.",
    "doc_broken_xml": "The {what} file is not well-formed XML: {detail}.",
    "doc_empty": "The {what} file is empty; upload a diagram saved by the modeler.",
    "doc_too_big": "The {what} file is {size} MB; the limit is 2 MB. Split it into smaller "
    "processes.",
    "doc_too_deep": "The {what} file nests elements {depth} levels deep (the limit is {limit}); "
    "flatten the diagram.",
    "doc_not_bpmn": "This is not a BPMN 2.0 file: the root element must be bpmn:definitions in the "
    "namespace {ns}.",
    # parts of sentences (a note in brackets, an empty list)
    "foreign_juel": "'{expr}' is a Camunda 7 (JUEL) expression; OrderGate evaluates Python, so "
    "write it as a Python expression without ${{ }}",
    "foreign_feel": "'{expr}' is a FEEL expression (Camunda 8); OrderGate evaluates Python, so "
    "write it as a Python expression without the leading '='",
    "hint_start_event": "use a plain, message or timer start event",
    "hint_end_event": "use a plain, message, escalation, error or terminate end event (a "
    "signal is thrown by an intermediate event)",
    "hint_catch_event": "use a message, timer or signal event",
    "hint_throw_event": "use a message, signal or escalation throw event",
    "hint_boundary_event": "use a timer, message, signal, error or escalation boundary event",
    "hint_gateway": "use an exclusive, inclusive or parallel gateway",
    "hint_subprocess": "use a plain subprocess",
    "hint_loop": "model the loop with an exclusive gateway",
    "hint_complex_behavior": "remove it; instances run to completion",
    "hint_data_store": "keep the data in the task data (form fields and scripts)",
    "hint_io_specification": "remove it (every step sees the whole task data)",
    "hint_choreography": "model the process in a pool (bpmn:process) instead",
    "hint_conversation": "connect the pools with message flows instead",
    "hint_global_user_task": "put the user task in the process itself",
    "hint_global_script_task": "put the script task in the process itself",
    "hint_global_manual_task": "put the manual task in the process itself",
    "hint_global_rule_task": "put the business rule task in the process itself",
    "hint_default": "remove it or replace it with a supported element",
    "owner": "{element_lc}",
    "owner_correlation": "correlation property '{name}'",
    "owner_table": "decision table '{id}' (DMN)",
    "what_condition": "condition",
    "what_script": "script",
    "what_preScript": "preScript",
    "what_postScript": "postScript",
    "what_messagePayload": "messagePayload",
    "what_expression": "expression",
    "what_retrieval": "retrieval expression",
    "what_cardinality": "loop cardinality",
    "what_completion": "completion condition",
    "what_input_expression": "input expression",
    "what_rule_cell": "rule '{rule}' cell",
    "what_rule_output": "rule '{rule}' output",
    "what_collection": "collection",
    "what_output_collection": "output collection",
    "what_input_item": "input item",
    "what_output_item": "output item",
    "none_defined": "(none defined yet)",
    "note_assignment": " (OrderGate assigns work by lane, not by Camunda assignees or candidate "
    "groups)",
    "note_camunda_form": " (OrderGate does not read its Camunda form '{form}')",
    "note_camunda_form_unnamed": " (OrderGate does not read its Camunda form)",
    "note_camunda_form_data": " (OrderGate does not read its Camunda form fields in "
    "camunda:formData)",
    "note_camunda_property": " (it is a camunda:property; OrderGate reads "
    "spiffworkflow:properties)",
    "note_camunda_due": " (OrderGate does not read camunda:dueDate)",
    "note_zeebe_schedule": " (OrderGate does not read zeebe:taskSchedule)",
}


def kind_words(kind: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r" \1", kind).lower()


def said(key: str, node: object = None, **params) -> Reason:
    """The problem `key` with its facts; `node` (an lxml element) adds its kind and id."""
    if node is not None:
        tag = getattr(node, "tag", "")
        params.setdefault("kind", tag.rsplit("}", 1)[-1] if isinstance(tag, str) else "element")
        params.setdefault("id", node.get("id") or "?")
    fields = dict(params)
    if "kind" in params:
        words = kind_words(params["kind"] or "element")
        fields["element"] = f"{words.capitalize()} '{params['id']}'"
        fields["element_lc"] = f"{words} '{params['id']}'"
    return Reason(key, MESSAGES[key].format(**fields), **params)


@dataclass
class Problem:
    """One thing wrong with a diagram: where (line, element id) and what to fix."""

    line: int
    message: str
    element_id: str | None = None


@dataclass(frozen=True)
class CalledProcess:
    """A published process a call activity may call: what its current version runs with."""

    files: tuple[bytes, ...]  # its BPMN, then those of the versions it pins (transitively)
    decisions: tuple[bytes, ...]  # the DMN files of all of them
    reaches: tuple[str, ...]  # the process ids it calls, directly or not (itself first)


def _no_published_process(_process_id: str) -> CalledProcess | None:
    return None


@dataclass
class Catalog:
    """Departments (lane name or display name -> key), forms and roles a diagram may use, and
    the published processes its call activities may call (looked up by process id)."""

    departments: dict[str, str]
    forms: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)
    published: Callable[[str], CalledProcess | None] = _no_published_process

    def department_for(self, lane_name: str | None) -> str | None:
        """The department key for a lane name, compared case-insensitively."""
        if not lane_name:
            return None
        wanted = lane_name.strip().casefold()
        for name, key in self.departments.items():
            if name.casefold() == wanted:
                return key
        return None


def at(node: object, message: str, element_id: str | None = None) -> Problem:
    """A Problem located at an lxml element (its source line and id)."""
    line = getattr(node, "sourceline", None) or 0
    get = getattr(node, "get", None)
    return Problem(line, message, element_id or (get("id") if get else None))

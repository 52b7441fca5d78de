"""The engine's diagram problems said in the reader's language (docs/I18N.md).

The engine (`app/engine/problems.py`) gives each problem a `Reason`: its English sentence (logs,
`flask workflows deploy`, engine tests) with a key and its facts, the same way migration
refusals are said (`migration_reasons.py`). Here each key has a gettext sentence; element ids,
names and technical details (SpiffWorkflow's or the schema's own words) stay as written. A
problem without a key (or with one this module does not know) shows its English text.
"""

from __future__ import annotations

from flask_babel import get_locale, pgettext
from flask_babel import lazy_gettext as _l

from app.core.processes.version_diff import KIND_WORDS
from app.engine.problems import Problem, kind_words

KINDS = {**KIND_WORDS, "process": _l("Process")}

SENTENCES = {
    "several_definitions": _l("%(element)s has several event definitions; keep one."),
    "event_subprocess": _l(
        "Event subprocess %(id)s is not supported; use a boundary timer event, or a message "
        "catch event in the main flow, instead."
    ),
    "duplicate_id": _l(
        "The id %(id)s is used twice (first on line %(first)s); give each element its own id."
    ),
    "flow_no_source": _l(
        "Sequence flow %(id)s has no start (sourceRef is missing); connect both of its ends."
    ),
    "flow_no_target": _l(
        "Sequence flow %(id)s has no end (targetRef is missing); connect both of its ends."
    ),
    "flow_bad_source": _l(
        "Sequence flow %(id)s starts at %(ref)s, which is not an element of this process; "
        "reconnect it."
    ),
    "flow_bad_target": _l(
        "Sequence flow %(id)s ends at %(ref)s, which is not an element of this process; "
        "reconnect it."
    ),
    "gateway_no_outgoing": _l("%(element)s has no outgoing flow; connect it to the next step."),
    "default_not_leaving": _l(
        "The default flow %(default)s of %(element_lc)s does not leave it; choose one of its "
        "outgoing flows as the default."
    ),
    "flow_no_condition": _l(
        "Sequence flow %(flow)s leaves %(element_lc)s without a condition and is not its "
        "default flow; add a condition or make it the default."
    ),
    "no_start": _l("%(element)s has no start event; add one."),
    "competing_starts": _l(
        "%(element)s has %(count)s start events (%(names)s); a start event without a message "
        "or timer (%(plain)s) starts at once and cancels the others, so keep only one, or give "
        "every start event a message or timer."
    ),
    "unreachable": _l("%(element)s cannot be reached from a start event; connect it or delete it."),
    "schema": _l(
        "The file does not follow the BPMN 2.0 schema: %(detail)s; fix or remove this element."
    ),
    "not_executable": _l(
        'No process is marked executable; set isExecutable="true" on the process OrderGate '
        "should run."
    ),
    "build_failed": _l("SpiffWorkflow cannot build the process: %(detail)s."),
    "spiff_warns": _l("SpiffWorkflow warns: %(detail)s"),
    "unchecked": _l(
        "The diagram could not be checked (%(detail)s); save it again from the modeler and retry."
    ),
    "not_in_lane": _l(
        "%(element)s is not in any lane; put it in the lane of the department that does it%(note)s."
    ),
    "plain_task_not_in_lane": _l(
        "%(element)s is not in any lane, but a plain task waits for someone to mark it done; put "
        "it in the lane of the department that does it, or make it a script task if nobody needs "
        "to act."
    ),
    "lane_not_department": _l(
        "%(element)s is in the lane %(lane)s, which is not a department; rename the lane to one "
        "of: %(known)s."
    ),
    "no_form": _l(
        "%(element)s has no form; add the spiffworkflow property 'form' naming one%(note)s."
    ),
    "unknown_form": _l(
        "%(element)s uses the form %(form)s, which does not exist; use one of: %(known)s."
    ),
    "unknown_role": _l(
        "%(element)s requires the role %(role)s, which does not exist; use one of: %(known)s."
    ),
    "no_due": _l(
        "%(element)s has no due time; add the spiffworkflow property 'due' with a duration such "
        "as PT8H or P2D%(note)s."
    ),
    "bad_due": _l("%(element)s has the due time %(due)s: %(detail)s."),
    "timer_needs_one": _l(
        "The timer of %(element_lc)s needs exactly one date, duration or cycle; set it in the "
        "modeler."
    ),
    "timer_invalid": _l("The timer of %(element_lc)s is invalid: %(detail)s."),
    "start_timer_repeats": _l(
        "%(element)s has a repeating timer (a cycle): in an instance it would start a new path at "
        "every cycle and never end; make it a plain start event and wait with a timer boundary "
        "or intermediate event instead."
    ),
    "escalate_misplaced": _l(
        "%(element)s has the property %(name)s, which only a timer on the boundary of a user task "
        "may have; remove it or move it there."
    ),
    "escalate_bad_value": _l(
        "%(element)s has %(name)s = %(value)s; use one of: %(known)s, or several separated by "
        "commas for a cycle timer (the first firing takes the first)."
    ),
    "message_variable_bad": _l(
        "The message variable %(name)s of %(element_lc)s must be a plain name (letters, digits, "
        "_; not starting with _)."
    ),
    "property_no_name": _l(
        "A spiffworkflow property of %(element_lc)s has no name; name it (form, due, role, ...) "
        "or remove it."
    ),
    "property_no_value": _l(
        "The spiffworkflow property %(name)s of %(element_lc)s has no value; set one or remove "
        "the property."
    ),
    "correlation_no_id": _l(
        "The correlation property %(name)s has no id; give it one (correlation keys and messages "
        "refer to it by id)."
    ),
    "ref_unknown": _l(
        "%(element)s refers to the %(event)s %(ref)s, which this file does not define; pick one "
        "defined here or add it."
    ),
    "connector_missing": _l(
        "%(element)s calls no connector; add a spiffworkflow:serviceTaskOperator naming one of: "
        "%(known)s."
    ),
    "connector_unknown": _l(
        "%(element)s calls the connector %(name)s, which does not exist; use one of: %(known)s."
    ),
    "connector_param_unknown": _l(
        "%(element)s gives the connector %(name)s the parameter %(param)s, which it does not "
        "take; its parameters: %(known)s."
    ),
    "connector_param_missing": _l(
        "%(element)s does not give the connector %(name)s its parameter %(param)s; add it."
    ),
    "endpoint_unknown": _l(
        "%(element)s calls the endpoint %(endpoint)s, which is not configured; use one of: "
        "%(known)s."
    ),
    "no_message": _l(
        "%(element)s does not name a message; choose or create the message it sends or waits for."
    ),
    "call_unknown": _l(
        "%(element)s calls the process %(called)s, which is neither in this file nor published; "
        "pick a process defined here or publish %(called)s first."
    ),
    "call_recursive": _l(
        "%(element)s calls the process %(called)s, whose published version calls %(back)s of "
        "this file back; a process may not call itself through another."
    ),
    "decision_unknown": _l(
        "%(element)s calls the decision %(decision)s, but no DMN file with that decision was "
        "supplied; upload it or fix the decision id."
    ),
    "decision_missing": _l(
        "%(element)s does not name a decision; set its decision id "
        "(spiffworkflow:calledDecisionId) to a decision of the DMN file it uses."
    ),
    "expr_empty": _l("The %(what)s of %(owner)s is empty; write one or remove it."),
    "expr_refused": _l("The %(what)s of %(owner)s was refused: %(detail)s."),
    "expr_rejected": _l("The %(what)s of %(owner)s was refused: %(detail)s"),
    "not_python": _l("%(expr)s is not a Python expression (%(detail)s)."),
    "other_language": _l(
        "The %(what)s of %(owner)s is written in %(language)s; OrderGate runs Python only, so "
        "rewrite it in Python."
    ),
    "mi_not_human": _l(
        "%(element)s is multi-instance, which only user and manual tasks may be; model the "
        "repetition with gateways."
    ),
    "mi_name_bad": _l(
        "The %(what)s %(name)s of %(owner)s must be the name of a task data variable (letters, "
        "digits, _; not starting with _)."
    ),
    "mi_input_or_cardinality": _l(
        "The multi-instance marker of %(owner)s needs either a collection (loop input) or a "
        "cardinality, not both or neither; set one of them."
    ),
    "mi_output_pair": _l(
        "The multi-instance marker of %(owner)s needs both an output collection and an output "
        "item, or neither."
    ),
    "mi_item_is_collection": _l(
        "The input item of %(owner)s has the name of its collection; give each item its own name "
        "(e.g. 'line' for 'lines')."
    ),
    "table_no_rules": _l(
        "The %(owner)s has no rules, so it can never decide; add at least one rule (a last rule "
        "with '-' in every input catches everything else)."
    ),
    "foreign_juel": _l(
        "%(expr)s is a Camunda 7 (JUEL) expression; OrderGate evaluates Python, so write it as a "
        "Python expression without ${ }"
    ),
    "foreign_feel": _l(
        "%(expr)s is a FEEL expression (Camunda 8); OrderGate evaluates Python, so write it as a "
        "Python expression without the leading '='"
    ),
    "owner": lambda: "%(element_lc)s",  # the element alone: its kind says itself
    "owner_correlation": _l("correlation property %(name)s"),
    "owner_table": _l("decision table %(id)s (DMN)"),
    # Called when said: lazy_pgettext is not among the extraction keywords (Makefile).
    "what_condition": lambda: pgettext("diagram part", "condition"),
    "what_script": lambda: pgettext("diagram part", "script"),
    "what_preScript": lambda: pgettext("diagram part", "preScript"),
    "what_postScript": lambda: pgettext("diagram part", "postScript"),
    "what_messagePayload": lambda: pgettext("diagram part", "messagePayload"),
    "what_expression": lambda: pgettext("diagram part", "expression"),
    "what_retrieval": lambda: pgettext("diagram part", "retrieval expression"),
    "what_cardinality": lambda: pgettext("diagram part", "loop cardinality"),
    "what_completion": lambda: pgettext("diagram part", "completion condition"),
    "what_input_expression": lambda: pgettext("diagram part", "input expression"),
    "what_rule_cell": _l("rule %(rule)s cell"),
    "what_rule_output": _l("rule %(rule)s output"),
    "what_collection": lambda: pgettext("diagram part", "collection"),
    "what_output_collection": lambda: pgettext("diagram part", "output collection"),
    "what_input_item": lambda: pgettext("diagram part", "input item"),
    "what_output_item": lambda: pgettext("diagram part", "output item"),
    "unsupported_event": _l("%(element)s is %(event)s event, which is not supported; %(hint)s."),
    "unsupported": _l("%(element)s is not supported; %(hint)s."),
    "unsupported_inside": _l("The %(part_words)s in %(element_lc)s is not supported; %(hint)s."),
    "wrong_event": _l("%(element)s cannot be a %(event)s event; use %(choices)s event instead."),
    "waits_for_nothing": _l("%(element)s waits for nothing; give it %(choices)s event definition."),
    "hint_start_event": _l("use a plain, message or timer start event"),
    "hint_end_event": _l(
        "use a plain, message, escalation, error or terminate end event (a signal is thrown by "
        "an intermediate event)"
    ),
    "hint_catch_event": _l("use a message, timer or signal event"),
    "hint_throw_event": _l("use a message, signal or escalation throw event"),
    "hint_boundary_event": _l("use a timer, message, signal, error or escalation boundary event"),
    "hint_gateway": _l("use an exclusive, inclusive or parallel gateway"),
    "hint_subprocess": _l("use a plain subprocess"),
    "hint_loop": _l("model the loop with an exclusive gateway"),
    "hint_complex_behavior": _l("remove it; instances run to completion"),
    "hint_data_store": _l("keep the data in the task data (form fields and scripts)"),
    "hint_io_specification": _l("remove it (every step sees the whole task data)"),
    "hint_choreography": _l("model the process in a pool (bpmn:process) instead"),
    "hint_conversation": _l("connect the pools with message flows instead"),
    "hint_global_user_task": _l("put the user task in the process itself"),
    "hint_global_script_task": _l("put the script task in the process itself"),
    "hint_global_manual_task": _l("put the manual task in the process itself"),
    "hint_global_rule_task": _l("put the business rule task in the process itself"),
    "hint_default": _l("remove it or replace it with a supported element"),
    "doc_declaration": _l(
        "The %(what)s file contains a DOCTYPE or ENTITY declaration; remove it (diagrams never "
        "need one)."
    ),
    "doc_binary": _l(
        "The %(what)s file holds binary data, not XML; upload the .%(ext)s file the modeler saved."
    ),
    "doc_not_xml": _l(
        "The %(what)s file is not XML: it starts with %(char)s instead of '<'; upload the "
        ".%(ext)s file the modeler saved."
    ),
    "doc_broken_xml": _l("The %(what)s file is not well-formed XML: %(detail)s."),
    "doc_empty": _l("The %(what)s file is empty; upload a diagram saved by the modeler."),
    "doc_too_big": _l(
        "The %(what)s file is %(size)s MB; the limit is 2 MB. Split it into smaller processes."
    ),
    "doc_too_deep": _l(
        "The %(what)s file nests elements %(depth)s levels deep (the limit is %(limit)s); "
        "flatten the diagram."
    ),
    "doc_not_bpmn": _l(
        "This is not a BPMN 2.0 file: the root element must be bpmn:definitions in the "
        "namespace %(ns)s."
    ),
    "none_defined": _l("(none defined yet)"),
    "note_assignment": _l(
        " (OrderGate assigns work by lane, not by Camunda assignees or candidate groups)"
    ),
    "note_camunda_form": _l(" (OrderGate does not read its Camunda form %(form)s)"),
    "note_camunda_form_unnamed": _l(" (OrderGate does not read its Camunda form)"),
    "note_camunda_form_data": _l(
        " (OrderGate does not read its Camunda form fields in camunda:formData)"
    ),
    "note_camunda_property": _l(
        " (it is a camunda:property; OrderGate reads spiffworkflow:properties)"
    ),
    "note_camunda_due": _l(" (OrderGate does not read camunda:dueDate)"),
    "note_zeebe_schedule": _l(" (OrderGate does not read zeebe:taskSchedule)"),
}
# Kinds of event (the engine's English words), said in Chinese pages.
EVENTS = {
    "message": lambda: pgettext("event kind", "message"),
    "timer": lambda: pgettext("event kind", "timer"),
    "signal": lambda: pgettext("event kind", "signal"),
    "error": lambda: pgettext("event kind", "error"),
    "escalation": lambda: pgettext("event kind", "escalation"),
    "compensation": lambda: pgettext("event kind", "compensation"),
    "conditional": lambda: pgettext("event kind", "conditional"),
    "cancel": lambda: pgettext("event kind", "cancel"),
    "terminate": lambda: pgettext("event kind", "terminate"),
    "link": lambda: pgettext("event kind", "link"),
}
# Facts that are ids or values from the file, quoted the reader's way.
QUOTED = ("id", "ref", "default", "flow", "plain", "lane", "form", "role", "due", "name", "value")
QUOTED += ("called", "decision", "expr", "rule", "char", "param", "endpoint")


def _quote(value: object, zh: bool) -> str:
    return f"“{value}”" if zh else f"'{value}'"


def _event(kind: str) -> str:
    return EVENTS[kind]() if kind in EVENTS else kind


def _say_parts_in_chinese(params: dict, facts: dict) -> None:
    """Event kinds, lists of them and an element's part: the engine gives them in English."""
    if "event" in params:
        facts["event"] = _event(params["event"])
    if "allowed" in params:
        facts["choices"] = "或".join(_event(a) for a in params["allowed"])
    if "part" in params and params["part"] in KINDS:
        facts["part_words"] = str(KINDS[params["part"]])


def text(message: str) -> str:
    """`message` (a problem's message) in the current request's language."""
    key, params = getattr(message, "key", None), getattr(message, "params", None)
    if key not in SENTENCES or not isinstance(params, dict):
        return str(message)
    zh = str(get_locale() or "").startswith("zh")
    facts = {name: text(v) if hasattr(v, "key") else v for name, v in params.items()}
    for name in QUOTED:
        if name in facts:
            facts[name] = _quote(facts[name], zh)
    if zh:
        _say_parts_in_chinese(params, facts)
    elif "article" in params:  # "a signal", "an error": Chinese has no article
        facts["event"] = f"{params['article']} {params['event']}"
    if "kind" in params:
        kind = params["kind"]
        word = str(KINDS[kind]) if kind in KINDS else kind_words(kind).capitalize()
        element = f"{word}{_quote(params.get('id'), zh)}" if zh else f"{word} {facts['id']}"
        facts["element"] = element
        facts["element_lc"] = element if zh else element[:1].lower() + element[1:]
    sentence = SENTENCES[key]
    return (sentence() if callable(sentence) else str(sentence)) % facts


def said(problem: Problem) -> dict:
    """A problem as the modeler's publish answer shows it."""
    return {
        "message": text(problem.message),
        "element": problem.element_id,
        "line": problem.line or None,
    }

"""Events an instance waits for: messages (correlated to the order) and timers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.task import Task

from .errors import MessageNotWaiting
from .state import SCRIPT_ENGINE


def _waiting(workflow: BpmnWorkflow) -> list:
    return list(workflow.event_manager.tasks.values())


def _message_definitions(workflow: BpmnWorkflow) -> list[MessageEventDefinition]:
    specs = [workflow.spec, *workflow.subprocess_specs.values()]
    return [
        ts.event_definition
        for spec in specs
        for ts in spec.task_specs.values()
        if isinstance(getattr(ts, "event_definition", None), MessageEventDefinition)
    ]


def _evaluate(expression: str, data: dict) -> tuple[bool, object]:
    try:
        return True, SCRIPT_ENGINE.environment.evaluate(expression, dict(data))
    except Exception:  # noqa: BLE001 - a property the data does not carry is simply skipped
        return False, None


def seed_correlations(workflow: BpmnWorkflow, data: dict) -> None:
    """Fix the instance's correlation keys from its start data (e.g. order_id).

    A correlation property whose retrieval expression evaluates against the start data ties the
    instance to that value, so a message for another order is never caught by it.
    """
    for definition in _message_definitions(workflow):
        for prop in definition.correlation_properties:
            found, value = _evaluate(prop.retrieval_expression, data)
            if not found:
                continue
            for key in prop.correlation_keys:
                workflow.correlations.setdefault(key, {})[prop.name] = value


def _correlations(definition: MessageEventDefinition, payload: dict, given: dict | None) -> dict:
    result: dict[str, dict] = {}
    for prop in definition.correlation_properties:
        if given is not None and prop.name in given:
            found, value = True, given[prop.name]
        else:
            found, value = _evaluate(prop.retrieval_expression, payload)
        if found:
            for key in prop.correlation_keys:
                result.setdefault(key, {})[prop.name] = value
    return result


def waiting_task(workflow: BpmnWorkflow, name: str) -> Task:
    """The catch event task waiting for the named message, or raise MessageNotWaiting."""
    for task in _waiting(workflow):
        definition = task.task_spec.event_definition
        if isinstance(definition, MessageEventDefinition) and definition.name == name:
            return task
    raise MessageNotWaiting(name, detail="no catch event waits for this message")


def deliver_message(task: Task, payload: dict, correlation: dict | None) -> None:
    """Hand the message to the workflow of the waiting task; raises MessageNotWaiting if the
    correlation does not match.

    Correlation values are keyed by correlation property id and are also put into the payload,
    because SpiffWorkflow recomputes a caught message's correlation from its payload.
    """
    definition = task.task_spec.event_definition
    payload = {**payload, **(correlation or {})}
    correlations = _correlations(definition, payload, correlation)
    event = BpmnEvent(definition, payload=payload, correlations=correlations)
    try:
        task.workflow.top_workflow.send_event(event)
    except WorkflowException as exc:
        if "not waiting" not in str(exc):
            raise
        raise MessageNotWaiting(
            definition.name, detail=f"correlation did not match: {exc}"
        ) from exc


@dataclass(frozen=True)
class SentMessage:
    """A message the instance sent (send task, message throw or end event) that nothing in the
    instance caught: the service hands it to the subject's other processes."""

    name: str
    payload: object
    correlation: dict = field(default_factory=dict)  # correlation property id -> value


def _flat(correlations: dict | None) -> dict:
    return {prop: v for values in (correlations or {}).values() for prop, v in values.items()}


def sent_messages(workflow: BpmnWorkflow) -> list[SentMessage]:
    """The messages sent since the last call (taken out of the workflow, so never sent twice);
    other events nothing caught (a signal, an escalation at the top) end there. A message
    carries the instance's own correlation (its order) unless its payload gives another."""
    sent, own = [], _flat(workflow.correlations)
    for event in workflow.get_events():
        if not isinstance(event.event_definition, MessageEventDefinition):
            continue
        correlation = {**own, **_flat(event.correlations)}
        sent.append(SentMessage(event.event_definition.name, event.payload, correlation))
    return sent


def _when(definition: TimerEventDefinition, value: object) -> datetime | None:
    if isinstance(definition, CycleTimerEventDefinition):
        if not isinstance(value, dict) or not value.get("cycles"):
            return None
        moment = datetime.fromisoformat(value["next"])
    elif isinstance(value, str):
        moment = TimerEventDefinition.parse_time_or_duration(value)
    else:
        return None
    return moment.astimezone(UTC) if isinstance(moment, datetime) else None


def due_timers(workflow: BpmnWorkflow) -> list[datetime]:
    """When each waiting timer of the instance will fire (UTC)."""
    moments = []
    for task in _waiting(workflow):
        definition = task.task_spec.event_definition
        if isinstance(definition, TimerEventDefinition):
            moment = _when(definition, task.internal_data.get("event_value"))
            if moment is not None:
                moments.append(moment)
    return moments

"""A read-only look into a stored instance state, for consistency checks (`flask doctor`)."""

from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.util.task import TaskState

from .outcomes import all_tasks, unfinished
from .specs import ProcessDefinition
from .state import load_state


@dataclass
class StateSummary:
    """What a stored state waits for: human tasks, automatic steps left over, events."""

    ready_human: set[str]  # task ids of READY user/manual tasks
    ready_automatic: list[str]  # READY engine steps (should have run before the state was saved)
    waiting_events: int  # message and timer catch events waiting
    unfinished: bool


def summarise(defn: ProcessDefinition, state: bytes) -> StateSummary:
    """Restore the state around the cached spec and say what it waits for."""
    workflow = load_state(defn, state)
    tasks = all_tasks(workflow)
    ready = [t for t in tasks if t.state == TaskState.READY]
    return StateSummary(
        ready_human={str(t.id) for t in ready if t.task_spec.manual},
        ready_automatic=[
            getattr(t.task_spec, "bpmn_id", None) or t.task_spec.name
            for t in ready
            if not t.task_spec.manual
        ],
        waiting_events=len(workflow.event_manager.tasks),
        unfinished=unfinished(workflow),
    )

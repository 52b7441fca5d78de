"""Running instances: start, complete a task, deliver a message, fire timers, retry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from .budget import run_limit
from .connectors import Notice, collect_notices
from .errors import EngineError, TaskNotReady
from .events import (
    SentMessage,
    deliver_message,
    due_timers,
    seed_correlations,
    sent_messages,
    waiting_task,
)
from .multi import resume_setups, setup_failures
from .outcomes import (
    ReadyTask,
    all_tasks,
    depth_error,
    failed_tasks,
    find_ready_task,
    ready_tasks,
    to_engine_error,
    unfinished,
)
from .specs import ProcessDefinition
from .state import dump_state, load_state, new_workflow
from .timers import FiredTimer, collect_fired

MAX_TIMER_ROUNDS = 10

__all__ = [
    "ReadyTask",
    "SentMessage",
    "StepResult",
    "complete",
    "fire_due_timers",
    "next_timer_due",
    "retry",
    "send_message",
    "start",
]


@dataclass
class StepResult:
    """The outcome of one engine step, as plain data for the service layer."""

    state: bytes  # zlib-compressed JSON, without the spec
    ready: list[ReadyTask]
    completed: bool
    error: EngineError | None
    data: dict
    next_timer: datetime | None = None  # when the earliest waiting timer fires (UTC)
    fired_timers: list[FiredTimer] = field(default_factory=list)  # what fired in this step
    sent: list[SentMessage] = field(default_factory=list)  # messages nothing here caught
    notices: list[Notice] = field(default_factory=list)  # notify connector calls (connectors.py)


def _current_data(workflow: BpmnWorkflow, completed: bool) -> dict:
    if completed or workflow.last_task is None:
        return workflow.data
    return workflow.last_task.data


def _result(
    defn: ProcessDefinition, workflow: BpmnWorkflow, error: EngineError | None = None
) -> StepResult:
    too_deep = depth_error(workflow)
    error = error or too_deep
    completed = error is None and not unfinished(workflow)
    sent = sent_messages(workflow)  # before the state is written: they leave with this step
    return StepResult(
        state=dump_state(workflow, finished=completed),
        ready=[] if too_deep else ready_tasks(defn, workflow),
        completed=completed,
        error=error,
        data=_current_data(workflow, completed),
        next_timer=min(due_timers(workflow), default=None),
        sent=sent,
    )


def _unchanged(
    defn: ProcessDefinition, state: bytes, error: EngineError, workflow: BpmnWorkflow | None = None
) -> StepResult:
    """The stored state handed back untouched, with the error that stopped the step."""
    workflow = workflow or load_state(defn, state)  # pass it only if it was not changed
    return StepResult(
        state=state,
        ready=[] if error.kind == "depth" else ready_tasks(defn, workflow),
        completed=False,
        error=error,
        data=_current_data(workflow, False),
        next_timer=min(due_timers(workflow), default=None),
    )


def _run_engine_steps(workflow: BpmnWorkflow, refresh_timers: bool) -> None:
    # Every expression and script run here shares one wall-clock limit (budget.run_limit), so
    # a decision table of many slow rows cannot add up to a hung worker either.
    with run_limit():
        resume_setups(all_tasks(workflow))
        if refresh_timers:
            workflow.refresh_timers()
        workflow.do_engine_steps()
        # do_engine_steps refreshes timers last; one that fired then is READY but not yet run.
        for _ in range(MAX_TIMER_ROUNDS):
            if not any(
                not t.task_spec.manual for t in all_tasks(workflow) if t.state == TaskState.READY
            ):
                return
            workflow.do_engine_steps()


def _advance(
    defn: ProcessDefinition, workflow: BpmnWorkflow, refresh_timers: bool = False
) -> StepResult:
    """Run automatic steps; on failure keep the state just before the failing step."""
    with collect_fired() as fired, collect_notices() as notices:
        result = _advance_collected(defn, workflow, refresh_timers, fired)
    result.notices = list(notices)
    return result


def _advance_collected(
    defn: ProcessDefinition, workflow: BpmnWorkflow, refresh_timers: bool, fired: list
) -> StepResult:
    """Run the automatic steps, noting the timers that fire (the caller collects)."""
    try:
        _run_engine_steps(workflow, refresh_timers)
    except Exception as exc:  # noqa: BLE001 - every failure is reported, none is lost
        failed = failed_tasks(workflow)
        error = to_engine_error(exc, failed[0] if failed else None)
        for task in failed:
            # Nothing of a failed step is kept (scripts write data only on success), so
            # making it READY again is exactly the state before it ran; retry() runs it.
            task._set_state(TaskState.READY)
        return _fired(_result(defn, workflow, error), fired)
    for task, exc in setup_failures(all_tasks(workflow)):
        # A multi-instance task could not start its instances; it waits for a retry.
        error = to_engine_error(exc or RuntimeError("setup failed"), task)
        return _fired(_result(defn, workflow, error), fired)
    return _fired(_result(defn, workflow), fired)


def _fired(result: StepResult, fired: list[FiredTimer]) -> StepResult:
    result.fired_timers = list(fired)
    return result


def _restore_checked(
    defn: ProcessDefinition, state: bytes
) -> tuple[BpmnWorkflow, EngineError | None]:
    workflow = load_state(defn, state)
    return workflow, depth_error(workflow)


def start(defn: ProcessDefinition, data: dict) -> StepResult:
    """Start an instance with initial data and run it up to the first wait."""
    workflow = new_workflow(defn)
    workflow.task_tree.data.update(data)
    seed_correlations(workflow, data)
    return _advance(defn, workflow)


def complete(defn: ProcessDefinition, state: bytes, task_id: str, data: dict) -> StepResult:
    """Complete a ready human task with data (merged into its task data), then run on."""
    workflow, too_deep = _restore_checked(defn, state)
    if too_deep:
        return _unchanged(defn, state, too_deep, workflow)
    task = find_ready_task(workflow, task_id)
    if task is None:
        raise TaskNotReady(task_id)
    task.data.update(data)
    try:
        task.run()
    except Exception as exc:  # noqa: BLE001 - the task itself failed: nothing changes
        return _unchanged(defn, state, to_engine_error(exc, task))
    return _advance(defn, workflow)


def send_message(
    defn: ProcessDefinition,
    state: bytes,
    message_name: str,
    payload: dict,
    correlation: dict | None = None,
) -> StepResult:
    """Deliver a named message to the catch event waiting for it; raises MessageNotWaiting."""
    workflow, too_deep = _restore_checked(defn, state)
    if too_deep:
        return _unchanged(defn, state, too_deep, workflow)
    task = waiting_task(workflow, message_name)
    try:
        deliver_message(task, payload, correlation)
    except EngineError:
        raise
    except Exception as exc:  # noqa: BLE001 - e.g. a correlation expression failed
        return _unchanged(defn, state, to_engine_error(exc, task))
    return _advance(defn, workflow)


def fire_due_timers(defn: ProcessDefinition, state: bytes) -> StepResult:
    """Fire every timer whose time has come and run on."""
    workflow, too_deep = _restore_checked(defn, state)
    if too_deep:
        return _unchanged(defn, state, too_deep, workflow)
    return _advance(defn, workflow, refresh_timers=True)


def next_timer_due(defn: ProcessDefinition, state: bytes) -> datetime | None:
    """When the earliest waiting timer fires (UTC), or None if no timer is waiting."""
    return min(due_timers(load_state(defn, state)), default=None)


def retry(defn: ProcessDefinition, state: bytes) -> StepResult:
    """Run the automatic steps again from the stored state, after an error was reported."""
    workflow, too_deep = _restore_checked(defn, state)
    if too_deep:
        return _unchanged(defn, state, too_deep, workflow)
    return _advance(defn, workflow)

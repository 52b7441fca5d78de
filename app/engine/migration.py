"""Moving a running instance to another version of its process (SpiffWorkflow's diff utilities).

The rule: an instance may move only if no task it has completed, started or failed belongs to a
step that was changed or removed in the new version. Steps it has not reached yet (ready,
waiting or predicted) may change: SpiffWorkflow's `migrate_workflow` resets the ready and
waiting tasks and predicts what follows them again from the new version.

`check` tries the whole migration in memory and explains every refusal in plain words;
`migrate` returns the new state (without the spec, as `state.py` stores it) with the ready
tasks, as the runner reports them. Nothing here raises out of `check`: whatever SpiffWorkflow
throws while comparing or moving becomes a reason.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from . import runner
from .events import due_timers
from .outcomes import depth_error, ready_tasks
from .problems import Reason
from .runner import StepResult
from .spec_diff import bookkeeping, display, label, registry_for, spec_diff, words
from .specs import ProcessDefinition
from .state import dump_state, load_state

# Tasks in these states have happened (or are happening): their steps must not change.
SETTLED = TaskState.COMPLETED | TaskState.STARTED | TaskState.ERROR
# What SpiffWorkflow resets and predicts again (migrate_workflow's default mask).
RESET = TaskState.READY | TaskState.WAITING


def _step(spec) -> dict:
    """How a reason names a step: its id, its name and its Chinese name (if the file has one)."""
    bpmn_id = getattr(spec, "bpmn_id", None) or spec.name
    props = (getattr(spec, "extensions", None) or {}).get("properties") or {}
    return {
        "step_id": bpmn_id,
        "step_name": getattr(spec, "bpmn_name", None) or bpmn_id,
        "step_name_zh": props.get("name_zh") or "",
    }


STATE_WORDS = {
    TaskState.COMPLETED: "completed",
    TaskState.STARTED: "in progress",
    TaskState.ERROR: "failed",
}


@dataclass
class MigrationCheck:
    """Whether an instance may move to the new version, and why not."""

    eligible: bool
    reasons: list[str] = field(default_factory=list)
    # What differs between the two versions (all steps, not only this instance's), as
    # "Name (id)" labels for display.
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)


class MigrationRefused(Exception):  # noqa: N818 - a refusal, not an engine error
    """`migrate` was asked to move an instance that may not move; `reasons` says why."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def check(
    old_defn: ProcessDefinition,
    state: bytes,
    new_defn: ProcessDefinition,
    *,
    advance: bool = True,
) -> MigrationCheck:
    """Whether the instance may move from old_defn to new_defn; never raises.

    The migration is tried in memory, so a refusal found only while moving (or, with
    `advance`, while running the automatic steps the new version makes due) is reported too.
    """
    result, _ = _trial(old_defn, state, new_defn, advance)
    return result


def migrate(
    old_defn: ProcessDefinition,
    state: bytes,
    new_defn: ProcessDefinition,
    *,
    advance: bool = True,
) -> StepResult:
    """Move the instance to new_defn; raises MigrationRefused when `check` would refuse.

    Returns the runner's StepResult for the new state: the serialized state (spec excluded),
    the ready human tasks (ready tasks that stay keep their task ids, so their inbox rows
    stay valid), when the next timer fires. With `advance` (a running instance), automatic
    steps the new version makes due are run, as after any step; an instance stopped on an
    error is only moved (`advance=False`): its failed step waits for a retry as before.
    """
    verdict, result = _trial(old_defn, state, new_defn, advance)
    if result is None:
        raise MigrationRefused(verdict.reasons)
    return result


def current(defn: ProcessDefinition, state: bytes) -> StepResult:
    """The state as it is, described as a StepResult (ready tasks, next timer); for a revert."""
    workflow = load_state(defn, state)
    return StepResult(
        state=state,
        ready=ready_tasks(defn, workflow),
        completed=False,
        error=None,
        data=workflow.last_task.data if workflow.last_task is not None else workflow.data,
        next_timer=min(due_timers(workflow), default=None),
    )


@dataclass
class _Part:
    """One (sub)workflow of the instance with its diff against the new version."""

    workflow: object  # BpmnWorkflow or BpmnSubWorkflow
    new_spec: BpmnProcessSpec | None
    spec_diff: SpecDiff | None = None
    diff: WorkflowDiff | None = None
    where: str = ""  # " in subprocess 'X' (x)" for subprocesses
    within: dict = field(default_factory=dict)  # the calling step (`_step`), for subprocesses


def _summary(registry, old_defn: ProcessDefinition, new_defn: ProcessDefinition, verdict):
    """Fill the changed/removed/added lists: every step that differs between the versions."""
    pairs = [(old_defn._spec, new_defn._spec)]
    for name, spec in old_defn._subprocess_specs.items():
        if name in new_defn._subprocess_specs:
            pairs.append((spec, new_defn._subprocess_specs[name]))
        else:
            verdict.removed.extend(
                display(ts) for ts in spec.task_specs.values() if ts.name not in bookkeeping(spec)
            )
    for name, spec in new_defn._subprocess_specs.items():
        if name not in old_defn._subprocess_specs:
            verdict.added.extend(
                display(ts) for ts in spec.task_specs.values() if ts.name not in bookkeeping(spec)
            )
    for old_spec, new_spec in pairs:
        diff = spec_diff(registry, old_spec, new_spec)
        skip = bookkeeping(old_spec)
        verdict.changed.extend(display(ts) for ts in diff.changed if ts.name not in skip)
        verdict.removed.extend(display(ts) for ts in diff.removed if ts.name not in skip)
        verdict.added.extend(display(ts) for ts in diff.added if ts.name not in skip)
    for attr in ("changed", "removed", "added"):
        setattr(verdict, attr, sorted(dict.fromkeys(getattr(verdict, attr))))


def _parts(registry, workflow: BpmnWorkflow, new_defn: ProcessDefinition, reasons: list[str]):
    """The workflow and each subprocess with its diff (as diff_workflow computes them)."""
    parts = [_Part(workflow, new_defn._spec)]
    for sp_id, subprocess in workflow.subprocesses.items():
        caller = workflow.get_task_from_id(sp_id)
        called = f"step {label(caller.task_spec)}" if caller is not None else "a step"
        new_spec = new_defn._subprocess_specs.get(subprocess.spec.name)
        if new_spec is None:
            running = any(
                t.has_state(TaskState.NOT_FINISHED_MASK) for t in subprocess.tasks.values()
            )
            what = "is running" if running else "has run"
            reasons.append(
                Reason(
                    "subprocess_missing",
                    f"The subprocess '{subprocess.spec.name}' called by {called} {what} and "
                    "does not exist in the new version",
                    subprocess=subprocess.spec.name,
                    running=running,
                    **(_step(caller.task_spec) if caller is not None else {}),
                )
            )
            continue
        where = f" in subprocess {label(caller.task_spec)}" if caller is not None else ""
        within = _step(caller.task_spec) if caller is not None else {}
        parts.append(_Part(subprocess, new_spec, where=where, within=within))
    for part in parts:
        # diff_workflow does the same for the top workflow and every subprocess; we keep the
        # SpecDiff too, to name what changed.
        part.spec_diff = spec_diff(registry, part.workflow.spec, part.new_spec)
        part.diff = WorkflowDiff(part.workflow, part.spec_diff)
    return parts


def _settled_reasons(part: _Part) -> list[str]:
    reasons = []
    skip = bookkeeping(part.workflow.spec)
    removed = set(part.diff.removed)
    for task in [*part.diff.changed, *part.diff.removed]:
        if task.task_spec.name in skip or not task.has_state(SETTLED):
            continue
        state = STATE_WORDS.get(task.state, TaskState.get_name(task.state).lower())
        facts = {**_step(task.task_spec), "state": state, "within": part.within}
        if task in removed:
            reasons.append(
                Reason(
                    "step_removed",
                    f"Step {label(task.task_spec)}{part.where} is {state} and does not exist "
                    "in the new version",
                    **facts,
                )
            )
        else:
            attributes = part.spec_diff.changed.get(task.task_spec, [])
            reasons.append(
                Reason(
                    "step_changed",
                    f"Step {label(task.task_spec)}{part.where} is {state} and was changed in "
                    f"the new version ({words(attributes)})",
                    attributes=list(attributes),
                    **facts,
                )
            )
    return list(dict.fromkeys(reasons))


# --- moving ------------------------------------------------------------------------------------


@dataclass
class _Kept:
    state: TaskState
    spec_name: str
    data: dict
    internal_data: dict
    changed: bool


def _keep(parts: list[_Part]) -> dict[UUID, _Kept]:
    """What reset_branch throws away from the ready and waiting tasks, to put back after.

    reset_branch copies the parent's data into the task and empties its internal data: a
    multi-instance item (data and position) would be lost and a running timer would start
    again. A catching event whose step changed is left reset (a changed timer starts anew).
    """
    kept = {}
    for part in parts:
        changed = set(part.diff.changed) | set(part.diff.removed)
        for task in part.workflow.tasks.values():
            if task.has_state(RESET):
                kept[task.id] = _Kept(
                    task.state,
                    task.task_spec.name,
                    copy.deepcopy(task.data),
                    copy.deepcopy(task.internal_data),
                    task in changed,
                )
    return kept


def _put_back(parts: list[_Part], kept: dict[UUID, _Kept]) -> None:
    for part in parts:
        for task in part.workflow.tasks.values():
            old = kept.get(task.id)
            if old is None or task.state != old.state or task.task_spec.name != old.spec_name:
                continue
            task.data = old.data
            if not (old.changed and isinstance(task.task_spec, CatchingEvent)):
                task.internal_data = old.internal_data


def _unmapped(parts: list[_Part]) -> list[str]:
    """Tasks still pointing at a spec of the old version after the move (a safety net)."""
    reasons = []
    for part in parts:
        specs = part.new_spec.task_specs
        for task in part.workflow.tasks.values():
            if specs.get(task.task_spec.name) is not task.task_spec:
                state = TaskState.get_name(task.state).lower()
                reasons.append(
                    Reason(
                        "step_unmapped",
                        f"Step {label(task.task_spec)}{part.where} ({state}) could not be moved "
                        "to the new version",
                        state=state,
                        within=part.within,
                        **_step(task.task_spec),
                    )
                )
    return list(dict.fromkeys(reasons))


def _move(parts: list[_Part], workflow: BpmnWorkflow, new_defn: ProcessDefinition) -> None:
    kept = _keep(parts)
    for part in parts:
        migrate_workflow(part.diff, part.workflow, part.new_spec)
    workflow.subprocess_specs = dict(new_defn._subprocess_specs)
    _put_back(parts, kept)


def _technical(exc: BaseException) -> str:
    text = str(exc.args[0]) if exc.args else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _failed(key: str, sentence: str, exc: BaseException) -> Reason:
    """A reason for what SpiffWorkflow threw; the technical detail is kept as it is."""
    detail = _technical(exc)
    return Reason(key, f"{sentence} ({detail})", detail=detail)


def _trial(
    old_defn: ProcessDefinition, state: bytes, new_defn: ProcessDefinition, advance: bool
) -> tuple[MigrationCheck, StepResult | None]:
    verdict = MigrationCheck(eligible=False)
    try:
        registry = registry_for(old_defn, new_defn)
        _summary(registry, old_defn, new_defn, verdict)
    except Exception as exc:  # noqa: BLE001 - SpiffWorkflow's diff can fail in many ways
        verdict.reasons.append(
            _failed("compare_failed", "The two versions could not be compared", exc)
        )
        return verdict, None
    try:
        workflow = load_state(old_defn, state)
    except Exception as exc:  # noqa: BLE001
        verdict.reasons.append(
            _failed("state_unreadable", "The instance's state could not be read", exc)
        )
        return verdict, None
    too_deep = depth_error(workflow)
    if too_deep is not None:
        verdict.reasons.append(
            Reason(
                "too_deep",
                "The instance has gone around its loops too many times to be compared safely "
                f"({too_deep.detail})",
                detail=too_deep.detail,
            )
        )
        return verdict, None
    try:
        parts = _parts(registry, workflow, new_defn, verdict.reasons)
    except Exception as exc:  # noqa: BLE001
        verdict.reasons.append(
            _failed(
                "instance_compare_failed",
                "The instance could not be compared with the new version",
                exc,
            )
        )
        return verdict, None
    for part in parts:
        verdict.reasons.extend(_settled_reasons(part))
    if verdict.reasons:
        return verdict, None
    try:
        _move(parts, workflow, new_defn)
    except Exception as exc:  # noqa: BLE001
        verdict.reasons.append(
            _failed("move_failed", "SpiffWorkflow could not move the instance", exc)
        )
        return verdict, None
    verdict.reasons.extend(_unmapped(parts))
    if verdict.reasons:
        return verdict, None
    try:
        # A round trip through the stored form proves the new version can run the state; it
        # also rebuilds the list of waiting events (timers, messages) from scratch.
        moved = load_state(new_defn, dump_state(workflow))
    except Exception as exc:  # noqa: BLE001
        verdict.reasons.append(
            _failed("store_failed", "The moved instance could not be stored and read back", exc)
        )
        return verdict, None
    if advance:
        result = runner._advance(new_defn, moved)
        if result.error is not None:
            where = f" (step {result.error.element_id})" if result.error.element_id else ""
            verdict.reasons.append(
                Reason(
                    "fails_after_move",
                    f"After the move, the new version fails at once{where}: {result.error.message}",
                    element=result.error.element_id or "",
                    detail=result.error.message,
                )
            )
            return verdict, None
    else:
        result = runner._result(new_defn, moved)
    verdict.eligible = True
    return verdict, result

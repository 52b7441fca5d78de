"""Sending a task back (退回) to an earlier user task of the same instance, with the engine's reset.

Where a task may go back to is read from the task tree, not from the diagram: a target is a
completed user task among the current task's ancestors (the steps that led to it), of the same
(sub)process. Two rules keep the state consistent:

- **No live branch is lost.** Resetting drops everything below the target. If that includes
  work still going on in another branch (a parallel review, a message being waited for), the
  target is refused ("live_branches"): the decision of issue 11 — never across a parallel join
  whose other branches are still live.
- **A finished parallel block goes back as a whole.** If the path left a parallel (or
  inclusive) block through its join, a target inside one of its branches is refused
  ("inside_block"): only the branch that happened to arrive last is on the path, and reopening
  one branch alone would let the join fire on the others' old answers. A step before the
  block's split (all branches run again) or after its join is allowed.

`send_back` resets with `BpmnWorkflow.reset_from_task_id` (the target becomes ready again with
the data it had when it started; everything after it is removed) and runs to the next wait,
returning the usual `StepResult`.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from .errors import TaskNotReady
from .outcomes import all_tasks
from .runner import StepResult, _advance, _restore_checked, _unchanged
from .specs import ProcessDefinition

REFUSALS = ("not_on_path", "live_branches", "inside_block")
# A task in one of these states is work going on (or waiting) that a reset would throw away.
_LIVE = TaskState.DEFINITE_MASK | TaskState.ERROR


class SendBackRefused(Exception):
    """The target is not a step this task may go back to; `reason` is one of REFUSALS."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Target:
    """A step the task may be sent back to: its engine task id and its BPMN id."""

    task_id: str
    spec_name: str


def _spec_name(task: Task) -> str:
    return getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name


def _find(workflow: BpmnWorkflow, task_id: str) -> Task | None:
    try:
        wanted = UUID(str(task_id))
    except ValueError:
        return None
    return next((t for t in all_tasks(workflow) if t.id == wanted), None)


def _path(task: Task) -> list[Task]:
    """The task and its ancestors in its own (sub)process, nearest first."""
    path = []
    node: Task | None = task
    while node is not None:
        path.append(node)
        node = node.parent
    return path


def _subtree(task: Task) -> list[Task]:
    found, stack = [], [task]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(node.children)
    return found


def _is_join(task: Task) -> bool:
    spec = task.task_spec
    return isinstance(spec, (ParallelGateway, InclusiveGateway)) and len(spec.inputs) > 1


def _loses_live_work(current: Task, target: Task) -> bool:
    """Whether resetting to `target` would drop a live task outside the current task's own."""
    anchor = current
    if current.parent is not None and isinstance(current.parent.task_spec, BoundaryEventSplit):
        anchor = current.parent  # the current task's own boundary events go with it
    own = {t.id for t in _subtree(anchor)}
    return any(t.id not in own and t is not target and t.has_state(_LIVE) for t in _subtree(target))


def _enters_block(path: list[Task], target_index: int) -> bool:
    """Whether a join between the current task and the target split below the target."""
    index = {task.id: i for i, task in enumerate(path)}
    for i in range(1, target_index):
        join = path[i]
        if not _is_join(join):
            continue
        spec = join.task_spec
        # An earlier round of the same join (a loop) bounds this activation, as in joins.py.
        previous = next(
            (k for k in range(i + 1, len(path)) if path[k].task_spec == spec), len(path)
        )
        for other in join.workflow.tasks.values():
            if other.task_spec != spec or other.id in index:
                continue
            node = other.parent
            while node is not None and node.id not in index:
                node = node.parent
            if node is None:
                continue
            split = index[node.id]
            if i < split < previous and split > target_index:
                return True
    return False


def _refusal(path: list[Task], target_index: int) -> str | None:
    target = path[target_index]
    if not (target.task_spec.manual and target.has_state(TaskState.COMPLETED)):
        return "not_on_path"
    if _spec_name(target) == _spec_name(path[0]):
        return "not_on_path"  # an earlier round of the same step is not "an earlier step"
    if _enters_block(path, target_index):
        return "inside_block"
    if _loses_live_work(path[0], target):
        return "live_branches"
    return None


def _current(workflow: BpmnWorkflow, task_id: str) -> Task:
    task = _find(workflow, task_id)
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise TaskNotReady(task_id)
    return task


def _allowed(current: Task) -> list[tuple[Task, str | None]]:
    """Every completed user task on the path (nearest first) with why it is refused, if it is."""
    path = _path(current)
    seen: set[str] = set()
    found = []
    for i in range(1, len(path)):
        task = path[i]
        if not task.task_spec.manual or _spec_name(task) in seen:
            continue
        seen.add(_spec_name(task))
        found.append((task, _refusal(path, i)))
    return found


def targets(defn: ProcessDefinition, state: bytes, task_id: str) -> list[Target]:
    """The steps the ready task `task_id` may be sent back to, nearest first."""
    workflow, _too_deep = _restore_checked(defn, state)
    current = _current(workflow, task_id)
    return [
        Target(str(task.id), _spec_name(task))
        for task, refused in _allowed(current)
        if refused is None
    ]


def send_back(
    defn: ProcessDefinition, state: bytes, task_id: str, target_task_id: str
) -> StepResult:
    """Reset the instance to `target_task_id` (which becomes ready again) and run to the next
    wait. Raises TaskNotReady for a task that is not ready and SendBackRefused for a target
    it may not go back to (nothing changes)."""
    workflow, too_deep = _restore_checked(defn, state)
    if too_deep:
        return _unchanged(defn, state, too_deep, workflow)
    current = _current(workflow, task_id)
    path = _path(current)
    index = {str(task.id): i for i, task in enumerate(path)}
    position = index.get(str(target_task_id))
    if position is None or position == 0:
        raise SendBackRefused("not_on_path")
    refused = _refusal(path, position)
    if refused is not None:
        raise SendBackRefused(refused)
    workflow.reset_from_task_id(path[position].id)
    return _advance(defn, workflow)

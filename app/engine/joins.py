"""Joining parallel branches: keep what each branch changed, not the stale copies it carried.

SpiffWorkflow's join deep-merges the whole data of every branch in completion order. In a
rework loop each branch still carries the previous round's values of the other branches' keys
(e.g. last round's engineering "reject"), and whichever branch finishes last wins, so a fresh
"approve" can be overwritten by a stale "reject". These gateways merge only the changes each
branch made since the split.
"""

from __future__ import annotations

import copy

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.defaults import InclusiveGateway, ParallelGateway
from SpiffWorkflow.specs.base import TaskSpec
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

_MISSING = object()


def apply_changes(target: dict, base: dict, branch: dict) -> None:
    """Apply to target what branch changed relative to base (nested dicts key by key)."""
    for key, value in branch.items():
        old = base.get(key, _MISSING)
        if old == value:
            continue  # an untouched copy of the data at the split
        current = target.get(key)
        if isinstance(value, dict) and isinstance(old, dict) and isinstance(current, dict):
            apply_changes(current, old, value)
        else:
            target[key] = copy.deepcopy(value)
    for key in base:
        if key not in branch:
            target.pop(key, None)


def _branches(spec: TaskSpec, my_task: Task) -> tuple[list[Task], Task | None]:
    """This activation's other finished join tasks, and the task where all branches split."""
    path, node = [], my_task.parent
    while node is not None:
        path.append(node)
        node = node.parent
    index = {task.id: i for i, task in enumerate(path)}
    # Branches of an earlier round (in a loop) split above that round's join, which is on
    # our own path: only branches meeting ours below it belong to this activation.
    previous = next((i for i, t in enumerate(path) if t.task_spec == spec), len(path))
    others, split_at = [], 0
    for task in my_task.workflow.tasks.values():
        if task is my_task or task.task_spec != spec or task.id in index:
            continue
        if not task.has_state(TaskState.FINISHED_MASK):
            continue
        node = task.parent
        while node is not None and node.id not in index:
            node = node.parent
        if node is not None and index[node.id] < previous:
            others.append(task)
            split_at = max(split_at, index[node.id])
    others.sort(key=lambda t: t.last_state_change)
    return others, path[split_at] if path else None


def merge_branches(spec: TaskSpec, my_task: Task) -> None:
    """Set the join task's data: the data at the split plus each branch's own changes."""
    others, split = _branches(spec, my_task)
    base = split.data if split is not None else {}
    merged = copy.deepcopy(base)
    for end in [t.parent for t in others] + [my_task.parent]:
        apply_changes(merged, base, end.data)
    for task in others:
        if task.has_state(TaskState.COMPLETED):
            task._drop_children(force=True)  # as SpiffWorkflow's join does after a reset
    my_task.data = merged


class BranchMergingParallelGateway(ParallelGateway):
    """A parallel gateway whose join keeps each branch's changes only."""

    def _run_hook(self, my_task: Task) -> bool:
        merge_branches(self, my_task)
        return True


class BranchMergingInclusiveGateway(InclusiveGateway):
    """An inclusive gateway whose join keeps each branch's changes only."""

    def _run_hook(self, my_task: Task) -> bool:
        merge_branches(self, my_task)
        matches, defaults = self._get_matching_outputs(my_task)
        if not matches and not defaults:
            raise WorkflowTaskException("No conditions satisfied on gateway", task=my_task)
        my_task._sync_children(matches or defaults, TaskState.FUTURE)
        for child in my_task.children:
            child.task_spec._predict(child, mask=TaskState.FUTURE | TaskState.PREDICTED_MASK)
        return True

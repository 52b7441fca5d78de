"""Walking the task tree: the same tasks in the same order as SpiffWorkflow's iterators, cheaper.

SpiffWorkflow walks the whole tree from the root after every task it completes (the waiting
tasks are updated, the engine loop looks for ready ones, a parallel join counts its inputs).
Its iterator pops the front of a list and rebuilds the list at every node, and after each leaf
walks up the parents to keep its depth counter, one UUID-keyed lookup per step: on the order
lifecycle that was over a third of an engine step's CPU. This iterator keeps a stack of (task,
depth) pairs instead: children are read when their parent is reached, exactly as before, so a
task added or removed while the walk runs is seen (or not) as SpiffWorkflow would see it.

One difference: the walk stops descending at the task's true depth (`max_depth`, 1000), where
SpiffWorkflow's counter can drift after a subprocess's tree. Instances get nowhere near that:
the runner stops any deeper than outcomes.DEPTH_LIMIT.

The workflow classes below use it for `get_tasks` (and everything built on it) and for the
update of waiting tasks; specs that build SpiffWorkflow's iterator themselves still do.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import repeat

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.bpmn.util.task import BpmnTaskFilter, BpmnTaskIterator
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskFilter, TaskState

_FINISHED = TaskState.FINISHED_MASK


def _state_only(task_filter: TaskFilter) -> int | None:
    """The state mask when the filter checks nothing else (the usual query), else None."""
    if type(task_filter) not in (TaskFilter, BpmnTaskFilter):
        return None
    others = (
        task_filter.updated_ts,
        task_filter.manual,
        task_filter.spec_name,
        task_filter.spec_class,
        getattr(task_filter, "catches_event", None),
        getattr(task_filter, "lane", None),
    )
    return task_filter.state if others == (0, None, None, None, None, None) else None


class TaskWalk(BpmnTaskIterator):
    """Depth-first, as BpmnTaskIterator (`subprocesses=True`) or TaskIterator (False)."""

    def __init__(self, task: Task, subprocesses: bool = True, **kwargs) -> None:  # noqa: ANN003
        if not kwargs.pop("depth_first", True):
            raise ValueError("TaskWalk walks depth first only")
        super().__init__(task, **kwargs)
        walk_into = subprocesses and not self.skip_subprocesses
        self.subprocesses = task.workflow.top_workflow.subprocesses if walk_into else {}
        self.found = self._walk(task)

    def __next__(self) -> Task:
        return next(self.found)

    def _next(self) -> Task:
        raise NotImplementedError("TaskWalk walks in _walk")

    def _walk(self, first: Task) -> Iterator[Task]:
        # One generator for the whole walk (a call per task is what made SpiffWorkflow's slow).
        mask = _state_only(self.task_filter)
        matches = self.task_filter.matches
        subprocesses, min_state = self.subprocesses, self.min_state
        max_depth, end_at = self.max_depth, self.end_at_spec
        into_finished = not self.task_filter.state <= _FINISHED
        stack = [(first, 0)]
        while stack:
            task, depth = stack.pop()
            # Looked up only while the instance has subprocesses: each lookup hashes a UUID
            # in Python, and most instances have none.
            subprocess = subprocesses.get(task.id) if subprocesses else None
            if (
                (task._children or subprocess is not None)
                and (task._state >= min_state or subprocess is not None)
                and depth < max_depth
                and (end_at is None or task.task_spec.name != end_at)
            ):
                # Pushed last to first, so the next popped is the subprocess's root, then the
                # children in order (as BpmnTaskIterator lists them).
                lookup = task.workflow.tasks.get
                stack.extend(zip(map(lookup, reversed(task._children)), repeat(depth + 1)))
                if subprocess is not None and (task._state < _FINISHED or into_finished):
                    stack.append((subprocess.task_tree, depth + 1))
            if (task._state & mask) if mask is not None else matches(task):
                yield task


class _Walking:
    """What both workflow classes change: the iterator behind get_tasks and the waiting
    tasks' update."""

    def get_tasks_iterator(self, first_task: Task | None = None, **kwargs) -> TaskWalk:  # noqa: ANN003
        """The tasks matching kwargs (as SpiffWorkflow's), from first_task or the root."""
        return TaskWalk(first_task or self.task_tree, **kwargs)

    def update_waiting_tasks(self) -> None:
        """Update every WAITING task of this workflow (not of its subprocesses), in tree order."""
        for task in TaskWalk(self.task_tree, subprocesses=False, state=TaskState.WAITING):
            task.task_spec._update(task)


class EngineSubWorkflow(_Walking, BpmnSubWorkflow):
    """A subprocess walked with TaskWalk."""


class EngineWorkflow(_Walking, BpmnWorkflow):
    """A top-level workflow walked with TaskWalk; its subprocesses are EngineSubWorkflows."""

    def create_subprocess(self, my_task: Task, spec_name: str) -> EngineSubWorkflow:
        """A subprocess for an existing task (as SpiffWorkflow's, with our class)."""
        subprocess = EngineSubWorkflow(
            self.subprocess_specs[spec_name], parent_task_id=my_task.id, top_workflow=self
        )
        self.subprocesses[my_task.id] = subprocess
        return subprocess

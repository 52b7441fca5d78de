"""Multi-instance human tasks: one instance per item of a collection in the task data.

SpiffWorkflow runs them (`bpmn:multiInstanceLoopCharacteristics`); these subclasses change
three things:

- Without an output collection SpiffWorkflow deep-merges every instance's whole data into the
  task, so the input item (`line`) leaks into the flow, the next activation in a rework loop
  fails with "input item already exists", and a stale copy can overwrite a sibling's change.
  Here each instance contributes only what it changed, as parallel joins do (joins.py).
- A list output collection is filled by position (the item's index in the input), not in the
  order the instances happened to finish, so output[i] always belongs to input[i].
- Each activation starts with a fresh output collection (SpiffWorkflow refuses a non-empty one,
  which breaks the second round of a rework loop).

Also: at most MAX_INSTANCES instances per activation (kind "budget"), and a task whose setup
fails (missing collection, bad cardinality) waits, flagged, instead of breaking the step of the
task before it; the runner reports the error and `resume_setups` tries again on retry.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.spiff.parser.task_spec import SpiffTaskParser, UserTaskParser
from SpiffWorkflow.spiff.specs.defaults import (
    ParallelMultiInstanceTask,
    SequentialMultiInstanceTask,
)
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from SpiffWorkflow.workflow import Workflow

from .errors import EngineError
from .joins import apply_changes

MAX_INSTANCES = 1000
SETUP_FAILED = "setup_failed"  # internal_data flag of a multi-instance task whose setup failed


class InstanceMerging:
    """What both kinds share: fresh outputs, positional list outputs, change-only merges,
    the instance limit and failed setups that wait for a retry."""

    def _update_hook(self: MultiInstanceTask, my_task: Task) -> bool | None:
        try:
            return super()._update_hook(my_task)
        except Exception as exc:  # noqa: BLE001 - reported by the runner, retried on retry
            for instance in list(self._instances(my_task)):
                my_task.workflow._remove_task(instance.id)
            my_task.internal_data[SETUP_FAILED] = True
            my_task._set_state(TaskState.WAITING)
            my_task.setup_exception = exc  # not serialized: a restored task just tries again
            return None

    def _check_count(self: MultiInstanceTask, count: object) -> None:
        if isinstance(count, bool) or not isinstance(count, int):
            raise EngineError(
                "expression",
                f"The number of instances of '{self.bpmn_name or self.bpmn_id}' must be a whole "
                f"number, not {type(count).__name__}; fix its loop cardinality.",
                element_id=self.bpmn_id,
            )
        if count > MAX_INSTANCES:
            raise EngineError(
                "budget",
                f"'{self.bpmn_name or self.bpmn_id}' would start {count} instances; the limit is "
                f"{MAX_INSTANCES}. Split the collection or change the diagram.",
                element_id=self.bpmn_id,
            )

    def _fresh_output(self: MultiInstanceTask, my_task: Task) -> None:
        same = self.data_input is not None and self.data_input.bpmn_id == self.data_output.bpmn_id
        if not same:  # an in-place update keeps its collection
            my_task.data.pop(self.data_output.bpmn_id, None)

    def init_data_output_with_input_data(self, my_task: Task, input_data: object) -> None:
        """Start the output collection afresh, then as SpiffWorkflow does."""
        self._fresh_output(my_task)
        super().init_data_output_with_input_data(my_task, input_data)

    def init_data_output_with_cardinality(self, my_task: Task) -> None:
        """Start the output collection afresh (a list)."""
        self._fresh_output(my_task)
        self.data_output.set(my_task, [])

    def _merge_instance(self: MultiInstanceTask, my_task: Task, child: Task, base: dict) -> None:
        index = child.internal_data.get("key_or_index")
        if self.data_output is not None and self.output_item is not None:
            output = self.data_output.get(my_task)
            data_input = self.data_input.get(my_task) if self.data_input is not None else None
            if isinstance(output, list) and output is not data_input and isinstance(index, int):
                if not self.output_item.exists(child):
                    self.raise_data_exception("Expected an output item", child)
                output.extend([None] * (index + 1 - len(output)))
                output[index] = self.output_item.get(child)
                my_task.internal_data["merged"].append(str(child.id))
            else:
                MultiInstanceTask.merge_child(self, my_task.workflow, child)
            return
        changes = dict(child.data)
        if self.input_item is not None:
            changes.pop(self.input_item.bpmn_id, None)  # the item belongs to its instance only
            base = {k: v for k, v in base.items() if k != self.input_item.bpmn_id}
        apply_changes(my_task.data, base, changes)
        my_task.internal_data["merged"].append(str(child.id))


class OrderedParallelMultiInstanceTask(InstanceMerging, ParallelMultiInstanceTask):
    """All instances at once; finishes when all are done (or the completion condition holds)."""

    def create_children(self, my_task: Task) -> None:
        """Create one instance per item (or per count), within the instance limit."""
        if self.data_input is not None:
            collection = self.data_input.get(my_task)
            if not self.data_input.exists(my_task) or not hasattr(collection, "__len__"):
                self.raise_data_exception("The collection is missing or not a list", my_task)
            self._check_count(len(collection))
        else:
            self._check_count(my_task.workflow.script_engine.evaluate(my_task, self.cardinality))
        super().create_children(my_task)

    def merge_child(self, workflow: Workflow, child: Task) -> None:
        """Merge a finished instance; make the task ready when the last one is in."""
        my_task = child.parent
        # Every instance was copied from the task's data as it was when they were created,
        # which is the data of the task before it (siblings' merges have changed ours since).
        self._merge_instance(my_task, child, my_task.parent.data)
        if self.check_completion_condition(my_task):
            for instance in self._instances(my_task):
                instance.cancel()
            my_task._set_state(TaskState.READY)
        elif self.children_complete(my_task):
            my_task._set_state(TaskState.READY)


class OrderedSequentialMultiInstanceTask(InstanceMerging, SequentialMultiInstanceTask):
    """One instance after the other, in collection order."""

    def init_remaining_items(self, my_task: Task) -> list:
        """The keys or positions still to run, within the instance limit."""
        remaining = super().init_remaining_items(my_task)
        self._check_count(len(remaining))
        return remaining

    def get_next_index(self, my_task: Task) -> tuple[None, int | None]:
        """The next position when counting by cardinality, within the instance limit."""
        self._check_count(my_task.internal_data.get("cardinality"))
        return super().get_next_index(my_task)

    def merge_child(self, workflow: Workflow, child: Task) -> None:
        """Merge a finished instance, then start the next one or finish."""
        my_task = child.parent
        # The next instance is created only after this merge, so our data is its base.
        self._merge_instance(my_task, child, copy.deepcopy(my_task.data))
        if self.children_complete(my_task) or self.check_completion_condition(my_task):
            my_task._set_state(TaskState.READY)
        else:
            self.add_next_child(my_task)


class MultiInstanceTaskParser(SpiffTaskParser):
    """SpiffWorkflow's task parser, building our multi-instance specs."""

    PARALLEL_MI_CLASS = OrderedParallelMultiInstanceTask
    SEQUENTIAL_MI_CLASS = OrderedSequentialMultiInstanceTask


class MultiInstanceUserTaskParser(UserTaskParser):
    """SpiffWorkflow's user task parser, building our multi-instance specs."""

    PARALLEL_MI_CLASS = OrderedParallelMultiInstanceTask
    SEQUENTIAL_MI_CLASS = OrderedSequentialMultiInstanceTask


def connect_instances(specs: Iterable[BpmnProcessSpec]) -> None:
    """Wire each instance spec's completion to its multi-instance task once, at load time.

    SpiffWorkflow connects it lazily on first use; specs are shared between threads, and two
    threads connecting at once would merge every instance twice.
    """
    for spec in specs:
        for task_spec in list(spec.task_specs.values()):
            if isinstance(task_spec, MultiInstanceTask):
                child = spec.task_specs[task_spec.task_spec]
                if not child.completed_event.is_connected(task_spec.merge_child):
                    child.completed_event.connect(task_spec.merge_child)


def resume_setups(tasks: Iterable[Task]) -> None:
    """Set up again the multi-instance tasks whose setup failed (a retry)."""
    for task in tasks:
        if task.state == TaskState.WAITING and task.internal_data.pop(SETUP_FAILED, False):
            task.task_spec._update(task)


def setup_failures(tasks: Iterable[Task]) -> list[tuple[Task, BaseException | None]]:
    """Multi-instance tasks waiting after a failed setup, with the exception (if still known)."""
    return [
        (task, getattr(task, "setup_exception", None))
        for task in tasks
        if task.state == TaskState.WAITING and task.internal_data.get(SETUP_FAILED)
    ]


def instance_key(task: Task) -> int | str | None:
    """The position (or key) of a multi-instance task's item in its collection, else None."""
    parent_spec = task.parent.task_spec if task.parent is not None else None
    if isinstance(parent_spec, MultiInstanceTask) and parent_spec.task_spec == task.task_spec.name:
        return task.internal_data.get("key_or_index")
    return None

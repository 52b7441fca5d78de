"""Stored state, format 2, read back: the rows of compact.py rebuilt into task objects."""

from __future__ import annotations

import base64
from copy import copy
from uuid import UUID, uuid4

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from .compact import TICKS
from .walk import EngineSubWorkflow, EngineWorkflow


class _Reader:
    def __init__(self, dct: dict, registry, plain: bool = False) -> None:  # noqa: ANN001
        # plain: the document holds no converted object (no "typename" anywhere), so the
        # registry would hand every value back as a copy of itself; JSON's are used as they are.
        self.restore = _as_is if plain else registry.restore
        count = len(dct["tasks"]) + sum(len(sp["tasks"]) for _k, sp in dct["subprocesses"])
        if "ids" in dct:
            raw = base64.b64decode(dct["ids"])
            self.ids = [UUID(bytes=raw[i : i + 16]) for i in range(0, len(raw), 16)]
        else:
            self.ids = [uuid4() for _ in range(count)]
        if len(self.ids) != count:
            raise ValueError(f"stored state: {len(self.ids)} task ids for {count} tasks")
        self.ticks = dct["t0"]

    def ref(self, value: int | str | None) -> UUID | None:
        if value is None:
            return None
        return self.ids[value] if isinstance(value, int) else UUID(value)

    def time(self, value: int | float) -> float:
        if isinstance(value, int):
            self.ticks += value
            return self.ticks / TICKS
        return value

    def tasks(self, wf, rows: list, first: int) -> None:  # noqa: ANN001
        """Rebuild the rows' tasks in `wf` (parents before children, as they were written)."""
        specs = wf.spec.task_specs
        events = wf.top_workflow.event_manager
        made: list[Task] = []
        for number, row in enumerate(rows):
            up, spec_name, state, when = row[:4]
            extras = row[4] if len(row) > 4 else {}
            spec = specs.get(spec_name)
            task = _task(wf, spec, state, self.ids[first + number])
            if isinstance(up, str):
                task._parent = UUID(up)
                parent = wf.tasks.get(task._parent)
            elif up:
                parent = made[number - up]
                task._parent = parent.id
                if "c" not in (rows[number - up][4] if len(rows[number - up]) > 4 else {}):
                    parent._children.append(task.id)
            else:
                parent = None
            task.last_state_change = self.time(when)
            task.triggered = extras.get("g", False)
            internal = self.restore(extras["i"]) if "i" in extras else {}
            if "m" in extras:
                internal["merged"] = [str(self.ids[m]) for m in extras["m"]]
            task.internal_data = internal
            if isinstance(spec, CatchingEvent) and state & TaskState.WAITING:
                events.add_task(task)
            task.data = self.data(parent, extras)
            if "c" in extras:
                task._children = [self.ref(c) for c in extras["c"]]
            made.append(task)

    def data(self, parent: Task | None, extras: dict) -> dict:
        if parent is None:
            return self.restore(extras["d"]) if "d" in extras else {}
        # DeepMerge.merge({}, parent.data), as the stock restore: each dict, list or set value
        # copied one level deep (copy.copy calls the same .copy() on the plain types).
        data = {
            k: (v.copy() if type(v) in _COPIED else copy(v)) if isinstance(v, _COPIED) else v
            for k, v in parent.data.items()
        }
        if "u" in extras:
            data.update(self.restore(extras["u"]))
        for key in extras.get("x", ()):
            data.pop(key, None)
        return data

    def fields(self, wf, dct: dict) -> None:  # noqa: ANN001
        wf.task_tree = wf.tasks.get(self.ref(dct["root"]))
        wf.success = dct["success"]
        wf.completed = dct.get("completed", False)
        wf.correlations = dct.get("correlations", {})
        wf.last_task = wf.tasks.get(self.ref(dct["last_task"]))
        wf.data = self.restore(dct.get("data", {}))


_COPIED = (dict, list, set)


def _as_is(value: object) -> object:
    return value


def _task(wf, spec, state: int, task_id: UUID) -> Task:  # noqa: ANN001
    """Task(wf, spec, state=state, id=task_id) without a parent, with its fields set directly
    (Task's constructor also draws the time, looks up the parent and notifies it)."""
    if spec is None:  # Task's constructor puts a StartTask in
        return Task(wf, spec, state=state, id=task_id)
    task = Task.__new__(Task)
    task.id = task_id
    wf.tasks[task_id] = task
    task.workflow = wf
    task._parent = None
    task._children = []
    task._state = state
    task.triggered = False
    task.task_spec = spec
    task.thread_id = Task.thread_id_pool
    task.data = {}
    task.internal_data = {}
    task.last_state_change = 0.0
    return task


def unpack(
    dct: dict,
    spec,  # noqa: ANN001
    subprocess_specs: dict,
    registry,  # noqa: ANN001
    plain: bool = False,
) -> BpmnWorkflow:
    """A BpmnWorkflow on the given specs from a format 2 document (as the stock restore
    would rebuild it from the format 1 dict); `plain`: no "typename" in the document."""
    reader = _Reader(dct, registry, plain)
    workflow = EngineWorkflow(spec, dict(subprocess_specs), deserializing=True)
    reader.tasks(workflow, dct["tasks"], 0)
    reader.fields(workflow, dct)
    first = len(dct["tasks"])
    pending = {}
    for key, sp in dct["subprocesses"]:
        pending[reader.ref(key)] = (sp, first)
        first += len(sp["tasks"])
    _subprocesses(reader, workflow, workflow, pending)
    workflow.bpmn_events = reader.restore(dct.get("bpmn_events", []))
    return workflow


def _subprocesses(reader: _Reader, wf, top: BpmnWorkflow, pending: dict) -> None:  # noqa: ANN001
    # As the stock restore: parents first, each hooked to its calling task's completion.
    for task in list(wf.tasks.values()):
        if isinstance(task.task_spec, SubWorkflowTask) and task.id in pending:
            sp_dct, first = pending.pop(task.id)
            spec = top.subprocess_specs.get(task.task_spec.spec)
            sub = EngineSubWorkflow(spec, task.id, top, deserializing=True)
            reader.tasks(sub, sp_dct["tasks"], first)
            reader.fields(sub, sp_dct)
            top.subprocesses[task.id] = sub
            sub.completed_event.connect(task.task_spec._on_subworkflow_completed, task)
            _subprocesses(reader, sub, top, pending)

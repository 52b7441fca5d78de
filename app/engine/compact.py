"""Stored state, format 2: a workflow's task tree as compact rows, written and read directly.

Format 1 (still read, by state.py through SpiffWorkflow's own converter) is the stock
workflow dict: one JSON object per task, keyed by its UUID text, the UUID repeated as its own
id, in its parent's `children` and in its children's `parent`, every default field written
out. Format 2 holds the same information, and is written from (and read into) the task
objects without building that dict:

- `ids`: every task id once, as 16 raw bytes each, base64 (top-level tasks first, then each
  subprocess's); everything else refers to a task by its position in that list;
- `t0`: the first task's `last_state_change` in ticks of 2**-22 s (time.time() floats near
  now are multiples of that), each row then stores the difference to the row before;
- one row per task, in the stock order: `[parent, task_spec, state, ticks, extras]` where
  parent is the distance back to the parent's row (0: none; a task of another (sub)process:
  its id) and extras holds only what differs from the defaults (`g` triggered, `i` internal
  data, `m` merged child ids, `d` data, `u`/`x` the data delta's updates and deletions, `c`
  children when they are not the rows naming this one as parent, in order);
- the workflow's own fields as the stock converter writes them (`data`, `correlations`,
  `success`, `completed`, `root` and `last_task` as positions, `bpmn_events`), and
  `subprocesses` as `[position of the calling task, subprocess]` pairs.

Task data is written as the stock converter writes it: the root's in full, every other task's
as the delta from its parent (SpiffWorkflow's DeepMerge), restored the same way. A
`last_state_change` that is not a whole number of ticks is kept as the float it is.

A finished instance (nothing left to run, nothing resumes it) is packed without `ids`:
reading it back gives its tasks new ids, with the same tree, states, times and data.
"""

from __future__ import annotations

import base64
from uuid import UUID, uuid4

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

FORMAT = 2
FORMAT_KEY = "format"
TICKS = 1 << 22


def is_packed(dct: dict) -> bool:
    """True for a format 2 document (format 1 has no `format` key)."""
    return dct.get(FORMAT_KEY) == FORMAT


class _Writer:
    """Turns the workflow's tasks into rows; `registry` converts data as the stock one does."""

    def __init__(self, workflows: list, registry) -> None:  # noqa: ANN001
        self.registry = registry
        self.index: dict[UUID, int] = {}
        for wf in workflows:
            for key in wf.tasks:
                self.index[key] = len(self.index)
        self.ticks: int | None = None
        self.t0: int | None = None

    def ref(self, key: UUID | None) -> int | str | None:
        if key is None:
            return None
        position = self.index.get(key)
        return str(key) if position is None else position

    def time(self, value: float) -> int | float:
        if isinstance(value, float) and (value * TICKS).is_integer():
            ticks = int(value * TICKS)
            if self.t0 is None:
                self.t0 = self.ticks = ticks
            delta, self.ticks = ticks - self.ticks, ticks
            return delta
        return float(value)

    def workflow(self, wf) -> dict:  # noqa: ANN001 - a BpmnWorkflow or BpmnSubWorkflow
        rows, positions, kids = [], {}, {}
        tasks = wf.tasks
        for key, task in tasks.items():
            row_no = positions[key] = len(rows)
            parent_id = task._parent
            if parent_id is None:
                up, parent = 0, None
            elif parent_id in positions:
                up, parent = row_no - positions[parent_id], tasks[parent_id]
                kids.setdefault(parent_id, []).append(self.index[key])
            else:
                up, parent = str(parent_id), tasks.get(parent_id)
            row = [up, task.task_spec.name, task.state, self.time(task.last_state_change)]
            extras = self.extras(task, parent)
            if extras:
                row.append(extras)
            rows.append(row)
        for key, task in tasks.items():
            children = [self.ref(c) for c in task._children]
            if children != kids.get(key, []):
                row = rows[positions[key]]
                if len(row) == 4:
                    row.append({})
                row[4]["c"] = children
        return {
            "data": self.registry.convert(self.registry.clean(wf.data)),
            "correlations": wf.correlations,
            "last_task": self.ref(wf.last_task.id) if wf.last_task is not None else None,
            "success": wf.success,
            "completed": wf.completed,
            "root": self.ref(wf.task_tree.id),
            "tasks": rows,
        }

    def extras(self, task: Task, parent: Task | None) -> dict:
        extras = {}
        if task.triggered is not False:
            extras["g"] = task.triggered
        internal = self.registry.convert(task.internal_data) if task.internal_data else {}
        merged = internal.get("merged")
        if isinstance(merged, list) and merged:
            refs = [self.ref(_uuid(m)) for m in merged]
            if all(isinstance(r, int) for r in refs):
                extras["m"] = refs
                internal = {k: v for k, v in internal.items() if k != "merged"}
        if internal:
            extras["i"] = internal
        if task.parent is None:
            if task.data:
                extras["d"] = task.data
            return extras
        # The stock delta: from the parent in the task's own workflow.
        updates = DeepMerge.get_updated_keys(task.parent.data, task.data)
        deletions = DeepMerge.get_deleted_keys(task.parent.data, task.data)
        if updates:
            extras["u"] = updates
        if deletions:
            extras["x"] = deletions
        return extras


def _uuid(value: object) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None


def pack(workflow: BpmnWorkflow, registry, finished: bool = False) -> dict:  # noqa: ANN001
    """The workflow (without its spec) as a format 2 document; `finished` leaves out the ids.

    Run with the registry in encoder mode: task data goes out as it is, for the stock JSON
    encoder to convert (as serialize_json does)."""
    subprocesses = workflow.subprocesses
    writer = _Writer([workflow, *subprocesses.values()], registry)
    out = writer.workflow(workflow)
    subs = []
    for key, sp in subprocesses.items():
        packed = writer.workflow(sp)
        packed["parent_task_id"] = writer.ref(sp.parent_task_id)
        packed["spec"] = sp.spec.name
        subs.append([writer.ref(key), packed])
    out["subprocesses"] = subs
    out["bpmn_events"] = registry.convert(workflow.bpmn_events)
    out[FORMAT_KEY] = FORMAT
    out["t0"] = writer.t0
    if not finished:
        out["ids"] = base64.b64encode(
            b"".join(key.bytes for wf in (workflow, *subprocesses.values()) for key in wf.tasks)
        ).decode("ascii")
    return out


class _Reader:
    def __init__(self, dct: dict, registry) -> None:  # noqa: ANN001
        self.registry = registry
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
        made: list[Task] = []
        for number, row in enumerate(rows):
            up, spec_name, state, when = row[:4]
            extras = row[4] if len(row) > 4 else {}
            spec = specs.get(spec_name)
            task = Task(wf, spec, state=state, id=self.ids[first + number])
            if isinstance(up, str):
                task._parent = UUID(up)
            elif up:
                parent = made[number - up]
                task._parent = parent.id
                if "c" not in (rows[number - up][4] if len(rows[number - up]) > 4 else {}):
                    parent._children.append(task.id)
            task.last_state_change = self.time(when)
            task.triggered = extras.get("g", False)
            internal = self.registry.restore(extras["i"]) if "i" in extras else {}
            if "m" in extras:
                internal["merged"] = [str(self.ids[m]) for m in extras["m"]]
            task.internal_data = internal
            if isinstance(spec, CatchingEvent) and task.has_state(TaskState.WAITING):
                wf.top_workflow.event_manager.add_task(task)
            task.data = self.data(task, extras)
            if "c" in extras:
                task._children = [self.ref(c) for c in extras["c"]]
            made.append(task)

    def data(self, task: Task, extras: dict) -> dict:
        parent = task.parent
        if parent is None:
            return self.registry.restore(extras["d"]) if "d" in extras else {}
        data = DeepMerge.merge({}, parent.data)
        if "u" in extras:
            data.update(self.registry.restore(extras["u"]))
        for key in extras.get("x", ()):
            data.pop(key, None)
        return data

    def fields(self, wf, dct: dict) -> None:  # noqa: ANN001
        wf.task_tree = wf.tasks.get(self.ref(dct["root"]))
        wf.success = dct["success"]
        wf.completed = dct.get("completed", False)
        wf.correlations = dct.get("correlations", {})
        wf.last_task = wf.tasks.get(self.ref(dct["last_task"]))
        wf.data = self.registry.restore(dct.get("data", {}))


def unpack(dct: dict, spec, subprocess_specs: dict, registry) -> BpmnWorkflow:  # noqa: ANN001
    """A BpmnWorkflow on the given specs from a format 2 document (as the stock restore
    would rebuild it from the format 1 dict)."""
    reader = _Reader(dct, registry)
    workflow = BpmnWorkflow(spec, dict(subprocess_specs), deserializing=True)
    reader.tasks(workflow, dct["tasks"], 0)
    reader.fields(workflow, dct)
    first = len(dct["tasks"])
    pending = {}
    for key, sp in dct["subprocesses"]:
        pending[reader.ref(key)] = (sp, first)
        first += len(sp["tasks"])
    _subprocesses(reader, workflow, workflow, pending)
    workflow.bpmn_events = registry.restore(dct.get("bpmn_events", []))
    return workflow


def _subprocesses(reader: _Reader, wf, top: BpmnWorkflow, pending: dict) -> None:  # noqa: ANN001
    # As the stock restore: parents first, each hooked to its calling task's completion.
    for task in list(wf.tasks.values()):
        if isinstance(task.task_spec, SubWorkflowTask) and task.id in pending:
            sp_dct, first = pending.pop(task.id)
            spec = top.subprocess_specs.get(task.task_spec.spec)
            sub = BpmnSubWorkflow(spec, task.id, top, deserializing=True)
            reader.tasks(sub, sp_dct["tasks"], first)
            reader.fields(sub, sp_dct)
            top.subprocesses[task.id] = sub
            sub.completed_event.connect(task.task_spec._on_subworkflow_completed, task)
            _subprocesses(reader, sub, top, pending)

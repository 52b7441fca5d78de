"""Stored state, format 2: a workflow's task tree as compact rows, written and read directly
(read back by compact_read.py).

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
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.task import Task

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
        # Keyed by the id's number: a UUID hashes in Python, its int in C (ids are looked up
        # several times per task).
        self.index: dict[int, int] = {}
        for wf in workflows:
            for key in wf.tasks:
                self.index[key.int] = len(self.index)
        self.ticks: int | None = None
        self.t0: int | None = None

    def ref(self, key: UUID | None) -> int | str | None:
        if key is None:
            return None
        position = self.index.get(key.int)
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
        rows, kids, index = [], {}, self.index
        tasks = wf.tasks
        made = list(tasks.values())
        # This workflow's tasks are numbered first, first + 1, ... in `index`.
        first = index[next(iter(tasks)).int] if tasks else 0
        for row_no, task in enumerate(made):
            parent_id = task._parent
            at = None if parent_id is None else index.get(parent_id.int)
            if parent_id is None:
                up, parent = 0, None
            elif at is not None and first <= at <= first + row_no:  # this one's, written
                up, parent = row_no - (at - first), made[at - first]
                kids.setdefault(at - first, []).append(first + row_no)
            else:
                up, parent = str(parent_id), tasks.get(parent_id)
            row = [up, task.task_spec.name, task._state, self.time(task.last_state_change)]
            extras = self.extras(task, parent)
            if extras:
                row.append(extras)
            rows.append(row)
        for row_no, task in enumerate(made):
            if not task._children and row_no not in kids:
                continue
            children = [self.ref(c) for c in task._children]
            if children != kids.get(row_no, []):
                row = rows[row_no]
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
        """What differs from the defaults; `parent` is the task's parent in its workflow."""
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
        data = task.data
        if parent is None:
            if data:
                extras["d"] = data
            return extras
        # The stock delta (DeepMerge.get_updated_keys / get_deleted_keys): from the parent in
        # the task's own workflow.
        base = parent.data
        updates = {key: data[key] for key in data if key not in base or data[key] != base[key]}
        deletions = [key for key in base if key not in data]
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
            b"".join(
                key.int.to_bytes(16, "big")  # what UUID.bytes gives, without its property
                for wf in (workflow, *subprocesses.values())
                for key in wf.tasks
            )
        ).decode("ascii")
    return out

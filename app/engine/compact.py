"""Stored state, format 2: SpiffWorkflow's workflow dict written as compact rows, and back.

Format 1 (still read) is the stock dict itself: one JSON object per task, keyed by its UUID
text, the UUID repeated as its own id, in its parent's `children` and in its children's
`parent`, every default field written out. Format 2 holds the same information:

- `ids`: every task id once, as 16 raw bytes each, base64 (top-level tasks first, then each
  subprocess's); everything else refers to a task by its position in that list;
- `t0`: the first task's `last_state_change` in ticks of 2**-22 s (time.time() floats near
  now are multiples of that), each row then stores the difference to the row before;
- one row per task, in the stock order: `[parent, task_spec, state, ticks, extras]` where
  parent is the distance back to the parent's row (0: none) and extras holds only what
  differs from the defaults (`g` triggered, `i` internal data, `m` merged child ids, `d`
  data, `u`/`x` the data delta's updates and deletions, `c` children when they are not the
  rows naming this one as parent in order, `n` a typename other than "Task").

A value the rows cannot express (an id that is not a canonical UUID, a float that is not a
whole number of ticks, an unexpected field) is kept as written: a task dict that does not fit
is stored verbatim in place of its row. `unpack(pack(d)) == d` for every workflow dict.

A finished instance (nothing left to run, nothing resumes it) is packed without `ids`:
reading it back gives its tasks new ids, with the same tree, states, times and data.
"""

from __future__ import annotations

import base64
import re
from uuid import uuid4

FORMAT = 2
FORMAT_KEY = "format"
TICKS = 1 << 22
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TASK_KEYS = frozenset(
    ("id", "parent", "children", "last_state_change", "state", "task_spec", "triggered",
     "internal_data", "data", "delta", "typename")
)  # fmt: skip
_NO_ID = bytes(16)  # the ids slot of a task stored verbatim


def is_packed(dct: dict) -> bool:
    """True for a format 2 document (format 1 has no `format` key)."""
    return dct.get(FORMAT_KEY) == FORMAT


def _fits(key: str, task: dict) -> bool:
    return (
        isinstance(task, dict)
        and task.keys() == _TASK_KEYS
        and key == task["id"]
        and isinstance(key, str)
        and _UUID.fullmatch(key) is not None
        and (task["parent"] is None or isinstance(task["parent"], str))
        and isinstance(task["children"], list)
    )


class _Packer:
    def __init__(self, workflows: list[dict]) -> None:
        self.index: dict[str, int] = {}
        for wf in workflows:
            for key, task in wf["tasks"].items():
                self.index[key] = len(self.index) if _fits(key, task) else -1
        self.ids = bytearray()
        self.ticks: int | None = None
        self.t0: int | None = None

    def ref(self, value):  # noqa: ANN001, ANN201 - an id text or anything else
        """A task id as its position; anything else (None, an unknown text) as itself."""
        if isinstance(value, str):
            position = self.index.get(value, -1)
            return value if position < 0 else position
        return value

    def time(self, value):  # noqa: ANN001, ANN201
        if isinstance(value, float) and (value * TICKS).is_integer():
            ticks = int(value * TICKS)
            if self.t0 is None:
                self.t0 = self.ticks = ticks
            delta, self.ticks = ticks - self.ticks, ticks
            return delta
        return float(value) if isinstance(value, int) else value  # a float stays a float

    def workflow(self, wf: dict) -> dict:
        out = {k: v for k, v in wf.items() if k not in ("tasks", "root", "last_task")}
        out["root"], out["last_task"] = self.ref(wf["root"]), self.ref(wf["last_task"])
        if "parent_task_id" in wf:
            out["parent_task_id"] = self.ref(wf["parent_task_id"])
        rows, positions, kids = [], {}, {}
        for key, task in wf["tasks"].items():
            if self.index[key] < 0:
                self.ids += _NO_ID
                rows.append({"k": key, "t": task})  # kept as written
                continue
            row_no = positions[key] = len(rows)
            parent = task["parent"]
            if parent in positions:
                up = row_no - positions[parent]
                kids.setdefault(parent, []).append(self.index[key])
            else:
                up = 0 if parent is None else parent  # another (sub)process's task: its id
            self.ids += bytes.fromhex(key.replace("-", ""))
            when = self.time(task["last_state_change"])
            rows.append([up, task["task_spec"], task["state"], when])
            extras = self.extras(task)
            if extras:
                rows[-1].append(extras)
        for key, task in wf["tasks"].items():
            if self.index[key] < 0:
                continue
            children = [self.ref(c) for c in task["children"]]
            if children != kids.get(key, []):
                row = rows[positions[key]]
                if len(row) == 4:
                    row.append({})
                row[4]["c"] = children
        out["tasks"] = rows
        return out

    def extras(self, task: dict) -> dict:
        extras = {}
        if task["triggered"] is not False:
            extras["g"] = task["triggered"]
        internal = task["internal_data"]
        merged = internal.get("merged") if isinstance(internal, dict) else None
        if isinstance(merged, list) and all(isinstance(self.ref(m), int) for m in merged):
            extras["m"] = [self.ref(m) for m in merged]
            internal = {k: v for k, v in internal.items() if k != "merged"}
        if internal != {}:
            extras["i"] = internal
        if task["data"] != {}:
            extras["d"] = task["data"]
        delta = task["delta"]
        if task["parent"] is None and delta == {}:
            pass
        elif isinstance(delta, dict) and delta.keys() == {"updates", "deletions"}:
            if delta["updates"] != {}:
                extras["u"] = delta["updates"]
            if delta["deletions"] != []:
                extras["x"] = delta["deletions"]
        else:
            extras["D"] = delta
        if task["typename"] != "Task":
            extras["n"] = task["typename"]
        return extras


def pack(dct: dict, finished: bool = False) -> dict:
    """A format 1 (stock, spec-less) workflow dict as format 2; `finished` leaves out the ids."""
    subprocesses = dct.get("subprocesses", {})
    packer = _Packer([dct, *subprocesses.values()])
    out = packer.workflow(dct)
    out["subprocesses"] = [[packer.ref(k), packer.workflow(v)] for k, v in subprocesses.items()]
    out[FORMAT_KEY] = FORMAT
    out["t0"] = packer.t0
    if not finished:
        out["ids"] = base64.b64encode(packer.ids).decode("ascii")
    return out


def _extras(row: list | dict) -> dict:
    return row[4] if isinstance(row, list) and len(row) > 4 else {}


class _Unpacker:
    def __init__(self, dct: dict) -> None:
        rows = [row for wf in (dct, *(sp for _k, sp in dct["subprocesses"])) for row in wf["tasks"]]
        if "ids" in dct:
            raw = base64.b64decode(dct["ids"])
            hexes = [raw[i : i + 16].hex() for i in range(0, len(raw), 16)]
            self.ids = [f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}" for h in hexes]
        else:
            self.ids = [str(uuid4()) for _ in rows]
        self.ticks = dct["t0"]

    def ref(self, value):  # noqa: ANN001, ANN201
        return self.ids[value] if isinstance(value, int) and not isinstance(value, bool) else value

    def time(self, value):  # noqa: ANN001, ANN201
        if isinstance(value, int):
            self.ticks += value
            return self.ticks / TICKS
        return value

    def workflow(self, wf: dict, first: int) -> dict:
        out = {k: v for k, v in wf.items() if k not in ("tasks", "root", "last_task")}
        out["root"], out["last_task"] = self.ref(wf["root"]), self.ref(wf["last_task"])
        if "parent_task_id" in wf:
            out["parent_task_id"] = self.ref(wf["parent_task_id"])
        tasks, keys = {}, []
        for number, row in enumerate(wf["tasks"]):
            if isinstance(row, dict):
                keys.append(row["k"])
                tasks[row["k"]] = row["t"]
                continue
            key = self.ids[first + number]
            keys.append(key)
            up, spec, state, when = row[:4]
            extras = _extras(row)
            parent = up if isinstance(up, str) else keys[number - up] if up else None
            tasks[key] = self.task(key, parent, spec, state, self.time(when), extras)
            if isinstance(up, int) and up and "c" not in _extras(wf["tasks"][number - up]):
                tasks[parent]["children"].append(key)
        for number, row in enumerate(wf["tasks"]):
            if "c" in _extras(row):
                tasks[keys[number]]["children"] = [self.ref(c) for c in row[4]["c"]]
        out["tasks"] = tasks
        return out

    def task(self, key: str, parent, spec, state, when, extras: dict) -> dict:  # noqa: ANN001
        internal = extras.get("i", {})
        if "m" in extras:
            internal = {**internal, "merged": [self.ref(m) for m in extras["m"]]}
        if "D" in extras:
            delta = extras["D"]
        elif parent is None:
            delta = {}
        else:
            delta = {"updates": extras.get("u", {}), "deletions": extras.get("x", [])}
        return {
            "id": key,
            "parent": parent,
            "children": [],
            "last_state_change": when,
            "state": state,
            "task_spec": spec,
            "triggered": extras.get("g", False),
            "internal_data": internal,
            "data": extras.get("d", {}),
            "delta": delta,
            "typename": extras.get("n", "Task"),
        }


def unpack(dct: dict) -> dict:
    """A format 2 document as the format 1 (stock, spec-less) workflow dict it was packed from."""
    unpacker = _Unpacker(dct)
    out = unpacker.workflow(dct, 0)
    first = len(dct["tasks"])
    subprocesses = {}
    for key, sp in dct["subprocesses"]:
        subprocesses[unpacker.ref(key)] = unpacker.workflow(sp, first)
        first += len(sp["tasks"])
    out["subprocesses"] = subprocesses
    for key in (FORMAT_KEY, "t0", "ids"):
        out.pop(key, None)
    return out

"""CPU of the engine step alone, split into restore / run / dump, per timed step.

    .venv/bin/python bench/profile_engine.py [--rounds 50] [--step pmc_dispatch]
    .venv/bin/python bench/profile_engine.py --cprofile --phase run [--sort cumulative]
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/tmp/cg/out \
        .venv/bin/python bench/profile_engine.py --callgrind /tmp/cg/out --rounds 3

Starts from bench/engine_overhead.py's timed steps (the same states and answers) and runs our
side only (`runner.complete`, or `runner.send_message` for the customer's confirmation):

- `restore`: `state.load_state` (decompress, JSON, rebuild the tasks);
- `run`: the call with the restore and the result swapped for stand-ins (a workflow restored
  beforehand, an empty result): find the task, run it, the engine steps;
- `dump`: `runner._result` on a workflow restored and run beforehand (depth guard, ready
  tasks, sent messages, next timer, `dump_state`);
- `step`: the whole call.

Only the phase itself is measured: what it needs is made before, unmeasured, every time,
and a garbage collection runs before each measured call (so each starts from the same point).
Without --callgrind it prints the `time.process_time()` median of each phase per step (ms).
With --callgrind (under valgrind, as above) it collects instructions around each call only
(instrumentation switched on and off by callgrind's client requests, through a small C
helper built with gcc) and prints the
instructions per call of each phase and step (deterministic, unlike time on a shared
machine). Not part of `make bench`; its figures are in docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import cProfile
import ctypes
import gc
import io
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.engine import runner, specs  # noqa: E402
from app.engine.state import load_state  # noqa: E402
from bench.engine_overhead import (  # noqa: E402
    BPMN,
    TIMED,
    Bare,
    BareCached,
    _dmn_files,
    prepare,
)

PHASES = ("restore", "run", "dump", "step")
_HELPER = """#include <valgrind/callgrind.h>
void cg_start(void) { CALLGRIND_START_INSTRUMENTATION; }
void cg_stop(void) { CALLGRIND_STOP_INSTRUMENTATION; }
void cg_dump(const char *label) { CALLGRIND_DUMP_STATS_AT(label); }
"""


def _run_only(defn: specs.ProcessDefinition, fn: Callable, args: tuple, workflow) -> object:  # noqa: ANN001
    """The call with its restore and its result replaced: the workflow given, a stand-in."""
    restore, result = runner._restore_checked, runner._result
    runner._restore_checked = lambda _defn, _state: (workflow, None)
    runner._result = lambda _defn, wf, error=None: runner.StepResult(b"", [], False, error, {})
    try:
        return fn(*args)
    finally:
        runner._restore_checked, runner._result = restore, result


def _phases(defn: specs.ProcessDefinition, fn: Callable, args: tuple) -> dict:
    """Each phase as (set-up, measured call taking the set-up's value)."""
    state = args[1]

    def restored() -> object:
        return load_state(defn, state)

    def ran() -> object:
        workflow = restored()
        _run_only(defn, fn, args, workflow)
        return workflow

    return {
        "restore": (lambda: None, lambda _: load_state(defn, state)),
        "run": (restored, lambda wf: _run_only(defn, fn, args, wf)),
        "dump": (ran, lambda wf: runner._result(defn, wf)),
        "step": (lambda: None, lambda _: fn(*args)),
    }


def _helper() -> ctypes.CDLL:
    folder = Path(tempfile.mkdtemp())
    (folder / "cg.c").write_text(_HELPER)
    subprocess.run(
        ["gcc", "-O1", "-shared", "-fPIC", "-o", str(folder / "cg.so"), str(folder / "cg.c")],
        check=True,
    )
    return ctypes.CDLL(str(folder / "cg.so"))


def _callgrind(out: str, calls: dict, phases: list[str], rounds: int) -> None:
    """Collect each (phase, step)'s calls into one dump, then print instructions per call."""
    lib = _helper()
    labels = []
    for phase in phases:
        for step, (setup, measured) in calls.items():
            for _ in range(rounds):
                value = setup[phase]()
                gc.collect()  # each call starts with the collector's counts at zero
                lib.cg_start()
                measured[phase](value)
                lib.cg_stop()
            label = f"{phase}:{step}"
            lib.cg_dump(label.encode())
            labels.append(label)
    found = {}
    for path in Path(out).parent.glob(Path(out).name + ".*"):
        text = path.read_text(errors="replace")
        label = re.search(r"^desc: Trigger: Client Request: (.+)$", text, re.M)
        total = re.search(r"^totals: (\d+)", text, re.M)
        if label and total:
            found[label[1].strip()] = int(total[1]) / rounds
    _table("instructions per call (millions)", found, phases, list(calls), 1e6)


def _table(title: str, values: dict, phases: list[str], steps: list[str], unit: float) -> None:
    print(f"{title}, load {os.getloadavg()[0]:.2f}")
    print(f"{'step':24}" + "".join(f"{p:>10}" for p in phases))
    for step in [*steps, "sum"]:
        row = []
        for phase in phases:
            if step == "sum":
                value = sum(values.get(f"{phase}:{s}", 0) for s in steps)
            else:
                value = values.get(f"{phase}:{step}", 0)
            row.append(f"{value / unit:10.3f}")
        print(f"{step:24}" + "".join(row))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--step", action="append", choices=TIMED, help="default: all timed")
    parser.add_argument("--phase", action="append", choices=PHASES, help="default: all")
    parser.add_argument("--cprofile", action="store_true", help="profile the phases chosen")
    parser.add_argument("--callgrind", metavar="OUT", help="valgrind's --callgrind-out-file")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="tottime")
    args = parser.parse_args()
    phases = args.phase or list(PHASES)
    defn = specs.load_definition(BPMN.read_bytes(), list(_dmn_files().values()))
    cases = prepare(defn, Bare(), BareCached())
    calls = {}
    for step in args.step or TIMED:
        parts = _phases(defn, *cases[step]["ours"])
        calls[step] = ({p: parts[p][0] for p in PHASES}, {p: parts[p][1] for p in PHASES})
    for _ in range(3):  # warm-up: caches, first-call imports
        for setup, measured in calls.values():
            for phase in PHASES:
                measured[phase](setup[phase]())
    if args.callgrind:
        _callgrind(args.callgrind, calls, phases, args.rounds)
        return 0
    profiler = cProfile.Profile() if args.cprofile else None
    times: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for step, (setup, measured) in calls.items():
            for phase in phases:
                value = setup[phase]()
                gc.collect()
                if profiler:
                    profiler.enable()
                start = time.process_time()
                measured[phase](value)
                elapsed = time.process_time() - start
                if profiler:
                    profiler.disable()
                times.setdefault(f"{phase}:{step}", []).append(elapsed * 1000)
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())
        return 0
    medians = {key: statistics.median(values) for key, values in times.items()}
    _table(f"process_time medians (ms), {args.rounds} rounds", medians, phases, list(calls), 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

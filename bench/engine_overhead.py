"""Engine overhead: one task completion through app.engine.runner vs bare SpiffWorkflow.

Ours: `runner.complete(defn, state, task_id, data)` — decompress the spec-less state, restore it
around the cached spec, complete the task, run the engine steps (restricted expressions), check
depth and ready tasks, serialize and compress. Bare: a `BpmnWorkflowSerializer` configured with
SPIFF_CONFIG does `deserialize_json` (spec embedded) → the same ready task by id → `data.update`,
`run()` → `do_engine_steps()` → `serialize_json`, with the default PythonScriptEngine (the
diagram's expressions are plain Python). Both sides start from the same point of the same
instance of workflows/order_review.bpmn (spec parsed with SpiffBpmnParser on the bare side) and
get the same data: the form answers parsed as the app parses them. Rounds are interleaved (which
side goes first alternates), after a warm-up, with a gc.collect() between rounds.
"""

from __future__ import annotations

import gc
import json
import statistics
import time
from collections.abc import Callable
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState
from werkzeug.datastructures import MultiDict

from app.engine import runner, specs
from app.services.forms import parse_submission
from bench.common import FORM_ANSWERS, ROOT, summarize

BPMN = ROOT / "workflows" / "order_review.bpmn"
PROCESS_ID = "order_review"
# The happy path, and the steps whose completion is timed (each from its own starting point).
PATH = (
    "confirm_order",
    "pmc_dispatch",
    "review_engineering",
    "review_production",
    "review_quality",
    "review_warehouse",
    "pmc_consolidate",
)
TIMED = ("confirm_order", "pmc_dispatch", "review_engineering", "pmc_consolidate")
START_DATA = {
    "order": {
        "id": 1,
        "number": "SO-2025-00001",
        "type": "new",
        "customer": "ACME",
        "line_count": 1,
        "non_standard_lines": 1,
    }
}


def _form_data(defn: specs.ProcessDefinition, step: str) -> dict:
    """What the task service hands the engine for this step: {step: parsed form answers}."""
    form = defn.user_tasks[step].form
    doc = json.loads((ROOT / "forms" / f"{form}.json").read_text(encoding="utf-8"))
    data, errors = parse_submission(doc, MultiDict(FORM_ANSWERS[step]))
    if errors:
        raise RuntimeError(f"{step}: the benchmark's answers no longer fit the form: {errors}")
    return {step: data}


def _bare_ready(workflow: BpmnWorkflow) -> dict[str, str]:
    tasks = workflow.get_tasks(state=TaskState.READY)
    return {t.task_spec.name: str(t.id) for t in tasks if t.task_spec.manual}


class Bare:
    """Bare SpiffWorkflow: stock serializer, spec embedded, default script engine."""

    def __init__(self) -> None:
        parser = SpiffBpmnParser()
        parser.add_bpmn_file(str(BPMN))
        self.spec = parser.get_spec(PROCESS_ID)
        self.subprocess_specs = parser.get_subprocess_specs(PROCESS_ID)
        self.engine = PythonScriptEngine()
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

    def start(self, data: dict) -> BpmnWorkflow:
        """A new instance run up to its first user task."""
        workflow = BpmnWorkflow(self.spec, self.subprocess_specs, script_engine=self.engine)
        workflow.task_tree.data.update(data)
        workflow.do_engine_steps()
        return workflow

    def complete(self, text: str, task_id: str, data: dict) -> str:
        """The timed round trip: restore → complete → engine steps → serialize."""
        workflow = self.serializer.deserialize_json(text)
        workflow.script_engine = self.engine
        task = workflow.get_task_from_id(UUID(task_id))
        task.data.update(data)
        task.run()
        workflow.do_engine_steps()
        return self.serializer.serialize_json(workflow)


def prepare(defn: specs.ProcessDefinition, bare: Bare) -> dict[str, dict]:
    """Walk both engines down the happy path; keep each timed step's starting point."""
    cases = {}
    ours = runner.start(defn, START_DATA)
    workflow = bare.start(START_DATA)
    for step in PATH:
        our_ids = {t.spec_name: t.task_id for t in ours.ready}
        bare_ids = _bare_ready(workflow)
        if sorted(our_ids) != sorted(bare_ids) or step not in our_ids:
            raise RuntimeError(f"before {step}: ours {sorted(our_ids)}, bare {sorted(bare_ids)}")
        data = _form_data(defn, step)
        if step in TIMED:
            cases[step] = {
                "ours": (defn, ours.state, our_ids[step], data),
                "bare": (bare.serializer.serialize_json(workflow), bare_ids[step], data),
            }
        ours = runner.complete(defn, ours.state, our_ids[step], data)
        if ours.error is not None:
            raise RuntimeError(f"{step}: {ours.error.message}")
        task = workflow.get_task_from_id(UUID(bare_ids[step]))
        task.data.update(data)
        task.run()
        workflow.do_engine_steps()
    if not (ours.completed and workflow.completed):
        raise RuntimeError("the happy path did not finish the process on both sides")
    return cases


def _time_ms(fn: Callable, args: tuple) -> float:
    start = time.perf_counter_ns()
    fn(*args)
    return (time.perf_counter_ns() - start) / 1e6


def run(rounds: int = 300, warmup: int = 30) -> dict:
    """Interleaved timings of both sides for each timed step; ratios ours/bare."""
    defn = specs.load_definition(BPMN.read_bytes())
    bare = Bare()
    cases = prepare(defn, bare)
    sides = {"ours": runner.complete, "bare": bare.complete}
    raw: dict[str, dict[str, list[float]]] = {s: {"ours": [], "bare": []} for s in TIMED}
    for i in range(warmup + rounds):
        gc.collect()
        for j, step in enumerate(TIMED):
            order = ("ours", "bare") if (i + j) % 2 == 0 else ("bare", "ours")
            for side in order:
                elapsed = _time_ms(sides[side], cases[step][side])
                if i >= warmup:
                    raw[step][side].append(elapsed)
    per_round = [
        sum(raw[s]["ours"][k] for s in TIMED) / sum(raw[s]["bare"][k] for s in TIMED)
        for k in range(rounds)
    ]
    steps = {}
    for step in TIMED:
        ours, bare_ms = raw[step]["ours"], raw[step]["bare"]
        steps[step] = {
            "ours": summarize(ours),
            "bare": summarize(bare_ms),
            "ratio": round(statistics.median(o / b for o, b in zip(ours, bare_ms, strict=True)), 3),
            "raw_ms": {"ours": [round(x, 3) for x in ours], "bare": [round(x, 3) for x in bare_ms]},
        }
    return {
        "ratio": round(statistics.median(per_round), 3),
        "ratio_p5_p95": [round(q, 3) for q in _p5_p95(per_round)],
        "rounds": rounds,
        "warmup_rounds": warmup,
        "timed_steps": list(TIMED),
        "steps": steps,
    }


def _p5_p95(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=20, method="inclusive")
    return cuts[0], cuts[-1]

"""Engine overhead: order_lifecycle steps through app.engine.runner vs bare SpiffWorkflow.

Ours: `runner.complete(defn, state, task_id, data)` (or `runner.send_message` for the customer's
confirmation): decompress the spec-less state, restore it around the cached spec, complete the
task, run the engine steps (restricted expressions, the strict DMN engine, our joins and
multi-instance merging), check depth and ready tasks, serialize and compress. Bare: a
`BpmnWorkflowSerializer` configured with SPIFF_CONFIG does `deserialize_json` (spec embedded) →
the same ready task by id → `data.update`, `run()` (or `send_event` with the same message and
correlation) → `do_engine_steps()` → `serialize_json`, with the default PythonScriptEngine (the
diagram's expressions and scripts are plain Python). The bare spec is parsed by the stock
`SpiffBpmnParser` from the same workflows/order_lifecycle.bpmn, with the same DMN file
(intake_route.dmn) added through the parser's `add_dmn_xml`. Both sides walk the same path
(intake, full review, confirmation, meeting, one standardisation per line) from the same start
data, with the same data at each step: the answers parsed as the app parses them. Rounds are
interleaved (which side goes first alternates), after a warm-up, with a gc.collect() between
rounds.
"""

from __future__ import annotations

import gc
import json
import re
import statistics
import time
from collections.abc import Callable
from uuid import UUID

from lxml import etree
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState
from werkzeug.datastructures import MultiDict

from app.core.processes.forms import parse_submission
from app.engine import runner, specs
from app.engine.decisions import decisions_for
from app.modules.confirmations.services import confirmations
from app.modules.orders.services.orders import EDITABLE_STEPS
from bench.common import (
    FORM_ANSWERS,
    LIFECYCLE_ANSWERS,
    NONSTANDARD_LINES,
    PROCESS_ID,
    ROOT,
    SIGNER,
    standardise_form,
    summarize,
)

BPMN = ROOT / "workflows" / f"{PROCESS_ID}.bpmn"
MESSAGE = confirmations.MESSAGE  # "order_confirmed", caught by `customer_confirmed`
MESSAGE_STEP = "customer_confirmed"
ORDER_ID = 1
# The start data the order service passes (docs/LIFECYCLE_CONTRACT.md; orders.process_data).
START_DATA = {
    "order_id": ORDER_ID,
    "order": {
        "id": ORDER_ID,
        "number": "SO-2026-00001",
        "type": "new",
        "customer": "ACME",
        "line_count": NONSTANDARD_LINES,
        "non_standard_count": NONSTANDARD_LINES,
        "all_standard": False,
        "repeat_customer": False,
    },
    "nonstandard_lines": [
        {"line_id": n, "position": n, "description": f"Custom bracket {n}"}
        for n in range(1, NONSTANDARD_LINES + 1)
    ],
}
# What confirmations._confirm sends, and the correlation instances.deliver_message adds.
MESSAGE_PAYLOAD = {"confirmed_by": SIGNER, "method": "link", "revision_hash": "0" * 64}
CORRELATION = {"order_id": ORDER_ID}
# The approval path: (label, spec name, multi-instance index). Labels are the results' keys.
PATH = (
    ("confirm_order", "confirm_order", None),  # then the intake_route DMN, full route
    ("pmc_dispatch", "pmc_dispatch", None),  # opens the four parallel reviews
    ("review_engineering", "review_engineering", None),
    ("review_production", "review_production", None),
    ("review_quality", "review_quality", None),
    ("review_warehouse", "review_warehouse", None),  # the last review: the join fires
    ("pmc_consolidate", "pmc_consolidate", None),  # gateway, script, split: send + wait
    ("send_confirmation", "send_confirmation", None),  # into the join, which still waits
    (MESSAGE_STEP, MESSAGE_STEP, None),  # the customer's message: join, review meeting opens
    ("review_meeting", "review_meeting", None),  # script, multi-instance opens per line
    *(
        (f"standardise_item[{i}]", "standardise_item", i)  # the last one ends the process
        for i in range(NONSTANDARD_LINES)
    ),
)
TIMED = (
    "confirm_order",
    "pmc_dispatch",
    "review_engineering",
    "pmc_consolidate",
    "send_confirmation",
    MESSAGE_STEP,
    "review_meeting",
    f"standardise_item[{NONSTANDARD_LINES - 1}]",
)


def _dmn_files() -> dict[str, bytes]:
    """The DMN files the diagram calls, picked as deployment picks them."""
    xml = BPMN.read_bytes()
    return decisions_for(xml, {p.name: p.read_bytes() for p in (ROOT / "workflows").glob("*.dmn")})


def _answers(spec_name: str, index: int | None) -> dict:
    if spec_name == "standardise_item":
        code = f"BR-{ORDER_ID}-{index + 1}" if index == 0 else None
        return standardise_form(code, f"Bracket {index + 1}")
    return {**FORM_ANSWERS.get(spec_name, {}), **LIFECYCLE_ANSWERS.get(spec_name, {})}


def _form_data(defn: specs.ProcessDefinition, spec_name: str, index: int | None) -> dict:
    """What the task service hands the engine for this step: {step: parsed form answers}, plus
    the order data for sales' own steps (tasks.complete_task)."""
    form = defn.user_tasks[spec_name].form
    doc = json.loads((ROOT / "forms" / f"{form}.json").read_text(encoding="utf-8"))
    data, errors = parse_submission(doc, MultiDict(_answers(spec_name, index)))
    if errors:
        raise RuntimeError(f"{spec_name}: the benchmark's answers no longer fit the form: {errors}")
    payload = {spec_name: data}
    if spec_name in EDITABLE_STEPS:
        payload.update(json.loads(json.dumps(START_DATA)))
    return payload


def stock_timers(xml: bytes) -> bytes:
    """The diagram with its literal timer values (`PT16H`, `R2/PT24H`) quoted: our engine reads
    an ISO 8601 literal as itself, the stock script engine evaluates every timer expression as
    Python, where a literal must be a quoted string. Same timers, same work."""
    return re.sub(
        rb"(<bpmn:time(?:Duration|Date|Cycle)[^>]*>)\s*([PR0-9][^<'\"]*?)\s*<", rb"\1'\2'<", xml
    )


def _bare_ready(workflow: BpmnWorkflow) -> dict[tuple[str, int | None], str]:
    ready = {}
    for task in workflow.get_tasks(state=TaskState.READY):
        if not task.task_spec.manual:
            continue
        parent = task.parent.task_spec if task.parent is not None else None
        multi = isinstance(parent, MultiInstanceTask) and parent.task_spec == task.task_spec.name
        index = task.internal_data.get("key_or_index") if multi else None
        ready[(task.task_spec.bpmn_id, index)] = str(task.id)
    return ready


def _our_ready(result: runner.StepResult) -> dict[tuple[str, int | None], str]:
    return {(t.spec_name, t.loop_index): t.task_id for t in result.ready}


class Bare:
    """Bare SpiffWorkflow: stock parser (+ the same DMN), stock serializer with the spec
    embedded, default script engine."""

    def __init__(self) -> None:
        parser = SpiffBpmnParser()
        for dmn in _dmn_files().values():
            parser.add_dmn_xml(etree.fromstring(dmn))
        parser.add_bpmn_xml(etree.fromstring(stock_timers(BPMN.read_bytes())), str(BPMN))
        self.spec = parser.get_spec(PROCESS_ID)
        self.subprocess_specs = parser.get_subprocess_specs(PROCESS_ID)
        self.engine = PythonScriptEngine()
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        self.message = next(
            ts.event_definition
            for ts in self.spec.task_specs.values()
            if isinstance(getattr(ts, "event_definition", None), MessageEventDefinition)
            and ts.event_definition.name == MESSAGE
        )

    def start(self, data: dict) -> BpmnWorkflow:
        """A new instance run up to its first user task."""
        workflow = BpmnWorkflow(self.spec, self.subprocess_specs, script_engine=self.engine)
        workflow.task_tree.data.update(data)
        workflow.do_engine_steps()
        return workflow

    def run_task(self, workflow: BpmnWorkflow, task_id: str, data: dict) -> None:
        """Complete one ready task and run on (in memory)."""
        task = workflow.get_task_from_id(UUID(task_id))
        task.data.update(data)
        task.run()
        workflow.do_engine_steps()

    def deliver(self, workflow: BpmnWorkflow, payload: dict, correlation: dict) -> None:
        """Send the message, its correlation computed from the payload, and run on."""
        payload = {**payload, **correlation}
        correlations = self.message.calculate_correlations(
            self.engine, self.message.correlation_properties, payload
        )
        workflow.send_event(BpmnEvent(self.message, payload=payload, correlations=correlations))
        workflow.do_engine_steps()

    def complete(self, text: str, task_id: str, data: dict) -> str:
        """The timed round trip: restore → complete → engine steps → serialize."""
        workflow = self.serializer.deserialize_json(text)
        workflow.script_engine = self.engine
        self.run_task(workflow, task_id, data)
        return self.serializer.serialize_json(workflow)

    def send_message(self, text: str, payload: dict, correlation: dict) -> str:
        """The timed round trip for the message: restore → send_event → engine steps →
        serialize."""
        workflow = self.serializer.deserialize_json(text)
        workflow.script_engine = self.engine
        self.deliver(workflow, payload, correlation)
        return self.serializer.serialize_json(workflow)


class _KeepSpecOut(BpmnWorkflowConverter):
    """The stock workflow converter minus the spec: written without it, restored around the
    spec objects the caller parsed once (SpiffWorkflow documents storing specs apart)."""

    cached: tuple = (None, {})

    def to_dict(self, workflow: BpmnWorkflow) -> dict:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict) -> BpmnWorkflow:
        spec, subprocess_specs = self.cached
        # Non-dict values pass through the registry untouched: the parsed spec is reused.
        return super().from_dict(dict(dct, spec=spec, subprocess_specs=dict(subprocess_specs)))


class BareCached(Bare):
    """Bare SpiffWorkflow with the spec cached, as ours caches it: the stock serializer's
    workflow dict without the spec, plain JSON (no compression), restored around the spec
    parsed once. The fair baseline: the only differences left are our layer's."""

    def __init__(self) -> None:
        super().__init__()
        config = dict(SPIFF_CONFIG)
        config[BpmnWorkflow] = type("KeepSpecOut", (_KeepSpecOut,), {})
        config[BpmnWorkflow].cached = (self.spec, self.subprocess_specs)
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


def prepare(defn: specs.ProcessDefinition, bare: Bare, cached: BareCached) -> dict[str, dict]:
    """Walk both engines down the approval path; keep each timed step's starting point as
    (function, arguments) per side (the cached bare side starts from the same workflow as the
    stock one, written by its own serializer)."""
    cases = {}
    ours = runner.start(defn, START_DATA)
    workflow = bare.start(START_DATA)
    for label, spec_name, index in PATH:
        our_ids, bare_ids = _our_ready(ours), _bare_ready(workflow)
        if sorted(our_ids, key=str) != sorted(bare_ids, key=str):
            raise RuntimeError(
                f"before {label}: ours {sorted(our_ids, key=str)}, bare {sorted(bare_ids, key=str)}"
            )
        if spec_name == MESSAGE_STEP:
            if our_ids:
                raise RuntimeError(f"before {label}: tasks still open: {sorted(our_ids, key=str)}")
            if label in TIMED:
                cases[label] = {
                    "ours": (runner.send_message, (defn, ours.state, MESSAGE, MESSAGE_PAYLOAD,
                                                   CORRELATION)),
                    "bare": (bare.send_message, (bare.serializer.serialize_json(workflow),
                                                 MESSAGE_PAYLOAD, CORRELATION)),
                    "cached": (cached.send_message, (cached.serializer.serialize_json(workflow),
                                                     MESSAGE_PAYLOAD, CORRELATION)),
                }  # fmt: skip
            ours = runner.send_message(defn, ours.state, MESSAGE, MESSAGE_PAYLOAD, CORRELATION)
            bare.deliver(workflow, MESSAGE_PAYLOAD, CORRELATION)
        else:
            key = (spec_name, index)
            if key not in our_ids:
                raise RuntimeError(f"before {label}: {key} is not ready")
            data = _form_data(defn, spec_name, index)
            if label in TIMED:
                cases[label] = {
                    "ours": (runner.complete, (defn, ours.state, our_ids[key], data)),
                    "bare": (bare.complete, (bare.serializer.serialize_json(workflow),
                                             bare_ids[key], data)),
                    "cached": (cached.complete, (cached.serializer.serialize_json(workflow),
                                                 bare_ids[key], data)),
                }  # fmt: skip
            ours = runner.complete(defn, ours.state, our_ids[key], data)
            bare.run_task(workflow, bare_ids[key], data)
        if ours.error is not None:
            raise RuntimeError(f"{label}: {ours.error.message}")
    if not (ours.completed and workflow.completed):
        raise RuntimeError("the approval path did not finish the process on both sides")
    for side, data in (("ours", ours.data), ("bare", workflow.data)):
        ended = (data.get("route"), data.get("order_status"))
        if ended != ("full", "released"):
            raise RuntimeError(f"{side}: route and status {ended}, not ('full', 'released')")
    return cases


def _time_ms(fn: Callable, args: tuple) -> float:
    start = time.perf_counter_ns()
    fn(*args)
    return (time.perf_counter_ns() - start) / 1e6


SIDES = ("ours", "cached", "bare")


def _ratio_per_round(raw: dict, side: str, rounds: int) -> list[float]:
    return [
        sum(raw[s]["ours"][k] for s in TIMED) / sum(raw[s][side][k] for s in TIMED)
        for k in range(rounds)
    ]


def run(rounds: int = 300, warmup: int = 30) -> dict:
    """Interleaved timings of the three sides for each timed step; ratios ours / bare with the
    spec cached (the headline) and ours / bare with the stock serializer."""
    defn = specs.load_definition(BPMN.read_bytes(), list(_dmn_files().values()))
    if defn.process_id != PROCESS_ID:
        raise RuntimeError(f"{BPMN.name} defines {defn.process_id}, not {PROCESS_ID}")
    cases = prepare(defn, Bare(), BareCached())
    raw: dict[str, dict[str, list[float]]] = {s: {side: [] for side in SIDES} for s in TIMED}
    for i in range(warmup + rounds):
        gc.collect()
        for j, step in enumerate(TIMED):
            shift = (i + j) % len(SIDES)  # which side goes first rotates
            for side in SIDES[shift:] + SIDES[:shift]:
                elapsed = _time_ms(*cases[step][side])
                if i >= warmup:
                    raw[step][side].append(elapsed)
    per_round = _ratio_per_round(raw, "cached", rounds)
    per_round_stock = _ratio_per_round(raw, "bare", rounds)
    steps = {}
    for step in TIMED:
        ours = raw[step]["ours"]
        steps[step] = {
            "ours": summarize(ours),
            "bare_cached": summarize(raw[step]["cached"]),
            "bare": summarize(raw[step]["bare"]),
            "ratio": _paired(ours, raw[step]["cached"]),
            "ratio_vs_stock_serializer": _paired(ours, raw[step]["bare"]),
            "raw_ms": {
                side: [round(x, 3) for x in raw[step][side]] for side in ("ours", "cached", "bare")
            },
        }
    return {
        "process": PROCESS_ID,
        "decisions": sorted(_dmn_files()),
        "nonstandard_lines": NONSTANDARD_LINES,
        "baseline": "bare SpiffWorkflow, spec parsed once and reused (stock workflow dict "
        "without the spec, plain JSON)",
        "ratio": round(statistics.median(per_round), 3),
        "ratio_p5_p95": [round(q, 3) for q in _p5_p95(per_round)],
        "ratio_vs_stock_serializer": round(statistics.median(per_round_stock), 3),
        "ratio_vs_stock_serializer_p5_p95": [round(q, 3) for q in _p5_p95(per_round_stock)],
        "rounds": rounds,
        "warmup_rounds": warmup,
        "path": [label for label, _, _ in PATH],
        "timed_steps": list(TIMED),
        "steps": steps,
    }


def _paired(ours: list[float], other: list[float]) -> float:
    return round(statistics.median(o / b for o, b in zip(ours, other, strict=True)), 3)


def measure(smoke: bool) -> dict:
    """bench/run.py's entry: the headline ratio and the details."""
    result = run(rounds=10, warmup=3) if smoke else run()
    return {
        "engine_overhead_ratio": result["ratio"],
        "engine_overhead": result,
        "sizes": {"rounds": result["rounds"], "timed_steps": len(TIMED)},
    }


def _p5_p95(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=20, method="inclusive")
    return cuts[0], cuts[-1]

"""Stored state: compressed JSON without the spec, restored around the cached spec objects.

Format 2 (app/engine/compact.py) is written; format 1 (the stock workflow dict, stored before
issue 14) still loads and runs on. Every state the engine tests store is also checked to read
back exactly (tests/engine/conftest.py)."""

from __future__ import annotations

import json
import zlib
from dataclasses import replace
from uuid import uuid4

from builders import order_review_bytes
from conftest import stock_document, task_ids
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from app.engine import runner
from app.engine.runner import StepResult
from app.engine.specs import ProcessDefinition, load_definition
from app.engine.state import _serializer, dump_state, load_state
from app.engine.timers import normalise_timers

STEPS = [
    "confirm_order", "pmc_dispatch", "review_engineering", "review_production",
    "review_quality", "review_warehouse", "pmc_consolidate",
]  # fmt: skip
FORM = {"decision": "approve", "comments": "fine", "conditions": ""}


def _ours(result: StepResult, spec_name: str) -> StepResult:
    task = next(t for t in result.ready if t.spec_name == spec_name)
    return runner.complete(load_definition(order_review_bytes()), result.state, task.task_id,
                           {spec_name: FORM})  # fmt: skip


def _bare_spec() -> BpmnProcessSpec:
    parser = SpiffBpmnParser()
    root = etree.fromstring(order_review_bytes())
    normalise_timers(root)  # bare ISO timers (the reminders), as OrderGate's parser reads them
    parser.add_bpmn_xml(root)
    return parser.get_spec("order_review")


def _bare_step(workflow: BpmnWorkflow, spec_name: str) -> None:
    task = next(t for t in workflow.get_tasks(state=TaskState.READY, manual=True)
                if t.task_spec.name == spec_name)  # fmt: skip
    task.data[spec_name] = FORM
    task.run()
    workflow.do_engine_steps()


def test_state_is_compressed_json_without_the_spec() -> None:
    defn = load_definition(order_review_bytes())
    result = _ours(runner.start(defn, {"order_id": 1}), "confirm_order")
    stored = json.loads(zlib.decompress(result.state))
    assert stored["format"] == 2 and "spec" not in stored and "subprocess_specs" not in stored
    restored = load_state(defn, result.state)
    assert restored.spec is defn._spec  # the cached spec object itself, not a copy
    assert stock_document(load_state(defn, dump_state(restored))) == stock_document(restored)


def _old_format(defn: ProcessDefinition, state: bytes) -> bytes:
    """The state as dump_state wrote it before issue 14 (format 1): the stock dict's JSON."""
    return zlib.compress(_serializer().serialize_json(load_state(defn, state)).encode(), 6)


def _walk(defn: ProcessDefinition, result: StepResult, steps: list[str]) -> list[tuple]:
    seen = []
    for step in steps:
        result = _ours(result, step)
        seen.append((sorted(t.spec_name for t in result.ready), result.completed, result.data))
    return seen


def test_a_state_stored_in_the_old_format_loads_and_runs_on() -> None:
    defn = load_definition(order_review_bytes())
    result = _ours(_ours(runner.start(defn, {"order_id": 1}), "confirm_order"), "pmc_dispatch")
    old = _old_format(defn, result.state)
    assert "format" not in json.loads(zlib.decompress(old))  # a format 1 row, as stored
    assert stock_document(load_state(defn, old)) == stock_document(load_state(defn, result.state))
    restored = load_state(defn, old)
    ready = sorted((t.spec_name, t.task_id) for t in runner.retry(defn, old).ready)
    assert ready == sorted((t.spec_name, t.task_id) for t in result.ready)  # same task ids
    assert restored.last_task.id == load_state(defn, result.state).last_task.id
    old_result = replace(result, state=old)
    from_old = _walk(defn, old_result, STEPS[2:])
    assert from_old == _walk(defn, result, STEPS[2:])
    assert from_old[-1][1]  # ran on to the end


def test_a_finished_instance_is_stored_without_task_ids() -> None:
    defn = load_definition(order_review_bytes())
    result = runner.start(defn, {"order_id": 1})
    for step in STEPS:
        running = result
        result = _ours(result, step)
    assert "ids" in json.loads(zlib.decompress(running.state))
    assert result.completed and "ids" not in json.loads(zlib.decompress(result.state))
    first, again = (stock_document(load_state(defn, result.state)) for _ in range(2))
    assert first["tasks"].keys().isdisjoint(again["tasks"].keys())  # new ids on each read
    text = json.dumps(again)
    for new, old in zip(task_ids(again), task_ids(first), strict=True):
        text = text.replace(new, old)
    assert json.loads(text) == first  # the same tree, states, times and data
    workflow = load_state(defn, result.state)
    assert workflow.completed and workflow.data == result.data
    assert stock_document(workflow) == stock_document(load_state(defn, dump_state(workflow)))


def test_rows_keep_what_they_cannot_express() -> None:
    defn = load_definition(order_review_bytes())
    result = _ours(runner.start(defn, {"order_id": 1}), "confirm_order")
    workflow = load_state(defn, result.state)
    tasks = list(workflow.tasks.values())
    tasks[1].last_state_change = 1.1  # not a whole number of ticks
    tasks[1].triggered = True
    tasks[1].internal_data = {"merged": [str(tasks[2].id), "not-an-id"], "n": 1}
    tasks[2].internal_data = {"merged": [str(tasks[3].id)]}
    tasks[2]._children = [uuid4(), *reversed(tasks[2]._children)]  # not the rows' order
    stored = json.loads(zlib.decompress(dump_state(workflow)))
    assert any(len(row) > 4 and "c" in row[4] for row in stored["tasks"])
    assert stock_document(load_state(defn, dump_state(workflow))) == stock_document(workflow)


def test_finished_instance_is_under_a_quarter_of_spiffs_serialization() -> None:
    defn = load_definition(order_review_bytes())
    result = runner.start(defn, {"order_id": 1})
    bare = BpmnWorkflow(_bare_spec())
    bare.task_tree.data.update({"order_id": 1})
    bare.do_engine_steps()
    for step in STEPS:
        result = _ours(result, step)
        _bare_step(bare, step)
    assert result.completed and bare.is_completed()
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    # Like for like (issue 14): the stock output compressed as we compress ours.
    stock = zlib.compress(serializer.serialize_json(bare).encode(), 6)
    assert len(result.state) <= 0.25 * len(stock), (len(result.state), len(stock))

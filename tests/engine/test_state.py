"""Stored state: compressed JSON without the spec, restored around the cached spec objects."""

from __future__ import annotations

import json
import zlib

from builders import order_review_bytes
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from app.engine import runner
from app.engine.runner import StepResult
from app.engine.specs import load_definition
from app.engine.state import dump_state, load_state
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
    document = json.loads(zlib.decompress(result.state))
    assert "spec" not in document and "subprocess_specs" not in document
    restored = load_state(defn, result.state)
    assert restored.spec is defn._spec  # the cached spec object itself, not a copy
    assert json.loads(zlib.decompress(dump_state(restored))) == document


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
    full = serializer.serialize_json(bare).encode()
    assert len(result.state) <= 0.25 * len(full), (len(result.state), len(full))

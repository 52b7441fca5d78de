"""Failures at run time: escapes, budgets, decision tables without a match, retries, depth."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from builders import diagram, fixture_bytes, flow, linear, script_task, user_task
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from app.engine import runner
from app.engine.outcomes import DEPTH_LIMIT, depth_error
from app.engine.specs import load_definition
from app.engine.state import load_state


def _script_process(script: str) -> bytes:
    return diagram(linear(script_task(script), ids=["calc"]))


def _gateway_process(condition: str) -> bytes:
    body = (
        '<bpmn:startEvent id="start" name="Start" />'
        + user_task("fill_in")
        + '<bpmn:exclusiveGateway id="choose" name="Big order?" default="small" />'
        + '<bpmn:endEvent id="big_end" name="Big" /><bpmn:endEvent id="small_end" name="Small" />'
        + flow("f0", "start", "fill_in")
        + flow("f1", "fill_in", "choose")
        + flow("big", "choose", "big_end", condition)
        + flow("small", "choose", "small_end")
    )
    return diagram(body, lane_nodes=["fill_in"])


@pytest.mark.parametrize(
    "make",
    [
        lambda marker: _script_process(f"__import__('os').system('touch {marker}')"),
        lambda marker: _gateway_process(f"__import__('os').system('touch {marker}') == 0"),
        lambda marker: _script_process(
            "x = [c for c in ().__class__.__base__.__subclasses__() "
            f"if c.__name__ == 'Popen'][0](['touch', '{marker}'])"
        ),
        lambda marker: _script_process("while True:\n    pass"),
    ],
)
def test_escapes_are_refused_at_run_time(make: Callable[[Path], bytes], tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    defn = load_definition(make(marker))  # load_definition does not validate: bypassed
    result = runner.start(defn, {})
    if result.error is None:  # the gateway variant waits for its user task first
        task = result.ready[0]
        result = runner.complete(defn, result.state, task.task_id, {"fill_in": {}})
    assert result.error is not None and result.error.kind == "forbidden"
    assert result.error.element_id in ("calc", "choose")
    assert not result.completed
    assert not marker.exists()


def test_runaway_script_hits_the_budget() -> None:
    script = "n = 0\nfor i in range(10000):\n    for j in range(10000):\n        n += 1"
    result = runner.start(load_definition(_script_process(script)), {})
    assert result.error.kind == "budget" and result.error.element_id == "calc"


def test_decision_table_without_a_matching_row() -> None:
    defn = load_definition(fixture_bytes("route_decision.bpmn"), [fixture_bytes("route.dmn")])
    matched = runner.start(defn, {"quantity": 50})
    assert matched.error is None and matched.ready[0].data["route"] == "parcel"
    result = runner.start(defn, {"quantity": 500})
    assert result.error.kind == "dmn_no_match"
    assert result.error.element_id == "choose_route"
    assert "has no row that matches" in result.error.message
    assert result.ready == [] and not result.completed


def test_failed_step_keeps_the_state_before_it_and_retry_runs_it_again() -> None:
    defn = load_definition(_gateway_process("fill_in['amount'] &gt; 100"))
    started = runner.start(defn, {})
    task_id = started.ready[0].task_id
    failed = runner.complete(defn, started.state, task_id, {"fill_in": {"note": "no amount"}})
    assert failed.error.kind == "expression" and failed.error.element_id == "choose"
    assert "KeyError" in failed.error.message
    workflow = load_state(defn, failed.state)
    states = {t.task_spec.name: t.state for t in workflow.tasks.values()}
    assert states["fill_in"] == 64 and states["choose"] == 16  # completed / ready again
    again = runner.retry(defn, failed.state)
    assert again.error.kind == "expression" and again.error.element_id == "choose"
    stored = load_state(defn, again.state).tasks.values()
    assert any(t.task_spec.name == "choose" and t.state == 16 for t in stored)


def test_rework_loop_is_flagged_by_the_depth_guard_and_never_completes() -> None:
    defn = load_definition(fixture_bytes("rework_loop.bpmn"))
    result = runner.start(defn, {"rounds": 0})
    task_id, flagged_at = result.ready[0].task_id, None
    for round_number in range(1, 261):
        redo = round_number < 260  # the last round asks to finish
        result = runner.complete(defn, result.state, task_id, {"do_work": {"redo": redo}})
        assert not result.completed
        if result.error is None:
            task_id = result.ready[0].task_id
        else:
            assert result.error.kind == "depth", result.error
            assert result.ready == []
            flagged_at = flagged_at or round_number
    assert flagged_at is not None and 200 < flagged_at < 250
    assert "Cancel it and start a new one" in result.error.message
    # Frozen once flagged: later rounds (and the request to finish) changed nothing.
    assert load_state(defn, result.state).last_task.data["rounds"] == flagged_at
    assert runner.retry(defn, result.state).error.kind == "depth"


def test_without_the_guard_spiffworkflow_calls_a_deep_loop_complete() -> None:
    # Why the guard exists: past depth 1000 SpiffWorkflow's TaskIterator no longer sees the
    # ready task, so the instance looks complete while work is still open.
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(fixture_bytes("rework_loop.bpmn"))
    workflow = BpmnWorkflow(parser.get_spec("rework_loop"))
    workflow.task_tree.data["rounds"] = 0
    workflow.do_engine_steps()
    while ready := workflow.get_tasks(state=TaskState.READY, manual=True):
        ready[0].data["do_work"] = {"redo": True}
        ready[0].run()
        workflow.do_engine_steps()
    assert workflow.is_completed()
    assert any(t.state == TaskState.READY for t in workflow.tasks.values())
    assert depth_error(workflow).kind == "depth"
    assert DEPTH_LIMIT < 1000

"""Multi-instance user tasks: one ready task per item, ordered outputs, loops, joins, failures."""

from __future__ import annotations

import pytest
from builders import diagram, flow, linear, multi_instance, user_task
from conftest import stock_document

from app.engine import multi, outcomes, runner
from app.engine.runner import StepResult
from app.engine.specs import ProcessDefinition, load_definition
from app.engine.state import dump_state, load_state

LINES = [{"line_id": 7}, {"line_id": 8}, {"line_id": 9}]
OUTPUT = (
    "<bpmn:loopDataInputRef>lines</bpmn:loopDataInputRef>"
    "<bpmn:loopDataOutputRef>results</bpmn:loopDataOutputRef>"
    '<bpmn:inputDataItem id="line" name="Line" /><bpmn:outputDataItem id="result" name="Result" />'
)
KEEP_LINE = "result = dict(check_line, line_id=line['line_id'])"


def _linear(task: str) -> ProcessDefinition:
    body = linear(task, user_task("after"), ids=["check_line", "after"])
    return load_definition(diagram(body, lane_nodes=["check_line", "after"]))


def _names(result: StepResult) -> list[str]:
    return [t.spec_name for t in result.ready]


def _finish(defn: ProcessDefinition, result: StepResult, index: int, form: dict) -> StepResult:
    task = next(t for t in result.ready if t.loop_index == index)
    after = runner.complete(defn, result.state, task.task_id, {task.spec_name: form})
    assert after.error is None, after.error
    return after


def test_parallel_instances_each_show_their_item() -> None:
    defn = _linear(multi_instance())
    assert defn.user_tasks["check_line"].loop_item == "line"
    result = runner.start(defn, {"lines": LINES})
    assert _names(result) == ["check_line"] * 3
    shown = [(t.data["line"], t.item, t.loop_index) for t in result.ready]
    assert shown == [(line, {"line": line}, i) for i, line in enumerate(LINES)]
    assert {(t.lane, t.form, t.name) for t in result.ready} == {("sales", "check", "Check Line")}
    for index, left in ((2, [0, 1]), (0, [1]), (1, [])):
        result = _finish(defn, result, index, {"ok": index})
        assert [t.loop_index for t in result.ready if t.spec_name == "check_line"] == left
    assert _names(result) == ["after"] and result.ready[0].item is None
    after = result.ready[0].data
    assert "line" not in after  # the item belongs to its instance, not to the flow after it
    assert after["check_line"] == {"ok": 1} and after["lines"] == LINES  # the last one in wins


def test_list_output_follows_the_input_order_not_the_finishing_order() -> None:
    defn = _linear(multi_instance(marker=OUTPUT, post_script=KEEP_LINE))
    result = runner.start(defn, {"lines": LINES})
    for index in (1, 2, 0):
        result = _finish(defn, result, index, {"ok": f"#{index}"})
    assert result.ready[0].data["results"] == [
        {"ok": "#0", "line_id": 7}, {"ok": "#1", "line_id": 8}, {"ok": "#2", "line_id": 9},
    ]  # fmt: skip
    assert "check_line" not in result.ready[0].data  # with an output, only the output is kept


def test_sequential_instances_run_one_after_another() -> None:
    defn = _linear(multi_instance(marker=OUTPUT, post_script=KEEP_LINE, sequential=True))
    result = runner.start(defn, {"lines": LINES})
    for index in range(3):
        assert [(t.loop_index, t.data["line"]) for t in result.ready] == [(index, LINES[index])]
        result = _finish(defn, result, index, {"ok": index})
    assert _names(result) == ["after"]
    assert [r["line_id"] for r in result.ready[0].data["results"]] == [7, 8, 9]


@pytest.mark.parametrize("sequential", [False, True])
def test_an_empty_collection_skips_the_task(sequential: bool) -> None:
    defn = _linear(multi_instance(marker=OUTPUT, post_script=KEEP_LINE, sequential=sequential))
    result = runner.start(defn, {"lines": []})
    assert result.error is None and _names(result) == ["after"]
    assert result.ready[0].data["results"] == []


def test_cardinality_and_completion_condition() -> None:
    marker = (
        "<bpmn:loopCardinality>copies</bpmn:loopCardinality>"
        '<bpmn:inputDataItem id="copy" name="Copy" />'
        "<bpmn:completionCondition>check_line['enough']</bpmn:completionCondition>"
    )
    defn = _linear(multi_instance(marker=marker))
    result = runner.start(defn, {"copies": 3})
    assert [t.data["copy"] for t in result.ready] == [0, 1, 2]
    result = _finish(defn, result, 1, {"enough": False})
    assert len(result.ready) == 2
    result = _finish(defn, result, 0, {"enough": True})  # the others are cancelled
    assert _names(result) == ["after"]


def test_instances_are_limited_and_a_failed_setup_is_retried(monkeypatch) -> None:
    defn = _linear(multi_instance())
    monkeypatch.setattr(multi, "MAX_INSTANCES", 2)
    failed = runner.start(defn, {"lines": LINES})
    assert failed.error.kind == "budget" and failed.error.element_id == "check_line"
    assert "would start 3 instances; the limit is 2" in failed.error.message
    assert failed.ready == [] and not failed.completed
    assert runner.retry(defn, failed.state).error.kind == "budget"  # still too many
    monkeypatch.setattr(multi, "MAX_INSTANCES", 1000)
    again = runner.retry(defn, failed.state)
    assert again.error is None and [t.loop_index for t in again.ready] == [0, 1, 2]


def test_a_missing_collection_is_reported_with_the_task() -> None:
    result = runner.start(_linear(multi_instance()), {})
    assert result.error.kind == "expression" and result.error.element_id == "check_line"
    assert "collection is missing" in result.error.message


def _loop_body(task: str) -> str:
    return "\n".join(
        [
            '<bpmn:startEvent id="start" name="Start" />',
            '<bpmn:exclusiveGateway id="again" name="Again" />',
            task,
            user_task("decide"),
            '<bpmn:exclusiveGateway id="redo" name="Redo?" default="finish" />',
            '<bpmn:endEvent id="end" name="End" />',
            flow("f0", "start", "again"),
            flow("f1", "again", "check_line"),
            flow("f2", "check_line", "decide"),
            flow("f3", "decide", "redo"),
            flow("back", "redo", "again", "decide['redo']"),
            flow("finish", "redo", "end"),
        ]
    )


def test_a_rework_loop_runs_the_instances_afresh() -> None:
    body = _loop_body(multi_instance(marker=OUTPUT, post_script=KEEP_LINE))
    defn = load_definition(diagram(body, lane_nodes=["check_line", "decide"]))
    result = runner.start(defn, {"lines": LINES[:2]})
    for round_number in (1, 2):
        for index in (1, 0):
            result = _finish(defn, result, index, {"round": round_number})
        decide = result.ready[0]
        assert [r["round"] for r in decide.data["results"]] == [round_number] * 2
        result = runner.complete(defn, result.state, decide.task_id, {"decide": {"redo": True}})
        assert result.error is None and _names(result) == ["check_line"] * 2


def test_instances_in_a_parallel_branch_keep_the_join_fix() -> None:
    # Round 2: the review is approved first, then the instances finish; their branch still
    # carries round 1's "reject", which must not overwrite the fresh "approve" at the join.
    body = "\n".join(
        [
            '<bpmn:startEvent id="start" name="Start" />',
            '<bpmn:exclusiveGateway id="again" name="Again" />',
            '<bpmn:parallelGateway id="split" name="Split" />',
            multi_instance(),
            user_task("review"),
            '<bpmn:parallelGateway id="join" name="Join" />',
            user_task("decide"),
            '<bpmn:exclusiveGateway id="redo" name="Redo?" default="finish" />',
            '<bpmn:endEvent id="end" name="End" />',
            flow("f0", "start", "again"),
            flow("f1", "again", "split"),
            flow("f2", "split", "check_line"),
            flow("f3", "split", "review"),
            flow("f4", "check_line", "join"),
            flow("f5", "review", "join"),
            flow("f6", "join", "decide"),
            flow("f7", "decide", "redo"),
            flow("back", "redo", "again", "decide['redo']"),
            flow("finish", "redo", "end"),
        ]
    )
    defn = load_definition(diagram(body, lane_nodes=["check_line", "review", "decide"]))
    result = runner.start(defn, {"lines": LINES[:2]})
    for decision, redo in (("reject", True), ("approve", False)):
        review = next(t for t in result.ready if t.spec_name == "review")
        result = runner.complete(defn, result.state, review.task_id, {"review": {"d": decision}})
        for index in (0, 1):
            result = _finish(defn, result, index, {"ok": decision})
        decide = result.ready[0]
        assert decide.spec_name == "decide" and "line" not in decide.data
        assert decide.data["review"] == {"d": decision}
        assert decide.data["check_line"] == {"ok": decision}
        result = runner.complete(defn, result.state, decide.task_id, {"decide": {"redo": redo}})
    assert result.completed


def test_state_round_trips_with_instances() -> None:
    defn = _linear(multi_instance(marker=OUTPUT, post_script=KEEP_LINE))
    result = _finish(defn, runner.start(defn, {"lines": LINES}), 1, {"ok": 1})
    restored = load_state(defn, result.state)
    document = stock_document(restored)
    children = [t for t in document["tasks"].values() if t["task_spec"] == "check_line [child]"]
    assert len(children) == 3 and "spec" not in document
    assert stock_document(load_state(defn, dump_state(restored))) == document
    assert [(t.loop_index, t.data["line"]) for t in result.ready] == [(0, LINES[0]), (2, LINES[2])]


def test_merge_is_wired_once_at_load_time() -> None:
    defn = _linear(multi_instance())
    child = defn._spec.task_specs["check_line [child]"]
    assert child.completed_event.n_subscribers() == 1
    result = runner.start(defn, {"lines": LINES[:1]})
    _finish(defn, result, 0, {})
    assert child.completed_event.n_subscribers() == 1


def test_the_depth_guard_sees_instances_in_a_loop(monkeypatch) -> None:
    monkeypatch.setattr(outcomes, "DEPTH_LIMIT", 30)
    defn = load_definition(
        diagram(_loop_body(multi_instance()), lane_nodes=["check_line", "decide"])
    )
    result = runner.start(defn, {"lines": LINES[:2]})
    for _ in range(20):
        if result.error is not None:
            break
        for index in (0, 1):
            result = _finish(defn, result, index, {})
        result = runner.complete(
            defn, result.state, result.ready[0].task_id, {"decide": {"redo": True}}
        )
    assert result.error.kind == "depth" and result.ready == [] and not result.completed

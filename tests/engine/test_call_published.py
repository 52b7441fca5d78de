"""Call activities to another published process (issue 15): the callee's BPMN file is loaded
with the caller's, its user tasks wait like any other and data flows in and out."""

from __future__ import annotations

from dataclasses import replace

from builders import diagram, linear, script_task, user_task

from app.engine import runner
from app.engine.specs import load_definition
from app.engine.validation import CalledProcess, Catalog, validate_bpmn

CALL = '<bpmn:callActivity id="call_check" name="Credit check" calledElement="credit" />'


def callee(process_id: str = "credit", body: str = "") -> bytes:
    """A process of its own file: `assess` (user task, quality lane) then a script."""
    body = body or linear(
        user_task("assess"), script_task("limit = amount * 2", "calc"), ids=["assess", "calc"]
    )
    data = diagram(body, lane="quality", lane_nodes=["assess"])
    return data.replace(b'id="proc" name="Test process"', f'id="{process_id}"'.encode())


def caller() -> bytes:
    """prepare (sales) -> the call activity -> confirm (sales)."""
    body = linear(
        user_task("prepare"), CALL, user_task("confirm"), ids=["prepare", "call_check", "confirm"]
    )
    return diagram(body, lane_nodes=["prepare", "confirm"])


def published(*files: bytes, reaches: tuple[str, ...] = ("credit",)):
    return lambda pid: CalledProcess(files, (), reaches) if pid == "credit" else None


def test_the_caller_runs_the_published_callee_to_the_end(catalog: Catalog) -> None:
    assert validate_bpmn(callee(), catalog) == []
    with_callee = replace(catalog, published=published(callee()))
    assert validate_bpmn(caller(), with_callee) == []
    defn = load_definition(caller(), called=[callee()])
    assert defn.process_id == "proc"
    # The callee's user task is an inbox step, in the callee's lane.
    assert defn.user_tasks["assess"].lane == "quality"
    result = runner.start(defn, {"amount": 50})
    assert [t.spec_name for t in result.ready] == ["prepare"]
    for step in ["prepare", "assess", "confirm"]:
        task = next(t for t in result.ready if t.spec_name == step)
        result = runner.complete(defn, result.state, task.task_id, {step: {"ok": True}})
        assert result.error is None, result.error
    assert result.completed
    # Data went into the callee (amount) and came back out of it (limit, its step's answers).
    assert result.data["limit"] == 100
    assert result.data["assess"] == {"ok": True}


def test_a_call_to_an_unpublished_process_is_refused(catalog: Catalog) -> None:
    problems = validate_bpmn(caller(), catalog)
    assert [(p.element_id, p.message) for p in problems] == [
        (
            "call_check",
            "Call activity 'call_check' calls the process 'credit', which is neither in this "
            "file nor published; pick a process defined here or publish 'credit' first.",
        )
    ]


def test_a_callee_that_calls_the_caller_back_is_refused(catalog: Catalog) -> None:
    # credit's published version calls proc (this file's process): recursion.
    looped = replace(catalog, published=published(callee(), reaches=("credit", "proc")))
    problems = validate_bpmn(caller(), looped)
    assert [p.message for p in problems] == [
        "Call activity 'call_check' calls the process 'credit', whose published version calls "
        "'proc' of this file back; a process may not call itself through another."
    ]

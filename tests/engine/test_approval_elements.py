"""Elements approval processes commonly use (issue 15): error and escalation boundary/end
events, terminate end events, signal events, message boundary events, send and receive tasks.
Each diagram validates and runs as BPMN says it should."""

from __future__ import annotations

from builders import diagram, flow, user_task

from app.engine import runner
from app.engine.runner import StepResult
from app.engine.specs import ProcessDefinition, load_definition
from app.engine.validation import Catalog, validate_bpmn

ORDER_KEY = (
    '<bpmn:collaboration id="collab"><bpmn:participant id="pool" processRef="proc" />'
    '<bpmn:correlationKey name="order"><bpmn:correlationPropertyRef>order_id'
    "</bpmn:correlationPropertyRef></bpmn:correlationKey></bpmn:collaboration>"
)


def _messages(*names: str) -> str:
    """bpmn:message elements correlated on the order id (the process's subject)."""
    messages = "".join(f'<bpmn:message id="m_{n}" name="{n}" />' for n in names)
    retrievals = "".join(
        f'<bpmn:correlationPropertyRetrievalExpression messageRef="m_{n}">'
        "<bpmn:formalExpression>order_id</bpmn:formalExpression>"
        "</bpmn:correlationPropertyRetrievalExpression>"
        for n in names
    )
    return (
        f'{ORDER_KEY}{messages}<bpmn:correlationProperty id="order_id" name="Order id">'
        f"{retrievals}</bpmn:correlationProperty>"
    )


def _load(body: str, humans: list[str], catalog: Catalog, top: str = "") -> ProcessDefinition:
    data = diagram(body, lane_nodes=humans, top=top)
    assert validate_bpmn(data, catalog) == []
    return load_definition(data)


def _do(defn: ProcessDefinition, result: StepResult, spec_name: str, data: dict) -> StepResult:
    task = next(t for t in result.ready if t.spec_name == spec_name)
    done = runner.complete(defn, result.state, task.task_id, {spec_name: data})
    assert done.error is None, done.error
    return done


def _ready(result: StepResult) -> list[str]:
    return sorted(t.spec_name for t in result.ready)


def _review_subprocess(inside_end: str) -> str:
    """A subprocess: `check` (user task) -> gateway: ok -> done, else -> `inside_end`."""
    return (
        '<bpmn:subProcess id="review" name="Review">'
        '<bpmn:startEvent id="r_start" />'
        + user_task("check")
        + '<bpmn:exclusiveGateway id="ok_gw" default="r_ok" />'
        '<bpmn:endEvent id="r_done" />'
        + inside_end
        + flow("r0", "r_start", "check")
        + flow("r1", "check", "ok_gw")
        + flow("r_ok", "ok_gw", "r_done")
        + flow("r_bad", "ok_gw", "r_fail", "not check.get('ok')")
        + "</bpmn:subProcess>"
    )


def test_an_error_end_event_is_caught_by_the_error_boundary(catalog: Catalog) -> None:
    top = '<bpmn:error id="E_rejected" name="Rejected" errorCode="REJECTED" />'
    body = (
        '<bpmn:startEvent id="start" />'
        + _review_subprocess(
            '<bpmn:endEvent id="r_fail"><bpmn:errorEventDefinition errorRef="E_rejected" />'
            "</bpmn:endEvent>"
        )
        + '<bpmn:boundaryEvent id="on_rejected" attachedToRef="review">'
        '<bpmn:errorEventDefinition errorRef="E_rejected" /></bpmn:boundaryEvent>'
        + user_task("rework")
        + '<bpmn:endEvent id="end" /><bpmn:endEvent id="end_rework" />'
        + flow("f0", "start", "review")
        + flow("f1", "review", "end")
        + flow("f2", "on_rejected", "rework")
        + flow("f3", "rework", "end_rework")
    )
    defn = _load(body, ["check", "rework"], catalog, top)
    started = runner.start(defn, {})
    assert _ready(started) == ["check"]
    rejected = _do(defn, started, "check", {"ok": False})
    assert _ready(rejected) == ["rework"] and not rejected.completed
    approved = _do(defn, runner.start(defn, {}), "check", {"ok": True})
    assert approved.completed and approved.ready == []


def test_an_escalation_end_event_reaches_the_escalation_boundary(catalog: Catalog) -> None:
    top = '<bpmn:escalation id="X_big" name="Too big" escalationCode="BIG" />'
    body = (
        '<bpmn:startEvent id="start" />'
        + _review_subprocess(
            '<bpmn:endEvent id="r_fail"><bpmn:escalationEventDefinition escalationRef="X_big" />'
            "</bpmn:endEvent>"
        )
        + '<bpmn:boundaryEvent id="to_manager" attachedToRef="review" cancelActivity="false">'
        '<bpmn:escalationEventDefinition escalationRef="X_big" /></bpmn:boundaryEvent>'
        + user_task("manager_approval")
        + '<bpmn:endEvent id="end" /><bpmn:endEvent id="end_manager" />'
        + flow("f0", "start", "review")
        + flow("f1", "review", "end")
        + flow("f2", "to_manager", "manager_approval")
        + flow("f3", "manager_approval", "end_manager")
    )
    defn = _load(body, ["check", "manager_approval"], catalog, top)
    escalated = _do(defn, runner.start(defn, {}), "check", {"ok": False})
    assert _ready(escalated) == ["manager_approval"]
    finished = _do(defn, escalated, "manager_approval", {})
    assert finished.completed


def test_a_terminate_end_event_ends_every_branch(catalog: Catalog) -> None:
    body = (
        '<bpmn:startEvent id="start" /><bpmn:parallelGateway id="split" />'
        + user_task("quality_check")
        + user_task("withdraw")
        + '<bpmn:endEvent id="end" />'
        '<bpmn:endEvent id="stop"><bpmn:terminateEventDefinition /></bpmn:endEvent>'
        + flow("f0", "start", "split")
        + flow("f1", "split", "quality_check")
        + flow("f2", "split", "withdraw")
        + flow("f3", "quality_check", "end")
        + flow("f4", "withdraw", "stop")
    )
    defn = _load(body, ["quality_check", "withdraw"], catalog)
    started = runner.start(defn, {})
    assert _ready(started) == ["quality_check", "withdraw"]
    withdrawn = _do(defn, started, "withdraw", {})
    assert withdrawn.completed and withdrawn.ready == []


def test_a_signal_thrown_in_one_branch_interrupts_a_task_in_another(catalog: Catalog) -> None:
    top = '<bpmn:signal id="S_withdrawn" name="withdrawn" />'
    body = (
        '<bpmn:startEvent id="start" /><bpmn:parallelGateway id="split" />'
        + user_task("approve")
        + user_task("withdraw")
        + '<bpmn:boundaryEvent id="on_withdrawn" attachedToRef="approve">'
        '<bpmn:signalEventDefinition signalRef="S_withdrawn" /></bpmn:boundaryEvent>'
        '<bpmn:intermediateThrowEvent id="tell"><bpmn:signalEventDefinition '
        'signalRef="S_withdrawn" /></bpmn:intermediateThrowEvent>'
        '<bpmn:endEvent id="end" /><bpmn:endEvent id="end_withdrawn" />'
        '<bpmn:endEvent id="end_told" />'
        + flow("f0", "start", "split")
        + flow("f1", "split", "approve")
        + flow("f2", "split", "withdraw")
        + flow("f3", "approve", "end")
        + flow("f4", "withdraw", "tell")
        + flow("f5", "tell", "end_told")
        + flow("f6", "on_withdrawn", "end_withdrawn")
    )
    defn = _load(body, ["approve", "withdraw"], catalog, top)
    withdrawn = _do(defn, runner.start(defn, {}), "withdraw", {})
    assert withdrawn.completed and withdrawn.ready == []


def test_a_message_boundary_event_catches_the_subjects_message(catalog: Catalog) -> None:
    top = _messages("order_cancelled")
    body = (
        '<bpmn:startEvent id="start" />'
        + user_task("approve")
        + '<bpmn:boundaryEvent id="cancelled" attachedToRef="approve">'
        '<bpmn:messageEventDefinition messageRef="m_order_cancelled" /></bpmn:boundaryEvent>'
        + user_task("undo")
        + '<bpmn:endEvent id="end" /><bpmn:endEvent id="end_cancelled" />'
        + flow("f0", "start", "approve")
        + flow("f1", "approve", "end")
        + flow("f2", "cancelled", "undo")
        + flow("f3", "undo", "end_cancelled")
    )
    defn = _load(body, ["approve", "undo"], catalog, top)
    started = runner.start(defn, {"order_id": 7})
    caught = runner.send_message(defn, started.state, "order_cancelled", {}, {"order_id": 7})
    assert caught.error is None and _ready(caught) == ["undo"]
    assert caught.ready[0].data["cancelled"] == {"order_id": 7}


def test_a_receive_task_waits_for_its_message_and_a_send_task_hands_one_out(
    catalog: Catalog,
) -> None:
    top = _messages("goods_received", "invoice_due")
    body = (
        '<bpmn:startEvent id="start" />'
        '<bpmn:receiveTask id="wait_goods" messageRef="m_goods_received" />'
        '<bpmn:sendTask id="ask_invoice" messageRef="m_invoice_due" />'
        '<bpmn:endEvent id="end" />'
        + flow("f0", "start", "wait_goods")
        + flow("f1", "wait_goods", "ask_invoice")
        + flow("f2", "ask_invoice", "end")
    )
    defn = _load(body, [], catalog, top)
    started = runner.start(defn, {"order_id": 7})
    assert not started.completed and started.ready == [] and started.sent == []
    received = runner.send_message(defn, started.state, "goods_received", {"n": 3}, {"order_id": 7})
    assert received.error is None and received.completed
    assert [(s.name, s.correlation) for s in received.sent] == [("invoice_due", {"order_id": 7})]


def test_a_signal_end_event_is_refused_because_it_would_send_nothing(catalog: Catalog) -> None:
    # SpiffWorkflow 3.2 builds an end event with a signal as a plain end event.
    top = '<bpmn:signal id="S_done" name="done" />'
    body = (
        '<bpmn:startEvent id="start" /><bpmn:endEvent id="end">'
        '<bpmn:signalEventDefinition signalRef="S_done" /></bpmn:endEvent>'
        + flow("f0", "start", "end")
    )
    problems = validate_bpmn(diagram(body, top=top), catalog)
    assert [(p.message.key, p.element_id) for p in problems] == [("wrong_event", "end")]

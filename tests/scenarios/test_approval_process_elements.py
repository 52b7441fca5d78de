"""Approval processes with the elements process owners bring from other tools (issue 15),
published and run through the services for an order: an error boundary sends a rejected check
to rework, a terminate end event withdraws a request with its open steps, a signal withdraws a
pending approval, a message boundary catches the order's cancellation (orders' `tell`), and a
send task tells the order's other process, whose receive task waits for it."""

from werkzeug.datastructures import MultiDict

from app.core.audit.models import AuditEvent
from app.core.processes import versions as processes
from app.core.tasks import completion as tasks
from app.core.tasks import instances
from app.core.tasks.models import OPEN_STATES, HumanTask, ProcessInstance
from app.extensions import db
from app.modules.orders.services import subject as order_subject
from tests.engine.builders import diagram, flow, user_task

INTAKE = {
    "packaging_confirmed": "on",
    "structure_confirmed": "on",
    "dimensions_confirmed": "on",
    "order_category": "new",
    "requirements": "approval elements",
}
ORDER_KEY = (
    '<bpmn:collaboration id="collab_{pid}"><bpmn:participant id="pool_{pid}" processRef="{pid}" />'
    '<bpmn:correlationKey name="order"><bpmn:correlationPropertyRef>order_id'
    "</bpmn:correlationPropertyRef></bpmn:correlationKey></bpmn:collaboration>"
)


def _order_messages(pid: str, *names: str) -> str:
    messages = "".join(f'<bpmn:message id="m_{n}" name="{n}" />' for n in names)
    retrievals = "".join(
        f'<bpmn:correlationPropertyRetrievalExpression messageRef="m_{n}">'
        "<bpmn:formalExpression>order_id</bpmn:formalExpression>"
        "</bpmn:correlationPropertyRetrievalExpression>"
        for n in names
    )
    return (
        ORDER_KEY.format(pid=pid) + messages + '<bpmn:correlationProperty id="order_id" '
        f'name="Order id">{retrievals}</bpmn:correlationProperty>'
    )


def _publish(pid: str, body: str, humans: list[str], top: str = "") -> None:
    xml = diagram(body, lane_nodes=humans, top=top).replace(b'"proc"', f'"{pid}"'.encode())
    deployed = processes.deploy_process(f"{pid}.bpmn", xml, None)
    assert deployed.created and deployed.problems == [], deployed.problems
    db.session.commit()


def _start(pid: str, order) -> ProcessInstance:
    instance = instances.start_process(
        pid, None, subject=order_subject.ref(order), data={"order_id": order.id}
    )
    db.session.commit()
    return instance


def _open(instance: ProcessInstance) -> list[str]:
    return list(
        db.session.scalars(
            db.select(HumanTask.spec_name)
            .where(HumanTask.instance_id == instance.id, HumanTask.state.in_(OPEN_STATES))
            .order_by(HumanTask.spec_name)
        )
    )


def _do(instance: ProcessInstance, spec_name: str, user, **fields) -> None:
    task = db.session.scalar(
        db.select(HumanTask).where(
            HumanTask.instance_id == instance.id,
            HumanTask.spec_name == spec_name,
            HumanTask.state.in_(OPEN_STATES),
        )
    )
    tasks.complete_task(task.id, user, MultiDict({**INTAKE, **fields}))
    db.session.commit()
    db.session.expire_all()


def _status(instance: ProcessInstance) -> str:
    db.session.expire_all()
    return db.session.get(ProcessInstance, instance.id).status


def test_a_rejected_check_goes_to_rework_through_an_error_boundary(make_order, make_user):
    top = '<bpmn:error id="E_rejected" name="Rejected" errorCode="REJECTED" />'
    body = (
        '<bpmn:startEvent id="start" /><bpmn:subProcess id="review" name="Review">'
        '<bpmn:startEvent id="r_start" />'
        + user_task("check", "order_intake")
        + '<bpmn:exclusiveGateway id="gw" default="r_ok" /><bpmn:endEvent id="r_done" />'
        '<bpmn:endEvent id="r_fail"><bpmn:errorEventDefinition errorRef="E_rejected" />'
        "</bpmn:endEvent>"
        + flow("r0", "r_start", "check")
        + flow("r1", "check", "gw")
        + flow("r_ok", "gw", "r_done")
        + flow("r_bad", "gw", "r_fail", "check['order_category'] == 'regular'")
        + '</bpmn:subProcess><bpmn:boundaryEvent id="rejected" attachedToRef="review">'
        '<bpmn:errorEventDefinition errorRef="E_rejected" /></bpmn:boundaryEvent>'
        + user_task("rework", "order_intake")
        + '<bpmn:endEvent id="end" /><bpmn:endEvent id="end_rework" />'
        + flow("f0", "start", "review")
        + flow("f1", "review", "end")
        + flow("f2", "rejected", "rework")
        + flow("f3", "rework", "end_rework")
    )
    _publish("error_review", body, ["check", "rework"], top)
    sales = make_user("sales")
    instance = _start("error_review", make_order())
    _do(instance, "check", sales, order_category="regular")
    assert _open(instance) == ["rework"] and _status(instance) == "running"
    _do(instance, "rework", sales)
    assert _status(instance) == "completed"


def test_a_withdrawal_ends_every_open_step_through_a_terminate_end(make_order, make_user):
    body = (
        '<bpmn:startEvent id="start" /><bpmn:parallelGateway id="split" />'
        + user_task("approve", "order_intake")
        + user_task("withdraw", "order_intake")
        + '<bpmn:endEvent id="end" />'
        '<bpmn:endEvent id="stop"><bpmn:terminateEventDefinition /></bpmn:endEvent>'
        + flow("f0", "start", "split")
        + flow("f1", "split", "approve")
        + flow("f2", "split", "withdraw")
        + flow("f3", "approve", "end")
        + flow("f4", "withdraw", "stop")
    )
    _publish("terminate_review", body, ["approve", "withdraw"])
    instance = _start("terminate_review", make_order())
    assert _open(instance) == ["approve", "withdraw"]
    _do(instance, "withdraw", make_user("sales"))
    assert _status(instance) == "completed" and _open(instance) == []


def test_a_signal_withdraws_the_pending_approval(make_order, make_user):
    top = '<bpmn:signal id="S_withdrawn" name="withdrawn" />'
    body = (
        '<bpmn:startEvent id="start" /><bpmn:parallelGateway id="split" />'
        + user_task("approve", "order_intake")
        + user_task("withdraw", "order_intake")
        + '<bpmn:boundaryEvent id="withdrawn" attachedToRef="approve">'
        '<bpmn:signalEventDefinition signalRef="S_withdrawn" /></bpmn:boundaryEvent>'
        '<bpmn:intermediateThrowEvent id="tell"><bpmn:signalEventDefinition '
        'signalRef="S_withdrawn" /></bpmn:intermediateThrowEvent><bpmn:endEvent id="told" />'
        '<bpmn:endEvent id="end" /><bpmn:endEvent id="end_withdrawn" />'
        + flow("f0", "start", "split")
        + flow("f1", "split", "approve")
        + flow("f2", "split", "withdraw")
        + flow("f3", "approve", "end")
        + flow("f4", "withdraw", "tell")
        + flow("f5", "tell", "told")
        + flow("f6", "withdrawn", "end_withdrawn")
    )
    _publish("signal_review", body, ["approve", "withdraw"], top)
    instance = _start("signal_review", make_order())
    _do(instance, "withdraw", make_user("sales"))
    assert _status(instance) == "completed" and _open(instance) == []


def test_the_orders_cancellation_reaches_a_message_boundary(make_order, make_user):
    body = (
        '<bpmn:startEvent id="start" />'
        + user_task("approve", "order_intake")
        + '<bpmn:boundaryEvent id="cancelled" attachedToRef="approve">'
        '<bpmn:messageEventDefinition messageRef="m_order_cancelled" /></bpmn:boundaryEvent>'
        + user_task("undo", "order_intake")
        + '<bpmn:endEvent id="end" /><bpmn:endEvent id="end_cancelled" />'
        + flow("f0", "start", "approve")
        + flow("f1", "approve", "end")
        + flow("f2", "cancelled", "undo")
        + flow("f3", "undo", "end_cancelled")
    )
    _publish(
        "cancel_review",
        body,
        ["approve", "undo"],
        _order_messages("cancel_review", "order_cancelled"),
    )
    order, other = make_order(), make_order()
    instance, untouched = _start("cancel_review", order), _start("cancel_review", other)
    assert order_subject.tell(order, "order_cancelled")
    db.session.commit()
    assert _open(instance) == ["undo"] and _open(untouched) == ["approve"]


def test_a_send_task_tells_the_orders_other_process(make_order, make_user):
    messages = _order_messages("buyer", "goods_received")
    sender = (
        '<bpmn:startEvent id="start" />'
        + user_task("inspect", "order_intake")
        + '<bpmn:sendTask id="tell_accounts" messageRef="m_goods_received" />'
        '<bpmn:endEvent id="end" />'
        + flow("f0", "start", "inspect")
        + flow("f1", "inspect", "tell_accounts")
        + flow("f2", "tell_accounts", "end")
    )
    listener = (
        '<bpmn:startEvent id="start" />'
        '<bpmn:receiveTask id="wait_goods" messageRef="m_goods_received" />'
        + user_task("pay", "order_intake")
        + '<bpmn:endEvent id="end" />'
        + flow("f0", "start", "wait_goods")
        + flow("f1", "wait_goods", "pay")
        + flow("f2", "pay", "end")
    )
    _publish("buyer", sender, ["inspect"], messages)
    _publish("accounts", listener, ["pay"], _order_messages("accounts", "goods_received"))
    order, other = make_order(), make_order()
    payer, other_payer = _start("accounts", order), _start("accounts", other)
    inspection = _start("buyer", order)
    assert _open(payer) == []
    _do(inspection, "inspect", make_user("sales"))
    assert _status(inspection) == "completed"
    assert _open(payer) == ["pay"] and _open(other_payer) == []
    heard = db.session.scalar(
        db.select(AuditEvent).where(
            AuditEvent.action == "instance.message", AuditEvent.object_id == str(payer.id)
        )
    )
    assert heard is not None


def test_a_service_task_notifies_a_department_through_its_connector(make_order, make_user):
    from app.core.notifications.models import Notification

    quality, sales = make_user("quality"), make_user("sales")
    body = (
        '<bpmn:startEvent id="start" />'
        + user_task("approve", "order_intake")
        + '<bpmn:serviceTask id="tell_quality"><bpmn:extensionElements>'
        '<spiffworkflow:serviceTaskOperator id="notify" resultVariable="told">'
        '<spiffworkflow:parameters><spiffworkflow:parameter id="to" type="str" '
        'value="\'quality\'" /><spiffworkflow:parameter id="text" type="str" '
        "value=\"'Order ' + str(order_id) + ' approved: plan the inspection'\" />"
        "</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator>"
        "</bpmn:extensionElements></bpmn:serviceTask>"
        '<bpmn:endEvent id="end" />'
        + flow("f0", "start", "approve")
        + flow("f1", "approve", "tell_quality")
        + flow("f2", "tell_quality", "end")
    )
    _publish("notify_review", body, ["approve"])
    order = make_order()
    instance = _start("notify_review", order)
    _do(instance, "approve", sales)
    assert _status(instance) == "completed"
    notes = db.session.scalars(
        db.select(Notification)
        .where(Notification.kind == "process_notice")
        .order_by(Notification.id)
    ).all()
    assert [n.user_id for n in notes] == [quality.id]
    assert f"Order {order.id} approved" in notes[0].params
    told = db.session.scalar(
        db.select(AuditEvent).where(
            AuditEvent.action == "instance.notice", AuditEvent.object_id == str(instance.id)
        )
    )
    assert told is not None

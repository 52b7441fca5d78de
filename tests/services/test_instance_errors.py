"""A process that fails at run time: marked as error, nothing lost, retried or cancelled."""

import json

import pytest
from SpiffWorkflow.util.task import TaskState
from werkzeug.datastructures import MultiDict

from app.core.audit.models import AuditEvent
from app.core.processes import versions as processes
from app.core.processes.models import ProcessVersion
from app.core.tasks import completion as tasks
from app.core.tasks import instance_admin, instances
from app.core.tasks.models import HumanTask, ProcessInstance
from app.engine.state import load_state
from app.errors import Conflict
from app.extensions import db
from app.modules.orders.models import Order
from app.modules.orders.services import subject as order_subject
from tests.engine.builders import diagram, flow, parallel_script_process, user_task

INTAKE = {
    "packaging_confirmed": "on",
    "structure_confirmed": "on",
    "dimensions_confirmed": "on",
    "order_category": "new",
    "requirements": "IP65 sealing",
}
SUBMITTED = {
    "packaging_confirmed": True,
    "structure_confirmed": True,
    "dimensions_confirmed": True,
    "order_category": "new",
    "requirements": "IP65 sealing",
}


script_process = parallel_script_process


def gateway_process(condition: str) -> bytes:
    """confirm (sales) -> exclusive gateway deciding on the submitted data."""
    body = "".join(
        [
            '<bpmn:startEvent id="start" name="Start" />',
            user_task("confirm", "order_intake"),
            '<bpmn:exclusiveGateway id="choose" name="Big order?" default="small" />',
            '<bpmn:endEvent id="big_end" name="Big" />'
            '<bpmn:endEvent id="small_end" name="Small" />',
            flow("f0", "start", "confirm"),
            flow("f1", "confirm", "choose"),
            flow("big", "choose", "big_end", condition),
            flow("small", "choose", "small_end"),
        ]
    )
    return diagram(body, lane_nodes=["confirm"])


def publish(xml: bytes, validate: bool = True) -> ProcessVersion:
    """Deploy through validation, or store the row directly as a bypass of it would."""
    if validate:
        deployed = processes.deploy_process("proc.bpmn", xml, None)
        assert deployed.created and deployed.problems == []
        version = deployed.version
    else:
        version = ProcessVersion(
            process_id="proc",
            name="Test process",
            number=1,
            xml=xml.decode(),
            content_hash=processes.content_hash(xml),
            file_name="proc.bpmn",
            forms=[processes.latest_form("order_intake")],
        )
        db.session.add(version)
    db.session.commit()
    return version


def fail(make_user, xml: bytes, validate: bool = True) -> tuple[ProcessInstance, HumanTask]:
    """Start the process and submit the first task, which runs the failing step."""
    publish(xml, validate)
    user = make_user("sales")
    instance = instances.start_process("proc", user)
    db.session.commit()
    task = db.session.scalar(db.select(HumanTask).where(HumanTask.instance_id == instance.id))
    tasks.complete_task(task.id, user, MultiDict(INTAKE))
    db.session.commit()
    db.session.expire_all()
    return db.session.get(ProcessInstance, instance.id), db.session.get(HumanTask, task.id)


def task_rows(instance: ProcessInstance) -> list[tuple[str, str]]:
    """(step, state) of every inbox row of the instance."""
    return list(
        db.session.execute(
            db.select(HumanTask.spec_name, HumanTask.state)
            .where(HumanTask.instance_id == instance.id)
            .order_by(HumanTask.id)
        )
    )


def engine_states(instance: ProcessInstance) -> dict[str, str]:
    """The engine state of every task of the stored workflow, by step."""
    workflow = load_state(processes.definition_for(instance.version), instance.state)
    return {t.task_spec.name: TaskState.get_name(t.state) for t in workflow.tasks.values()}


def submitted_in_state(instance: ProcessInstance) -> dict:
    """What the engine state holds under the confirm task's id."""
    workflow = load_state(processes.definition_for(instance.version), instance.state)
    confirm = next(t for t in workflow.tasks.values() if t.task_spec.name == "confirm")
    return confirm.data["confirm"]


def test_failing_script_marks_the_instance_and_keeps_the_submission(make_user):
    instance, task = fail(make_user, script_process("total = 1 / 0"))
    assert instance.status == "error" and instance.error_kind == "expression"
    assert instance.error_element == "calc" and instance.error_at is not None
    assert instance.error_message == (
        "'Calculate' failed with ZeroDivisionError: division by "
        "zero. Fix the data or the diagram, then retry."
    )
    assert "Traceback" not in instance.error_message
    assert task.state == "completed" and json.loads(task.data) == SUBMITTED
    assert submitted_in_state(instance) == SUBMITTED
    # The other branch waits in the inbox as usual.
    assert task_rows(instance) == [("confirm", "completed"), ("recheck", "ready")]
    assert engine_states(instance)["calc"] == "READY"
    event = db.session.scalar(
        db.select(AuditEvent).where(
            AuditEvent.instance_id == instance.id, AuditEvent.action == "instance.error"
        )
    )
    assert json.loads(event.data)["kind"] == "expression"
    assert instance_admin.errored_instances() == [instance]


@pytest.mark.parametrize(
    ("xml", "validate", "kind", "element", "words"),
    [
        (gateway_process("confirm['quantity'] &gt; 100"), True, "expression", "choose", "KeyError"),
        (script_process("x = ().__class__"), False, "forbidden", "calc", "__class__"),
    ],
)
def test_failing_condition_or_forbidden_code(make_user, xml, validate, kind, element, words):
    instance, task = fail(make_user, xml, validate)
    assert instance.status == "error"
    assert (instance.error_kind, instance.error_element) == (kind, element)
    assert words in instance.error_message and "Traceback" not in instance.error_message
    assert json.loads(task.data) == SUBMITTED and submitted_in_state(instance) == SUBMITTED
    states = engine_states(instance)
    assert (states["confirm"], states[element]) == ("COMPLETED", "READY")  # retry runs it again


def test_retry_that_fails_again_changes_nothing(make_user):
    instance, _ = fail(make_user, script_process("total = 1 / 0"))
    admin = make_user(None, is_admin=True)
    before = (task_rows(instance), engine_states(instance), instance.error_message)
    again = instance_admin.retry_instance(instance.id, admin)
    db.session.commit()
    db.session.expire_all()
    assert again.status == "error" and again.error_kind == "expression"
    assert (task_rows(again), engine_states(again), again.error_message) == before
    assert submitted_in_state(again) == SUBMITTED
    actions = list(
        db.session.scalars(
            db.select(AuditEvent.action)
            .where(AuditEvent.instance_id == instance.id)
            .order_by(AuditEvent.id)
        )
    )
    assert actions[-2:] == ["instance.retry", "instance.error"]


def test_retry_of_a_running_instance_is_refused(make_user):
    publish(script_process("total = 1 + 1"))
    instance = instances.start_process("proc", make_user("sales"))
    db.session.commit()
    with pytest.raises(Conflict):
        instance_admin.retry_instance(instance.id, make_user(None, is_admin=True))


def test_cancel_with_a_reason_cancels_the_open_tasks(make_user):
    instance, _ = fail(make_user, script_process("total = 1 / 0"))
    admin = make_user(None, is_admin=True)
    instance_admin.cancel_instance(instance.id, admin, "Customer withdrew the order")
    db.session.commit()
    db.session.expire_all()
    instance = db.session.get(ProcessInstance, instance.id)
    assert instance.status == "cancelled" and instance.ended_at is not None
    assert instance.cancel_reason == "Customer withdrew the order"
    assert task_rows(instance) == [("confirm", "completed"), ("recheck", "cancelled")]
    assert submitted_in_state(instance) == SUBMITTED  # the history is kept
    event = db.session.scalar(
        db.select(AuditEvent).where(
            AuditEvent.instance_id == instance.id, AuditEvent.action == "instance.cancel"
        )
    )
    assert event.user_id == admin.id
    assert json.loads(event.data) == {"reason": "Customer withdrew the order"}
    assert instance_admin.errored_instances() == []
    with pytest.raises(Conflict):
        instance_admin.cancel_instance(instance.id, admin, "again")


def test_a_side_process_that_stops_does_not_block_its_order(make_user, make_order):
    order = make_order()
    publish(script_process("total = 1 / 0"))
    user = make_user("sales")
    side = instances.start_process("proc", user, subject=order_subject.ref(order))
    db.session.commit()
    task = db.session.scalar(db.select(HumanTask).where(HumanTask.instance_id == side.id))
    tasks.complete_task(task.id, user, MultiDict(INTAKE))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(ProcessInstance, side.id).status == "error"
    assert db.session.get(Order, order.id).status == "in_review"

"""A call activity to another published process pins the callee's version current when the
caller is published: later callee versions change neither running instances nor published
caller versions; republishing the caller pins the newest callee (issue 15)."""

import json

from werkzeug.datastructures import MultiDict

from app.core.audit.models import AuditEvent
from app.core.processes import versions as processes
from app.core.processes.models import ProcessVersion
from app.core.tasks import completion as tasks
from app.core.tasks import instances
from app.core.tasks.models import HumanTask, ProcessInstance
from app.core.users.models import Department
from app.extensions import db

NAMESPACES = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'id="defs" targetNamespace="http://bpmn.io/schema/bpmn"'
)


def process(process_id: str, lane: str, steps: list[str], inner: str = "") -> bytes:
    """start -> each step (a manual task in `lane`, or `inner` for the step "call") -> end."""
    nodes = [
        inner if step == "call" else f'<bpmn:manualTask id="{step}" name="{step}" />'
        for step in steps
    ]
    chain = ["start", *steps, "end"]
    flows = [
        f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}" />'
        for i, (a, b) in enumerate(zip(chain, chain[1:], strict=False))
    ]
    refs = "".join(f"<bpmn:flowNodeRef>{s}</bpmn:flowNodeRef>" for s in steps if s != "call")
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions {NAMESPACES}>'
        f'<bpmn:process id="{process_id}" name="{process_id}" isExecutable="true">'
        f'<bpmn:laneSet id="lanes"><bpmn:lane id="lane" name="{lane}">{refs}</bpmn:lane>'
        '</bpmn:laneSet><bpmn:startEvent id="start" />'
        + "".join(nodes)
        + '<bpmn:endEvent id="end" />'
        + "".join(flows)
        + "</bpmn:process></bpmn:definitions>"
    ).encode()


CALL = '<bpmn:callActivity id="call" name="Credit check" calledElement="credit_check" />'
CALLER = process("credit_order", "sales", ["prepare", "call", "confirm"], CALL)


def publish(file_name: str, xml: bytes) -> processes.Deployment:
    deployed = processes.deploy_process(file_name, xml, None)
    db.session.commit()
    return deployed


def ready_steps(instance: ProcessInstance) -> list[tuple[str, str]]:
    rows = db.session.execute(
        db.select(HumanTask.spec_name, Department.key)
        .join(Department, HumanTask.department_id == Department.id)
        .where(HumanTask.instance_id == instance.id, HumanTask.state == "ready")
        .order_by(HumanTask.spec_name)
    )
    return [tuple(r) for r in rows]


def finish(instance: ProcessInstance, spec_name: str, make_user) -> None:
    task = db.session.scalar(
        db.select(HumanTask).where(
            HumanTask.instance_id == instance.id,
            HumanTask.spec_name == spec_name,
            HumanTask.state == "ready",
        )
    )
    tasks.complete_task(task.id, make_user(task.department.key), MultiDict())
    db.session.commit()


def test_callers_keep_the_callee_version_they_were_published_with(make_user):
    callee_v1 = publish("credit.bpmn", process("credit_check", "quality", ["assess"])).version
    caller_v1 = publish("credit_order.bpmn", CALLER).version
    assert caller_v1.calls == [callee_v1]
    audit = db.session.scalar(
        db.select(AuditEvent).where(
            AuditEvent.action == "process.deploy", AuditEvent.object_id == str(caller_v1.id)
        )
    )
    assert json.loads(audit.data)["calls"] == {"credit_check": callee_v1.number}
    running = instances.start_process("credit_order", make_user("sales"))
    db.session.commit()

    callee_v2 = publish("credit.bpmn", process("credit_check", "quality", ["assess_twice"]))
    assert callee_v2.created and callee_v2.version.number == callee_v1.number + 1
    # The running instance enters the callee version its caller version pinned: v1's step,
    # an inbox row in the callee's lane like any other.
    finish(running, "prepare", make_user)
    assert ready_steps(running) == [("assess", "quality")]
    finish(running, "assess", make_user)
    finish(running, "confirm", make_user)
    assert db.session.get(ProcessInstance, running.id).status == "completed"
    # The published caller version still pins v1; publishing the same caller again is a new
    # version (its callee changed) pinning v2, and new instances run v2's step.
    db.session.expire_all()
    assert db.session.get(ProcessVersion, caller_v1.id).calls == [callee_v1]
    caller_v2 = publish("credit_order.bpmn", CALLER)
    assert caller_v2.created and caller_v2.version.calls == [callee_v2.version]
    assert publish("credit_order.bpmn", CALLER).created is False
    fresh = instances.start_process("credit_order", make_user("sales"))
    db.session.commit()
    finish(fresh, "prepare", make_user)
    assert ready_steps(fresh) == [("assess_twice", "quality")]


def test_unpublished_and_recursive_callees_are_refused():
    missing = processes.deploy_process("credit_order.bpmn", CALLER, None)
    assert missing.version is None
    assert [p.message for p in missing.problems] == [
        "Call activity 'call' calls the process 'credit_check', which is neither in this file "
        "nor published; pick a process defined here or publish 'credit_check' first."
    ]
    # credit_check calls back_again, which (once published) may not call credit_check.
    back_call = CALL.replace("credit_check", "back_again")
    publish("back.bpmn", process("back_again", "quality", ["assess"]))
    publish("credit.bpmn", process("credit_check", "quality", ["call"], back_call))
    looped = processes.deploy_process(
        "back.bpmn", process("back_again", "quality", ["assess", "call"], CALL), None
    )
    assert looped.version is None
    assert [p.message for p in looped.problems] == [
        "Call activity 'call' calls the process 'credit_check', whose published version calls "
        "'back_again' of this file back; a process may not call itself through another."
    ]

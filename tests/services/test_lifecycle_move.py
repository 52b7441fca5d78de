"""Orders waiting for the customer on the lifecycle before 'confirmed' existed move to it."""

import re
from pathlib import Path

from app.core.processes import migrations
from app.core.processes import versions as processes
from app.core.tasks.models import HumanTask, ProcessInstance
from app.extensions import db
from app.modules.confirmations.services import confirmations
from app.modules.orders.models import Order
from app.modules.orders.services import subject as order_subject

LIFECYCLE = Path(__file__).parents[2] / "workflows" / "order_lifecycle.bpmn"


def previous_lifecycle(xml: str) -> str:
    """The lifecycle as it was: the join led straight to the meeting (no 'confirmed' step)."""
    xml = re.sub(
        r'\s*<bpmn:scriptTask id="mark_confirmed".*?</bpmn:scriptTask>', "", xml, flags=re.S
    )
    xml = re.sub(r"\s*<bpmn:flowNodeRef>mark_confirmed</bpmn:flowNodeRef>", "", xml)
    xml = re.sub(r'\s*<bpmn:sequenceFlow id="flow_to_mark_confirmed"[^>]*/>', "", xml)
    xml = re.sub(
        r'\s*<bpmndi:BPMNShape id="mark_confirmed_di".*?</bpmndi:BPMNShape>', "", xml, flags=re.S
    )
    xml = re.sub(
        r'\s*<bpmndi:BPMNEdge id="flow_to_mark_confirmed_di".*?</bpmndi:BPMNEdge>',
        "",
        xml,
        flags=re.S,
    )
    xml = xml.replace(
        "<bpmn:outgoing>flow_to_mark_confirmed</bpmn:outgoing>",
        "<bpmn:outgoing>flow_to_meeting</bpmn:outgoing>",
    )
    xml = xml.replace(
        'id="flow_to_meeting" sourceRef="mark_confirmed"',
        'id="flow_to_meeting" sourceRef="confirmation_join"',
    )
    assert "mark_confirmed" not in xml
    return xml


def deploy(xml: str):
    dmn = {"intake_route.dmn": (LIFECYCLE.parent / "intake_route.dmn").read_bytes()}
    deployed = processes.deploy_process("order_lifecycle.bpmn", xml.encode(), None, dmn)
    assert deployed.problems == [] and deployed.created, deployed.problems
    db.session.commit()
    return deployed.version


def test_waiting_orders_move_to_the_new_lifecycle_and_confirm_into_confirmed(
    make_order, complete, make_user
):
    current = LIFECYCLE.read_text()
    old = deploy(previous_lifecycle(current))
    orders = [make_order() for _ in range(2)]
    for order in orders:
        for step in (
            "confirm_order",
            "pmc_dispatch",
            "review_engineering",
            "review_production",
            "review_quality",
            "review_warehouse",
            "pmc_consolidate",
        ):
            complete(order, step)
    waiting, sent = orders
    complete(sent, "send_confirmation", {"sent_via": "email"})
    assert {i.process_version_id for o in orders for i in o.instances} == {old.id}

    new = deploy(current + "\n<!-- with the 'confirmed' step -->\n")
    admin = make_user(None, is_admin=True)
    dry = migrations.dry_run(admin, "order_lifecycle", new.id)
    assert (dry.migrated, dry.refused) == (2, 0)
    batch = migrations.apply(admin, "order_lifecycle", new.id)
    db.session.commit()
    assert (batch.migrated, batch.refused) == (2, 0)
    db.session.expire_all()
    for order in orders:
        instance = db.session.scalar(
            db.select(ProcessInstance).where(order_subject.about_order(ProcessInstance, order.id))
        )
        assert instance.process_version_id == new.id and instance.kind == "order_lifecycle"

    sales = make_user("sales")
    for order in orders:
        order = db.session.get(Order, order.id)
        token = confirmations.issue_link(order, sales)
        confirmations.confirm_with_link(token, "Ann Smith", True, None, "test")
        db.session.commit()
        db.session.expire_all()
        assert db.session.get(Order, order.id).status == "confirmed"
        ready = set(
            db.session.scalars(
                db.select(HumanTask.spec_name).where(
                    order_subject.about_order(HumanTask, order.id), HumanTask.state == "ready"
                )
            )
        )
        assert ready == {"review_meeting"}

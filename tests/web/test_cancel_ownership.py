"""Cancelling a process on /admin/instances ends only what that process owns."""

import json

from app.core.audit.models import AuditEvent
from app.core.notifications.models import Notification
from app.core.tasks.models import ProcessInstance
from app.extensions import db
from app.modules.changes.models import ChangeRequest
from app.modules.changes.services import changes
from app.modules.orders.models import Order
from app.modules.orders.services import subject as order_subject
from app.modules.rush.models import RushRequest
from app.modules.schedule.models import PlanSlot, ProductionPlan
from tests.scenarios.test_change_keeps_line_facts import draft
from tests.scenarios.test_rush_orders import ask


def cancel_on_admin_page(client, login, make_user, instance_id: int, reason: str):
    login(make_user(None, is_admin=True))
    response = client.post(f"/admin/instances/{instance_id}/cancel", data={"reason": reason})
    assert response.status_code == 302
    db.session.expire_all()
    return db.session.get(ProcessInstance, instance_id)


def told(user_id: int) -> list[dict]:
    """The cancellation notices a user received."""
    return [
        json.loads(n.params)
        for n in db.session.scalars(
            db.select(Notification).where(
                Notification.user_id == user_id, Notification.kind == "process_cancelled"
            )
        )
    ]


def audited(action: str) -> int:
    return db.session.scalar(
        db.select(db.func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    )


def test_cancelling_a_rush_closes_the_rush_and_leaves_order_and_plan(
    client, login, make_user, plan_world
):
    order = plan_world.order("SO-R", 16, "2027-03-05")
    requester = make_user("sales")
    request, _seen = ask(plan_world, order, "2027-03-03", requester=requester)
    plan_before = db.session.scalar(db.select(ProductionPlan.version))
    slots_before = db.session.scalar(db.select(db.func.count()).select_from(PlanSlot))
    instance = cancel_on_admin_page(client, login, make_user, request.instance_id, "Duplicate")
    assert instance.status == "cancelled" and instance.kind == "rush"
    assert db.session.get(Order, order.id).status == "released"
    rush = db.session.get(RushRequest, request.id)
    assert rush.status == "cancelled" and rush.decision_reason == "Duplicate"
    assert db.session.scalar(db.select(ProductionPlan.version)) == plan_before
    assert db.session.scalar(db.select(db.func.count()).select_from(PlanSlot)) == slots_before
    assert told(requester.id) == [
        {"number": "SO-R", "what": "rush", "ref": rush.id, "reason": "Duplicate"}
    ]
    assert audited("rush.cancelled") == 1
    # The order may be rushed again: no request is left open for ever.
    again, _seen = ask(plan_world, order, "2027-03-04", requester=requester)
    assert again.status == "open"
    page = client.get("/notifications").get_data(as_text=True)
    assert "SO-R" not in page  # the admin was not the requester


def test_cancelling_a_change_closes_it_and_frees_the_order(
    client, login, make_user, released_order
):
    raiser = make_user("sales")
    change = changes.raise_change(
        raiser, released_order.id, draft(released_order, "12"), "customer_request", "More", ""
    )
    db.session.commit()
    instance = cancel_on_admin_page(client, login, make_user, change.instance_id, "Withdrawn")
    assert instance.kind == "change"
    order = db.session.get(Order, released_order.id)
    assert order.status == "released" and order.revision == 1
    assert db.session.get(ChangeRequest, change.id).status == "cancelled"
    assert [n["what"] for n in told(raiser.id)] == ["change"]
    # The order's slot for an open change is free again.
    second = changes.raise_change(
        raiser, order.id, draft(order, "14"), "customer_request", "More again", ""
    )
    db.session.commit()
    assert second.status == "open"


def test_cancelling_the_lifecycle_cancels_the_order(client, login, make_user, make_order):
    owner = make_user("sales")
    order = make_order(actor=owner)
    lifecycle = db.session.scalar(
        db.select(ProcessInstance).where(order_subject.about_order(ProcessInstance, order.id))
    )
    assert lifecycle.kind == "order_lifecycle"
    cancel_on_admin_page(client, login, make_user, lifecycle.id, "Customer withdrew")
    assert db.session.get(Order, order.id).status == "cancelled"
    assert told(owner.id) == [
        {"number": order.number, "what": "order", "ref": order.id, "reason": "Customer withdrew"}
    ]
    login(owner)
    client.post("/language", data={"lang": "en"})
    page = client.get("/notifications").get_data(as_text=True)
    assert f"An administrator cancelled order {order.number}." in page


def test_cancelling_the_lifecycle_also_ends_the_orders_open_change(
    client, login, make_user, released_order
):
    raiser = make_user("sales")
    change = changes.raise_change(
        raiser, released_order.id, draft(released_order, "12"), "customer_request", "More", ""
    )
    db.session.commit()
    lifecycle = db.session.scalar(
        db.select(ProcessInstance).where(
            order_subject.about_order(ProcessInstance, released_order.id),
            ProcessInstance.kind == "order_lifecycle",
        )
    )
    assert lifecycle.status == "running"  # standardisation is still open
    cancel_on_admin_page(client, login, make_user, lifecycle.id, "Customer withdrew")
    assert db.session.get(Order, released_order.id).status == "cancelled"
    assert db.session.get(ChangeRequest, change.id).status == "cancelled"
    assert db.session.get(ProcessInstance, change.instance_id).status == "cancelled"
    assert [n["what"] for n in told(raiser.id)] == ["change"]
    assert "Customer withdrew" in told(raiser.id)[0]["reason"]

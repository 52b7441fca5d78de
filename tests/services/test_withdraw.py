"""Withdraw (撤回): the requester takes a change or rush request back before anyone acted."""

import json

import pytest

from app.core.audit.models import AuditEvent
from app.core.comments.models import TaskNote
from app.core.notifications.models import Notification
from app.core.tasks import inbox, withdraw
from app.core.tasks.models import HumanTask, ProcessInstance
from app.core.users.models import User
from app.errors import InvalidInput, PermissionDenied
from app.extensions import db
from app.modules.changes.models import ChangeRequest
from app.modules.changes.services import changes
from app.modules.rush.models import RushRequest
from app.modules.rush.services import rush
from tests.scenarios.test_change_requests import draft


def ask_rush(world, order, requester):
    seen = rush.preview_request(requester, order.id, "2027-03-03", "")
    request = rush.request_rush(
        requester, order.id, "2027-03-03", "", "Big customer", "CUST-77", seen.preview_key
    )
    db.session.commit()
    return request


def open_rows(instance_id: int) -> list[HumanTask]:
    return list(
        db.session.scalars(
            db.select(HumanTask).where(
                HumanTask.instance_id == instance_id, HumanTask.state == "ready"
            )
        )
    )


def denials() -> list[str]:
    return [
        json.loads(e.data)["why"]
        for e in db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.action == "denied.withdraw")
            .order_by(AuditEvent.id)
        )
    ]


def test_the_requester_withdraws_a_rush_nobody_acted_on(plan_world, make_user):
    order = plan_world.order("SO-R", 16, "2027-03-31")
    sales = make_user("sales")
    request = ask_rush(plan_world, order, sales)
    step = open_rows(request.instance_id)[0]
    make_user(step.department.key, role="head")  # who would have decided it
    holders = [u.id for u in inbox.members_for(step)]
    assert holders

    withdraw.withdraw(request.instance_id, sales, "Customer found stock")
    db.session.commit()

    db.session.expire_all()
    assert db.session.get(RushRequest, request.id).status == "cancelled"
    instance = db.session.get(ProcessInstance, request.instance_id)
    assert instance.status == "cancelled" and open_rows(instance.id) == []
    assert db.session.get(HumanTask, step.id).state == "cancelled"
    note = db.session.scalar(db.select(TaskNote).where(TaskNote.kind == "withdraw"))
    assert note.body == "Customer found stock" and note.subject_key == order.id
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"instance.withdraw", "rush.withdrawn"} <= actions
    told = set(
        db.session.scalars(
            db.select(Notification.user_id).where(Notification.kind == "request_withdrawn")
        )
    )
    assert told == set(holders)


def test_refused_once_someone_acted_and_for_anyone_but_the_requester(plan_world, make_user):
    order = plan_world.order("SO-R", 16, "2027-03-31")
    sales = make_user("sales")
    request = ask_rush(plan_world, order, sales)
    with pytest.raises(PermissionDenied):  # a colleague is not the requester
        withdraw.withdraw(request.instance_id, make_user("sales"), "")
    db.session.commit()
    step = open_rows(request.instance_id)[0]
    claimer = make_user(step.department.key, role="head" if step.role == "head" else "member")
    inbox.claim(step.id, claimer)
    db.session.commit()
    with pytest.raises(PermissionDenied) as refused:
        withdraw.withdraw(request.instance_id, sales, "")
    assert claimer.display_name in refused.value.message
    db.session.commit()
    assert denials() == ["who", "acted"]
    assert db.session.get(RushRequest, request.id).status == "open"
    assert open_rows(request.instance_id)  # nothing changed


def test_a_too_long_reason_changes_nothing(plan_world, make_user):
    order = plan_world.order("SO-R", 16, "2027-03-31")
    sales = make_user("sales")
    request = ask_rush(plan_world, order, sales)
    with pytest.raises(InvalidInput):
        withdraw.withdraw(request.instance_id, sales, "x" * (withdraw.REASON_LIMIT + 1))
    db.session.rollback()
    assert db.session.get(RushRequest, request.id).status == "open"


def test_a_kind_without_a_withdraw_handler_cannot_be_withdrawn(make_order):
    order = make_order()
    instance = order.instances[0]  # the order's own lifecycle: not a request
    creator = db.session.get(User, instance.started_by_id)
    with pytest.raises(PermissionDenied):
        withdraw.withdraw(instance.id, creator, "")
    db.session.commit()
    assert denials() == ["kind"]
    assert db.session.get(ProcessInstance, instance.id).status == "running"


def test_a_change_request_is_withdrawn_and_its_slot_freed(released_order, make_user):
    sales = make_user("sales")
    change = changes.raise_change(
        sales, released_order.id, draft(released_order, quantity="25"), "customer_request",
        "More", "CR-1",
    )  # fmt: skip
    db.session.commit()
    assert len(open_rows(change.instance_id)) >= 2  # parallel reviews, none started
    withdraw.withdraw(change.instance_id, sales, "Customer changed their mind")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(ChangeRequest, change.id).status == "cancelled"
    assert open_rows(change.instance_id) == []
    # The order is free for a new change request.
    again = changes.raise_change(
        sales, released_order.id, draft(released_order, quantity="30"), "customer_request",
        "Even more", "CR-2",
    )  # fmt: skip
    db.session.commit()
    assert again.status == "open"


def test_the_requester_withdraws_from_the_task_page(client, login, plan_world, make_user):
    order = plan_world.order("SO-R", 16, "2027-03-31")
    sales = make_user("sales")
    request = ask_rush(plan_world, order, sales)
    step = open_rows(request.instance_id)[0]
    login(make_user("sales"))  # not the requester: no button, and a post is refused
    assert 'id="withdraw"' not in client.get(f"/tasks/{step.id}").get_data(as_text=True)
    assert client.post(f"/tasks/{step.id}/withdraw", data={"reason": ""}).status_code == 403
    login(sales)
    assert 'id="withdraw"' in client.get(f"/tasks/{step.id}").get_data(as_text=True)
    response = client.post(f"/tasks/{step.id}/withdraw", data={"reason": "Not needed"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/orders/{order.id}")
    assert db.session.get(RushRequest, request.id).status == "cancelled"


def test_the_request_pages_offer_the_requester_the_withdraw_form(
    client, login, plan_world, released_order, make_user
):
    """The requester finds the button on the request's own page (rush and change), not only on
    a task page of another department; nobody else sees it, and it goes once someone acted."""
    order = plan_world.order("SO-W", 16, "2027-03-31")
    sales = make_user("sales")
    asked = ask_rush(plan_world, order, sales)
    change = changes.raise_change(
        sales, released_order.id, draft(released_order, quantity="25"), "customer_request",
        "More", "CR-9",
    )  # fmt: skip
    db.session.commit()
    pages = [f"/rush/{asked.id}", f"/changes/{change.id}"]
    login(make_user("sales"))
    assert all('id="withdraw"' not in client.get(page).get_data(as_text=True) for page in pages)
    login(sales)
    for page in pages:
        html = client.get(page).get_data(as_text=True)
        assert 'id="withdraw"' in html and "/withdraw" in html
    step = open_rows(change.instance_id)[0]
    response = client.post(f"/tasks/{step.id}/withdraw", data={"reason": "Not needed"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ChangeRequest, change.id).status == "cancelled"
    assert 'id="withdraw"' not in client.get(f"/changes/{change.id}").get_data(as_text=True)
    # Once someone acted on the rush, its page stops offering the form.
    first = open_rows(asked.instance_id)[0]
    first.assignee_id = make_user(first.department.key, role="head").id
    db.session.commit()
    assert 'id="withdraw"' not in client.get(f"/rush/{asked.id}").get_data(as_text=True)

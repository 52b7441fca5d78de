"""Change request pages: raising one, the diff, and the manager's approvals page."""

import pytest

from app.core.tasks.models import HumanTask
from app.extensions import db
from app.modules.changes.models import ChangeRequest
from app.modules.orders.models import Order
from app.modules.orders.services import subject as order_subject
from tests.answers import SPECS


@pytest.fixture
def released(released_order):
    """The shared released order (tests/conftest.py)."""
    return released_order


def form(order, **over):
    data = {
        "customer_id": str(order.customer_id),
        "order_type": order.order_type,
        "currency": order.currency,
        "requested_date": "2027-03-01",
        "promised_date": "2027-03-05",
        "lines-0-description": order.lines[0].description,
        "lines-0-quantity": "10",
        "lines-0-unit_price": "2.5",
        **{f"lines-0-{k}": v for k, v in SPECS.items()},
        "reason_category": "customer_request",
        "reason": "Customer asked",
        "customer_ref": "MAIL-7",
    }
    data.update(over)
    return data


def test_raise_shows_the_diff_and_the_manager_decides_on_one_page(
    client, login, make_user, released, complete
):
    login(make_user("sales"))
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/orders/{released.id}").get_data(as_text=True)
    assert "Raise a change request" in page
    nothing = client.post(f"/orders/{released.id}/changes/new", data=form(released))
    assert nothing.status_code == 400 and "Nothing differs" in nothing.get_data(as_text=True)
    response = client.post(
        f"/orders/{released.id}/changes/new", data=form(released, **{"lines-0-quantity": "11"})
    )
    assert response.status_code == 302
    change = db.session.scalar(db.select(ChangeRequest))
    detail = client.get(f"/changes/{change.id}").get_data(as_text=True)
    assert 'data-field="quantity"' in detail and "MAIL-7" in detail
    for step in db.session.scalars(
        db.select(HumanTask.spec_name).where(
            order_subject.about_order(HumanTask, released.id),
            HumanTask.state == "ready",
            HumanTask.spec_name.like("change_review_%"),
        )
    ).all():
        complete(released, step, {"opinion": "approve", "delivery_impact_days": "2"})
    head = make_user("sales", role="head")
    login(head)
    client.post("/language", data={"lang": "en"})
    approvals = client.get("/approvals").get_data(as_text=True)
    assert released.number in approvals and "up to 2 working days later" in approvals
    # 10 -> 11 units of 1.5 h on L1 (16 h a day): 15 h fit one day, 16.5 h spill into the next.
    assert "Production plan: finish on line L1 moves from" in approvals
    task = db.session.scalar(
        db.select(HumanTask).where(
            HumanTask.spec_name == "manager_approval_sales", HumanTask.state == "ready"
        )
    )
    no_reason = client.post(
        f"/tasks/{task.id}/complete", data={"decision": "reject", "next": "/approvals"}
    )
    assert no_reason.status_code == 400
    done = client.post(
        f"/tasks/{task.id}/complete",
        data={"decision": "reject", "reason": "Not now", "next": "/approvals"},
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/approvals")
    db.session.expire_all()
    assert db.session.get(ChangeRequest, change.id).status == "rejected"
    assert db.session.get(Order, released.id).lines[0].quantity == 10


def test_any_department_raises_and_its_head_approves(client, login, make_user, released, complete):
    # Issue 4: a warehouse member raises the change; the warehouse head approves it.
    login(make_user("warehouse"))
    client.post("/language", data={"lang": "en"})
    assert "Raise a change request" in client.get(f"/orders/{released.id}").get_data(as_text=True)
    response = client.post(
        f"/orders/{released.id}/changes/new",
        data=form(released, **{"lines-0-packaging_materials": "Wooden crate"}),
    )
    assert response.status_code == 302
    change = db.session.scalar(db.select(ChangeRequest))
    assert change.department == "warehouse"
    for step in ("change_review_quality", "change_review_warehouse"):  # packaging changed
        complete(released, step, {"opinion": "approve", "delivery_impact_days": "0"})
    head = make_user("warehouse", role="head")
    login(head)
    client.post("/language", data={"lang": "en"})
    approvals = client.get("/approvals").get_data(as_text=True)
    assert released.number in approvals and "Wooden crate" in approvals
    task = db.session.scalar(
        db.select(HumanTask).where(
            HumanTask.instance_id == change.instance_id, HumanTask.state == "ready"
        )
    )
    assert (task.spec_name, task.department.key) == ("manager_approval_warehouse", "warehouse")
    login(make_user("sales", role="head"))  # another department's head does not see it
    assert released.number not in client.get("/approvals").get_data(as_text=True)
    login(head)
    done = client.post(
        f"/tasks/{task.id}/complete", data={"decision": "approve", "next": "/approvals"}
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(ChangeRequest, change.id).status == "applied"
    assert db.session.get(Order, released.id).lines[0].packaging_materials == "Wooden crate"


def test_a_user_without_department_cannot_raise_and_only_released_orders_take_changes(
    client, login, make_user, make_order, released
):
    login(make_user(None))
    client.post("/language", data={"lang": "en"})
    assert "Raise a change request" not in client.get(f"/orders/{released.id}").get_data(
        as_text=True
    )
    assert (
        client.post(
            f"/orders/{released.id}/changes/new", data=form(released, **{"lines-0-quantity": "11"})
        ).status_code
        == 403
    )
    fresh = make_order()
    login(make_user("quality"))
    assert "Raise a change request" not in client.get(f"/orders/{fresh.id}").get_data(as_text=True)
    assert (
        client.post(
            f"/orders/{fresh.id}/changes/new", data=form(fresh, **{"lines-0-quantity": "11"})
        ).status_code
        == 409
    )

"""A return with an exchange, end to end (issue 12): an order released through review and the
customer's confirmation, delivered, then sales asks for a return of part of it on the page;
quality inspects, the sales head approves, and the replacement order enters the lifecycle at
review, linked both ways, and is confirmed by sales like any order.

Production's figures are set directly; the warehouse ships and records the customer's receipt
through the shipping services (tests/returns_helpers.py `deliver`)."""

import io
import re
from decimal import Decimal

from werkzeug.datastructures import MultiDict

from app.core.notifications.models import Notification
from app.core.tasks.models import HumanTask
from app.extensions import db
from app.modules.orders.models import Order
from app.modules.returns.models import ReturnRequest
from tests.conftest import open_task
from tests.returns_helpers import deliver, open_step

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_return_with_exchange_end_to_end(client, login, make_user, make_released_order, complete):
    order = make_released_order()
    deliver(order, make_user("warehouse"))
    line = order.lines[0]
    assert (line.quantity, line.unit_price) == (Decimal("10"), Decimal("2.5"))
    sales = make_user("sales")
    login(sales)
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/returns/orders/{order.id}/new").get_data(as_text=True)
    token = re.search(r'name="form_token" value="([\w-]+)"', page).group(1)
    sent = client.post(
        f"/returns/orders/{order.id}/new",
        data={
            f"qty-{line.id}": "4",
            "reason_category": "defective",
            "reason": "Four brackets cracked at the bend",
            "requested_outcome": "exchange",
            "photos": (io.BytesIO(PNG), "bend.png"),
            "form_token": token,
        },
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    db.session.expire_all()
    found = db.session.scalar(db.select(ReturnRequest))
    assert (found.amount, found.status) == (Decimal("10"), "open")
    assert db.session.get(Order, order.id).has_returns

    # Quality inspects through the task page's form, then the sales head approves on theirs.
    inspector = make_user("quality")
    login(inspector)
    task = open_step(found)
    assert task.spec_name == "return_inspection" and task.due_at is not None
    done = client.post(
        f"/tasks/{task.id}/complete",
        data=MultiDict({"decision": "approve", "reason": "Cracks at the bend, material fault"}),
    )
    assert done.status_code in (302, 303), done.get_data(as_text=True)[:1500]
    head = make_user("sales", role="head")
    login(head)
    task = open_step(found)
    assert (task.spec_name, task.role) == ("return_approval_sales", "head")
    done = client.post(f"/tasks/{task.id}/complete", data=MultiDict({"decision": "approve"}))
    assert done.status_code in (302, 303), done.get_data(as_text=True)[:1500]

    db.session.expire_all()
    found = db.session.get(ReturnRequest, found.id)
    replacement = found.replacement_order
    assert found.status == "exchanged" and open_step(found) is None
    assert replacement.status == "in_review" and replacement.customer_id == order.customer_id
    assert [(x.description, x.quantity, x.unit_price) for x in replacement.lines] == [
        (line.description, Decimal("4"), Decimal("0"))
    ]
    # The original order keeps its goods' history; 6 of 10 may still come back.
    login(sales)
    again = client.get(f"/returns/orders/{order.id}/new").get_data(as_text=True)
    assert ">4</td>" in again  # already returned
    told = db.session.scalar(
        db.select(Notification.params).where(
            Notification.user_id == sales.id, Notification.kind == "return_decided"
        )
    )
    assert replacement.number in told
    original_page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert replacement.number in original_page
    replacement_page = client.get(f"/orders/{replacement.id}").get_data(as_text=True)
    assert f"This order replaces goods of order {order.number}" in replacement_page

    # The replacement runs the order lifecycle from its first step, as any entered order does.
    assert open_task(replacement, "confirm_order") is not None
    complete(replacement, "confirm_order")
    assert open_task(replacement, "pmc_dispatch") is not None
    steps = db.session.scalars(
        db.select(HumanTask.spec_name)
        .where(HumanTask.instance_id == found.instance_id)
        .order_by(HumanTask.id)
    ).all()
    assert steps == ["return_inspection", "return_approval_sales"]

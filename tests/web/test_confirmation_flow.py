"""The customer's confirmation and sales' "send the confirmation" step, in either order.

Whichever comes first, the order moves on by itself: no inbox keeps a step for something that
already happened, and the order does not say "awaiting customer" through the review meeting.
"""

import re

import pytest

from app.core.tasks.models import HumanTask
from app.extensions import db
from app.modules.orders.models import Order
from app.modules.orders.services import subject as order_subject


@pytest.fixture
def awaiting(make_order, complete):
    """An order whose review passed: it waits for the customer and for sales' step."""
    order = make_order()
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
    assert db.session.get(Order, order.id).status == "awaiting_customer"
    return order


def states(order: Order) -> dict[str, str]:
    """The state of each confirmation-related step of the order."""
    db.session.expire_all()
    return dict(
        db.session.execute(
            db.select(HumanTask.spec_name, HumanTask.state).where(
                order_subject.about_order(HumanTask, order.id),
                HumanTask.spec_name.in_(("send_confirmation", "review_meeting")),
            )
        ).all()
    )


def status(order: Order) -> str:
    db.session.expire_all()
    return db.session.get(Order, order.id).status


def send_task(order: Order) -> HumanTask:
    return db.session.scalar(
        db.select(HumanTask).where(
            order_subject.about_order(HumanTask, order.id),
            HumanTask.spec_name == "send_confirmation",
        )
    )


def link_from_task_page(client, order: Order) -> str:
    """From the task page: the sheet (PDF) is linked, and the link (with its QR code) is made."""
    task = send_task(order)
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert f"/orders/{order.id}/confirmation.pdf" in page
    assert f'action="/orders/{order.id}/confirmation/link"' in page
    assert f'action="/orders/{order.id}/confirmation/scan"' in page
    made = client.post(f"/orders/{order.id}/confirmation/link").get_data(as_text=True)
    assert "<svg" in made  # the QR code
    url = re.search(r'id="confirm-url" readonly value="([^"]+)"', made).group(1)
    return "/" + url.split("/", 3)[3]


def customer_signs(app, path: str) -> None:
    customer = app.test_client()
    response = customer.post(path, data={"signer_name": "Ann Smith", "agree": "1"})
    assert response.status_code == 200, response.get_data(as_text=True)[:400]


def as_user(client, login, user) -> None:
    """Log in and read the pages in English."""
    login(user)
    client.post("/language", data={"lang": "en"})


def sales_inbox_lists(client, order: Order) -> bool:
    return order.number in client.get("/inbox").get_data(as_text=True)


def test_customer_confirms_before_sales_files_the_step(app, client, login, make_user, awaiting):
    as_user(client, login, make_user("sales"))
    assert sales_inbox_lists(client, awaiting)
    path = link_from_task_page(client, awaiting)
    customer_signs(app, path)

    # Sales' step closed on its own; the meeting is next and the order says so.
    assert states(awaiting) == {"send_confirmation": "completed", "review_meeting": "ready"}
    assert status(awaiting) == "confirmed"
    assert not sales_inbox_lists(client, awaiting)
    task = send_task(awaiting)
    assert task.completed_by_id is None and '"sent_via": "link"' in task.data
    # Sales submits the page it still had open: refused with a reason, nothing changes.
    late = client.post(f"/tasks/{task.id}/complete", data={"sent_via": "email"})
    assert late.status_code == 409
    assert "This task is done already" in late.get_data(as_text=True)
    assert states(awaiting) == {"send_confirmation": "completed", "review_meeting": "ready"}
    # The order page shows the confirmation; the history shows the step done by the system.
    page = client.get(f"/orders/{awaiting.id}").get_data(as_text=True)
    assert "Ann Smith confirmed revision" in page


def test_sales_files_the_step_then_the_customer_confirms(app, client, login, make_user, awaiting):
    as_user(client, login, make_user("sales"))
    path = link_from_task_page(client, awaiting)
    task = send_task(awaiting)
    sent = client.post(f"/tasks/{task.id}/complete", data={"sent_via": "link"})
    assert sent.status_code == 302
    # Sent, not yet confirmed: still waiting for the customer, nothing in any inbox.
    assert states(awaiting) == {"send_confirmation": "completed"}
    assert status(awaiting) == "awaiting_customer"
    assert not sales_inbox_lists(client, awaiting)

    customer_signs(app, path)
    assert states(awaiting) == {"send_confirmation": "completed", "review_meeting": "ready"}
    assert status(awaiting) == "confirmed"
    # Through the meeting the order reads "confirmed", and the meeting releases it.
    as_user(client, login, make_user("pmc"))
    meeting = db.session.scalar(
        db.select(HumanTask).where(
            order_subject.about_order(HumanTask, awaiting.id),
            HumanTask.spec_name == "review_meeting",
        )
    )
    assert "Confirmed by the customer" in client.get(f"/orders/{awaiting.id}").get_data(
        as_text=True
    )
    held = client.post(
        f"/tasks/{meeting.id}/complete",
        data={
            "meeting_date": "2027-01-05",
            "decisions": "Go",
            "attendees": ["sales", "pmc", "engineering", "quality"],
        },
    )
    assert held.status_code == 302, held.get_data(as_text=True)[:600]
    assert status(awaiting) == "released"


def test_signed_scan_before_the_step_closes_it(client, login, make_user, awaiting):
    import io

    as_user(client, login, make_user("sales"))
    response = client.post(
        f"/orders/{awaiting.id}/confirmation/scan",
        data={"signer_name": "Ann Smith", "scan": (io.BytesIO(b"%PDF-1.4 signed"), "s.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert states(awaiting) == {"send_confirmation": "completed", "review_meeting": "ready"}
    assert status(awaiting) == "confirmed"
    assert '"sent_via": "scan"' in send_task(awaiting).data

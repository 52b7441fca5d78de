"""Confirmation links: expired, reused, tampered, stale or premature links change nothing."""

import io
import re
from datetime import timedelta

import pytest

from app.core.clock import utcnow
from app.core.tasks.models import HumanTask
from app.extensions import db
from app.modules.confirmations.models import Confirmation, ConfirmationToken
from app.modules.orders.models import Order
from app.modules.orders.services import subject as order_subject


@pytest.fixture
def awaiting(make_order, complete):
    """An order whose review passed: it waits for the customer."""
    order = make_order()
    complete(order, "confirm_order")
    complete(order, "pmc_dispatch")
    for step in ("review_engineering", "review_production", "review_quality", "review_warehouse"):
        complete(order, step)
    complete(order, "pmc_consolidate")
    assert db.session.get(Order, order.id).status == "awaiting_customer"
    return order


def make_link(client, login, make_user, order) -> str:
    login(make_user("sales"))
    page = client.post(f"/orders/{order.id}/confirmation/link").get_data(as_text=True)
    url = re.search(r'id="confirm-url" readonly value="([^"]+)"', page).group(1)
    assert "<svg" in page  # the QR code
    return "/" + url.split("/", 3)[3]


def sign(app, path, name="Ann Smith"):
    customer = app.test_client()
    customer.post("/language", data={"lang": "en"})
    return customer.post(path, data={"signer_name": name, "agree": "1"})


def confirmations() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Confirmation))


def test_link_confirms_once_then_is_used_up(app, client, login, make_user, awaiting):
    path = make_link(client, login, make_user, awaiting)
    assert sign(app, path).status_code == 200
    db.session.expire_all()
    assert confirmations() == 1
    again = sign(app, path)
    assert again.status_code == 410 and "already used" in again.get_data(as_text=True)
    assert confirmations() == 1


def test_expired_link_is_refused(app, client, login, make_user, awaiting):
    path = make_link(client, login, make_user, awaiting)
    token = db.session.scalar(db.select(ConfirmationToken))
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = sign(app, path)
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    assert confirmations() == 0
    assert db.session.get(Order, awaiting.id).status == "awaiting_customer"


@pytest.mark.parametrize("tamper", ["flip", "truncate", "garbage"])
def test_tampered_link_is_refused(app, client, login, make_user, awaiting, tamper):
    path = make_link(client, login, make_user, awaiting)
    if tamper == "flip":
        bad = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    elif tamper == "truncate":
        bad = path[:-6]
    else:
        bad = "/confirm/not-a-token"
    response = sign(app, bad)
    text = response.get_data(as_text=True)
    assert response.status_code == 410 and "not valid" in text and "Traceback" not in text
    assert confirmations() == 0


def test_a_new_link_replaces_the_old_one(app, client, login, make_user, awaiting):
    old = make_link(client, login, make_user, awaiting)
    make_link(client, login, make_user, awaiting)
    response = sign(app, old)
    assert response.status_code == 410 and "replaced" in response.get_data(as_text=True)


def test_missing_name_or_agreement_is_explained(app, client, login, make_user, awaiting):
    path = make_link(client, login, make_user, awaiting)
    customer = app.test_client()
    customer.post("/language", data={"lang": "en"})
    response = customer.post(path, data={"signer_name": " ", "agree": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Type your full name" in page and "Tick the box" in page
    assert confirmations() == 0
    assert sign(app, path).status_code == 200  # the link still works after the mistake


def test_no_link_before_the_review_passed(client, login, make_user, make_order):
    order = make_order()
    login(make_user("sales"))
    client.post("/language", data={"lang": "en"})
    response = client.post(f"/orders/{order.id}/confirmation/link")
    assert response.status_code == 409
    assert db.session.scalar(db.select(db.func.count()).select_from(ConfirmationToken)) == 0


def test_only_sales_makes_links(client, login, make_user, awaiting):
    login(make_user("quality"))
    assert client.post(f"/orders/{awaiting.id}/confirmation/link").status_code == 403


def test_signed_scan_confirms_and_bad_scans_change_nothing(
    client, login, make_user, awaiting, complete
):
    login(make_user("sales"))
    client.post("/language", data={"lang": "en"})
    bad = client.post(
        f"/orders/{awaiting.id}/confirmation/scan",
        follow_redirects=True,
        data={"signer_name": "Ann", "scan": (io.BytesIO(b"MZ"), "scan.exe")},
        content_type="multipart/form-data",
    )
    assert "not an allowed file type" in bad.get_data(as_text=True)
    assert confirmations() == 0
    good = client.post(
        f"/orders/{awaiting.id}/confirmation/scan",
        data={"signer_name": "Ann Smith", "scan": (io.BytesIO(b"%PDF-1.4 signed"), "signed.pdf")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    db.session.expire_all()
    confirmation = db.session.scalar(db.select(Confirmation))
    assert confirmation.method == "scan" and confirmation.attachment.file_name == "signed.pdf"
    # The scan answers sales' own "send the confirmation" step: it closes on its own and PMC
    # holds the review meeting.
    steps = dict(
        db.session.execute(
            db.select(HumanTask.spec_name, HumanTask.state).where(
                order_subject.about_order(HumanTask, awaiting.id),
                HumanTask.spec_name.in_(("send_confirmation", "review_meeting")),
            )
        ).all()
    )
    assert steps == {"send_confirmation": "completed", "review_meeting": "ready"}
    assert db.session.get(Order, awaiting.id).status == "confirmed"

"""The shipping pages (issue 12): record a shipment (both languages, errors kept, a second
submit lands on the first shipment), the shipment page with the delivery note and the receipt
upload, the order page's section and timeline, and the order list's new status filter."""

import re
from io import BytesIO

import flask_babel
import pytest

from app.core import clock
from app.core.submissions.uniqueness import new_form_token
from app.extensions import db
from app.modules.shipping.models import Shipment
from tests.shipping_helpers import PNG, two_line_order


@pytest.fixture
def keeper(make_user):
    return make_user("warehouse")


def _switch(client, lang: str) -> None:
    assert client.post("/language", data={"lang": lang}).status_code == 302
    flask_babel.refresh()


def _form(order, quantities, token=None, **fields):
    data = {f"qty_{line.id}": q for line, q in zip(order.lines, quantities, strict=True)}
    data.update(carrier="德邦 Deppon", tracking_number="DP-778", note="", form_token=token or "")
    data["ship_date"] = clock.today().isoformat()
    data.update(fields)
    return data


def test_recording_a_shipment_in_both_languages(client, login, make_order, keeper):
    order = two_line_order(make_order, "production_complete", made=("100", "40"))
    login(keeper)
    page = client.get(f"/orders/{order.id}/shipments/new").get_data(as_text=True)
    assert "登记发货" in page and "最多 100" in page
    _switch(client, "en")
    page = client.get(f"/orders/{order.id}/shipments/new").get_data(as_text=True)
    assert "Record a shipment" in page and "up to 40" in page
    token = new_form_token()
    response = client.post(
        f"/orders/{order.id}/shipments/new", data=_form(order, ["30", ""], token)
    )
    assert response.status_code == 303
    shipment = db.session.scalar(db.select(Shipment))
    assert response.headers["Location"].endswith(f"/shipments/{shipment.id}")
    again = client.post(f"/orders/{order.id}/shipments/new", data=_form(order, ["30", ""], token))
    assert again.status_code == 303 and again.headers["Location"].endswith(
        f"/shipments/{shipment.id}"
    )
    assert db.session.scalar(db.select(db.func.count(Shipment.id))) == 1
    detail = client.get(f"/shipments/{shipment.id}").get_data(as_text=True)
    assert f"{order.number}-D1" in detail and "DP-778" in detail and "Partly shipped" in detail


def test_errors_are_shown_with_what_was_typed(client, login, make_order, keeper):
    order = two_line_order(make_order, "production_complete", made=("100", "40"))
    login(keeper)
    response = client.post(
        f"/orders/{order.id}/shipments/new",
        data=_form(order, ["101", "7"], carrier="", tracking_number="T" * 61),
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "第 1 行" in page and "请填写承运商" in page and "最多 60 个字符" in page
    assert 'value="101"' in page and 'value="7"' in page
    assert db.session.scalar(db.select(db.func.count(Shipment.id))) == 0


def test_others_may_read_but_not_ship(client, login, make_order, make_user):
    order = two_line_order(make_order, "production_complete", made=("100", "40"))
    login(make_user("quality"))
    assert client.get(f"/orders/{order.id}/shipments/new").status_code == 200
    response = client.post(f"/orders/{order.id}/shipments/new", data=_form(order, ["1", ""]))
    assert response.status_code == 403
    assert db.session.scalar(db.select(db.func.count(Shipment.id))) == 0


def test_receipt_upload_delivers_and_the_order_page_shows_it(
    client, login, make_order, keeper, make_user
):
    order = two_line_order(make_order, "production_complete", made=("100", "40"))
    login(keeper)
    client.post(f"/orders/{order.id}/shipments/new", data=_form(order, ["100", "40"]))
    shipment = db.session.scalar(db.select(Shipment))
    pdf = client.get(f"/shipments/{shipment.id}/delivery-note.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    login(make_user("sales"))
    _switch(client, "en")
    bad = client.post(
        f"/shipments/{shipment.id}/receipt",
        data={"receipt_signer": "W", "received_on": "2020-01-01", "form_token": new_form_token()},
    )
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "2 to 100 characters" in text and "before they shipped" in text
    assert "Choose the signed delivery note" in text
    done = client.post(
        f"/shipments/{shipment.id}/receipt",
        data={
            "receipt_signer": "王建国",
            "received_on": clock.today().isoformat(),
            "form_token": new_form_token(),
            "receipt_file": (BytesIO(PNG), "signed.png"),
        },
        content_type="multipart/form-data",
    )
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(Shipment, shipment.id).is_received
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert 'id="shipments"' in page and "Delivered" in page
    assert re.search(r"Shipment [^<]*-D1 received by the customer", page)
    listed = client.get("/orders?status=delivered").get_data(as_text=True)
    assert order.number in listed
    assert order.number not in client.get("/orders?status=shipped").get_data(as_text=True)

"""Entering and revising orders through the web client, including every kind of bad input."""

import io

import pytest

from app.extensions import db
from app.modules.orders.models import Attachment, Customer, Order, OrderRevision, Product


@pytest.fixture
def catalogue():
    customer = Customer(name="华东精密", contact="王", address="上海", tier="key")
    product = Product(code="P-1", name="Flange", unit="pcs", standard_cost=3)
    db.session.add_all([customer, product])
    db.session.commit()
    return customer, product


def entry(customer, **fields):
    data = {
        "customer_id": str(customer.id),
        "order_type": "non_standard",
        "currency": "CNY",
        "requested_date": "2027-03-01",
        "lines-0-description": "定制支架",
        "lines-0-quantity": "20",
        "lines-0-unit_price": "12.5",
        "lines-0-structure_function": "两件式",
        "lines-0-dimensions_performance": "120x80",
        "lines-0-technical_requirements": "图纸 BR-7",
        "lines-0-process_requirements": "激光切割",
        "lines-0-quality_requirements": "AQL 1.0",
        "lines-0-packaging_requirements": "50/箱",
    }
    data.update(fields)
    return data


def order_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Order))


def test_sales_enters_a_non_standard_order_with_a_drawing(client, login, make_user, catalogue):
    customer, product = catalogue
    login(make_user("sales"))
    data = entry(customer, **{"lines-1-product_id": str(product.id), "lines-1-quantity": "5"})
    data["attachments"] = [(io.BytesIO(b"%PDF-1.4 drawing"), "drawing.pdf")]
    response = client.post("/orders/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    order = db.session.scalar(db.select(Order))
    assert [line.product_id for line in order.lines] == [None, product.id]
    assert order.lines[0].quality_requirements == "AQL 1.0"
    assert order.revision == 1
    revision = db.session.scalar(db.select(OrderRevision))
    assert revision.number == 1 and len(revision.content_hash) == 64
    attachment = db.session.scalar(db.select(Attachment))
    assert attachment.file_name == "drawing.pdf" and attachment.size == 16
    with client.get(f"/orders/{order.id}/files/{attachment.id}") as download:
        assert download.status_code == 200 and download.data == b"%PDF-1.4 drawing"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("lines-0-quantity", "-3", "Enter a number between 0.001 and 1,000,000."),
        ("lines-0-quantity", "lots", "Enter a number between 0.001 and 1,000,000."),
        ("lines-0-quantity", "0.0001", "Enter a number between 0.001 and 1,000,000."),
        ("lines-0-quantity", "2.0005", "Use at most 3 decimal places."),
        ("lines-0-quantity", "1000000.5", "Enter a number between 0.001 and 1,000,000."),
        ("lines-0-unit_price", "1.005", "Use at most 2 decimal places."),
        ("lines-0-unit_price", "1e20", "Enter a number between 0 and 100,000,000."),
        ("lines-0-unit_price", "NaN", "Enter a number between 0 and 100,000,000."),
        ("notes", "x" * 4001, "At most 4,000 characters (this has 4,001)."),
        ("lines-0-technical_requirements", "x" * 4001, "At most 4,000 characters"),
        ("customer_po", "P" * 81, "At most 80 characters (this has 81)."),
        ("requested_date", "2027-02-30", "Enter a date as YYYY-MM-DD."),
        ("lines-0-quality_requirements", "", "A non-standard item needs this specification."),
        ("order_type", "regular", "An order with non-standard items cannot be a regular order."),
    ],
)
def test_bad_order_input_is_explained_and_nothing_is_saved(
    client, login, make_user, catalogue, field, value, message
):
    login(make_user("sales"))
    client.post("/language", data={"lang": "en"})
    response = client.post("/orders/new", data=entry(catalogue[0], **{field: value}))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "定制支架" in page  # what the user typed is kept
    assert order_count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ....", "is not an allowed file type"),
        ("fake.pdf", b"GIF89a not a pdf", "does not look like a .pdf file"),
        ("huge.pdf", b"%PDF-" + b"0" * 2048, "is larger than the limit of 1 KB"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_saved(
    app, monkeypatch, client, login, make_user, catalogue, name, content, message
):
    # A small limit keeps the test fast; the check is the same at the default 10 MB.
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1024)
    login(make_user("sales"))
    client.post("/language", data={"lang": "en"})
    data = entry(catalogue[0])
    data["attachments"] = [(io.BytesIO(content), name)]
    response = client.post("/orders/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert order_count() == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)) == 0


def test_only_sales_enters_orders(client, login, make_user):
    login(make_user("quality"))
    assert client.get("/orders/new").status_code == 403


def test_sales_revises_while_the_order_is_with_them(client, login, make_user, make_order):
    order = make_order()
    login(make_user("sales"))
    client.post("/language", data={"lang": "en"})
    form = client.get(f"/orders/{order.id}/edit").get_data(as_text=True)
    assert "Custom bracket" in form
    assert 'value="10"' in form and 'value="2.5"' in form  # not 1E+1
    data = entry(order.customer, **{"lines-0-quantity": "40", "reason": "Customer doubled it"})
    response = client.post(f"/orders/{order.id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.revision == 2 and order.lines[0].quantity == 40
    first, second = order.revisions
    assert first.content_hash != second.content_hash and second.reason == "Customer doubled it"
    no_reason = client.post(f"/orders/{order.id}/edit", data=entry(order.customer))
    assert no_reason.status_code == 400 and "Say what changed and why." in no_reason.get_data(
        as_text=True
    )


def test_revision_is_refused_once_the_order_left_sales(
    client, login, make_user, make_order, complete
):
    order = make_order()
    complete(order, "confirm_order")
    login(make_user("sales"))
    client.post("/language", data={"lang": "en"})
    response = client.post(f"/orders/{order.id}/edit", data=entry(order.customer, reason="late"))
    assert response.status_code == 409
    assert "change request" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Order, order.id).revision == 1


def test_a_file_chosen_before_an_error_is_named_to_choose_again(
    client, login, make_user, catalogue
):
    """A browser does not send a chosen file twice: the page says which ones were not kept."""
    login(make_user("sales"))
    client.post("/language", data={"lang": "en"})
    data = entry(catalogue[0], **{"lines-0-quantity": "0"})
    data["attachments"] = [(io.BytesIO(b"%PDF-1.4 drawing"), "BR-7.pdf")]
    response = client.post("/orders/new", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="files-not-kept"' in page
    assert "choose them again (BR-7.pdf)" in page
    assert order_count() == 0
    # Without a file chosen there is nothing to warn about.
    plain = client.post("/orders/new", data=entry(catalogue[0], **{"lines-0-quantity": "0"}))
    assert plain.status_code == 400 and 'id="files-not-kept"' not in plain.get_data(as_text=True)

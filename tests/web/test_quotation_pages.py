"""Quotation pages: the editor (save, refusals in the reader's language, the htmx figures), the
list's filters and pages, the detail with its revisions, and the customer's email field."""

from datetime import timedelta

import pytest

from app.core import clock
from app.extensions import db
from app.modules.orders.models import Customer
from app.modules.quotations.models import Quotation
from app.modules.quotations.services import reading
from tests.quotations_helpers import QuoteWorld
from tests.statements import counted


@pytest.fixture
def world(make_user) -> QuoteWorld:
    return QuoteWorld(make_user)


def speak(client, lang: str) -> None:
    client.post("/language", data={"lang": lang})


def form(world, price: str, **extra) -> dict:
    return {
        "customer_id": str(world.customer.id),
        "currency": "CNY",
        "payment_terms": "30 days net",
        "valid_until": (clock.today() + timedelta(days=30)).isoformat(),
        "lines-0-product_id": str(world.p100.id),
        "lines-0-quantity": "10",
        "lines-0-unit_price": price,
        **extra,
    }


def test_sales_saves_a_quotation_and_sees_its_flags(client, login, world):
    login(world.sales)
    speak(client, "en")
    page = client.get("/quotations/new").get_data(as_text=True)
    assert "data-line-template" in page and 'name="payment_terms"' in page
    figures = client.post("/quotations/figures", data=form(world, "90")).get_data(as_text=True)
    assert "11.11 %" in figures and "below the minimum of 15" in figures
    saved = client.post("/quotations/new", data=form(world, "90"))
    assert saved.status_code == 302
    found = db.session.scalar(db.select(Quotation))
    detail = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert found.number in detail and "standard cost" in detail and "11.11 %" in detail
    speak(client, "zh_CN")
    detail = client.get(f"/quotations/{found.id}").get_data(as_text=True)
    assert "低于最低要求 15" in detail and "标准成本" in detail


def test_bad_input_is_said_in_the_readers_language_and_saves_nothing(client, login, world):
    login(world.sales)
    speak(client, "zh_CN")
    bad = client.post("/quotations/new", data=form(world, "1.001", valid_until="2000-01-01"))
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "报价有效期自今日起最多" in text and "小数" in text
    assert db.session.scalar(db.select(db.func.count(Quotation.id))) == 0


def test_the_list_filters_and_pages(client, login, world):
    other = Customer(name="Other Ltd")
    db.session.add(other)
    db.session.commit()
    for _ in range(reading.PAGE_SIZE + 1):
        world.quote(world.line(world.p100, "1", "100"))
    world.quote(world.line(world.p100, "1", "100"), customer_id=other.id)
    login(world.sales_head)
    speak(client, "en")
    first = client.get("/quotations/").get_data(as_text=True)
    rows = '<tr><td data-label="Quotation">'
    total = reading.PAGE_SIZE + 2
    assert first.count(rows) == reading.PAGE_SIZE and 'rel="next"' in first
    assert f"{total} quotations in all" in first and "Page 1 of 2" in first
    second = client.get("/quotations/?page=2").get_data(as_text=True)
    assert second.count(rows) == 2 and 'rel="prev"' in second and "Page 2 of 2" in second
    assert client.get("/quotations/?page=99").get_data(as_text=True).count(rows) == 2
    assert client.get("/quotations/?page=x").get_data(as_text=True).count(rows) == total - 2
    only = client.get(f"/quotations/?customer={other.id}").get_data(as_text=True)  # a bookmark
    assert only.count(rows) == 1 and "Other Ltd" in only and "data-quotation-pager" not in only
    named = client.get("/quotations/", query_string={"customer": "Other Ltd", "page": "1"})
    assert named.get_data(as_text=True).count(rows) == 1
    unknown = client.get("/quotations/", query_string={"customer": "Nobody"})
    assert "No customer is named “Nobody”" in unknown.get_data(as_text=True)
    none = client.get("/quotations/?status=accepted").get_data(as_text=True)
    assert "No quotations." in none
    filtered = client.get("/quotations/?status=draft").get_data(as_text=True)
    assert "status=draft" in filtered.split('rel="next"')[0].rsplit("href=", 1)[1]
    speak(client, "zh_CN")
    zh = client.get("/quotations/").get_data(as_text=True)
    assert f"共 {total} 份报价" in zh and "第 1 页，共 2 页" in zh


def test_the_list_does_not_carry_every_customer(client, login, world):
    """The customer filter was a dropdown of every customer: the page grew with them."""
    world.quote(world.line(world.p100, "1", "100"))
    login(world.sales_head)
    client.get("/quotations/")

    def seen():
        db.session.expire_all()
        with counted() as found:
            html = client.get("/quotations/").get_data(as_text=True)
        return found.statements, found.rows, len(html)

    small = seen()
    db.session.add_all(Customer(name=f"Later {n:03d}") for n in range(40))
    db.session.commit()
    statements, rows, size = seen()
    assert statements == small[0] and rows <= small[1] + 20 and size < small[2] + 20 * 60


def test_an_edit_after_sending_shows_both_revisions(client, login, world):
    found = world.quote(world.line(world.p100, "10", "100"))
    found.revisions[0].sent_at, found.status = clock.utcnow(), "sent"
    db.session.commit()
    login(world.sales)
    speak(client, "en")
    page = client.get(f"/quotations/{found.id}/edit").get_data(as_text=True)
    assert "saving makes revision 2" in page and 'value="100"' in page
    missing = client.post(f"/quotations/{found.id}/edit", data=form(world, "95"))
    assert missing.status_code == 400 and "Say what changed and why" in missing.get_data(True)
    saved = client.post(
        f"/quotations/{found.id}/edit", data=form(world, "95", reason="Bigger batch")
    )
    assert saved.status_code == 302
    detail = client.get(f"/quotations/{found.id}").get_data(as_text=True)
    assert "Lines of revision 2" in detail and "Lines of revision 1" in detail
    assert "Bigger batch" in detail


def test_others_do_not_see_quotations(client, login, world, make_user):
    found = world.quote(world.line(world.p100, "10", "100"))
    login(make_user("production"))
    assert client.get(f"/quotations/{found.id}").status_code == 403
    assert client.get("/quotations/").status_code == 403
    login(make_user("finance"))
    assert client.get(f"/quotations/{found.id}").status_code == 200
    assert client.get("/quotations/new").status_code == 403


def test_sales_adds_a_customer_with_an_email(client, login, make_user):
    login(make_user("sales"))
    speak(client, "zh_CN")
    bad = client.post(
        "/catalogue/customers",
        data={"name": "Mail Co", "tier": "standard", "email": "no at sign"},
    )
    assert bad.status_code == 400 and "name@example.com" in bad.get_data(as_text=True)
    good = client.post(
        "/catalogue/customers",
        data={"name": "Mail Co", "tier": "standard", "email": "buyer@mail.example"},
    )
    assert good.status_code == 302
    assert db.session.scalar(db.select(Customer.email).where(Customer.name == "Mail Co")) == (
        "buyer@mail.example"
    )


def test_send_accept_and_order_from_the_detail_page(client, login, world):
    from tests.shipping_helpers import png_file

    found = world.quote(world.line(world.p100, "10", "100"))
    login(world.sales)
    speak(client, "en")
    page = client.get(f"/quotations/{found.id}").get_data(as_text=True)
    assert "Send to the customer" in page and "Ask for approval" not in page
    pdf = client.get(f"/quotations/{found.id}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    sent = client.post(f"/quotations/{found.id}/send")
    assert sent.status_code == 302
    page = client.get(f"/quotations/{found.id}").get_data(as_text=True)
    assert "it is mailed to buyer@huadong.example" in page
    assert "Record the acceptance" in page
    bad = client.post(f"/quotations/{found.id}/accept", data={"signer_name": ""})
    assert bad.status_code == 400 and "Attach the signed copy" in bad.get_data(as_text=True)
    good = client.post(
        f"/quotations/{found.id}/accept",
        data={"signer_name": "Wang", "scan": png_file()},
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    copy = client.get(f"/quotations/{found.id}/signed")
    assert copy.status_code == 200 and copy.data.startswith(b"\x89PNG")
    copy.close()
    made = client.post(f"/quotations/{found.id}/order")
    assert made.status_code == 302 and "/orders/" in made.headers["Location"]
    order_page = client.get(made.headers["Location"]).get_data(as_text=True)
    assert found.number in order_page and "accepted by Wang" in order_page
    again = client.post(f"/quotations/{found.id}/order")
    assert again.status_code == 409 and "an order already" in again.get_data(as_text=True)
    detail = client.get(f"/quotations/{found.id}").get_data(as_text=True)
    db.session.refresh(found)
    assert found.order.number in detail


def test_an_expired_quotation_says_so_in_chinese(client, login, world):
    found = world.quote(world.line(world.p100, "10", "100"))
    login(world.sales)
    client.post(f"/quotations/{found.id}/send")
    db.session.expire_all()
    found = db.session.get(Quotation, found.id)
    found.valid_until = clock.today() - timedelta(days=1)
    db.session.commit()
    speak(client, "zh_CN")
    page = client.get(f"/quotations/{found.id}").get_data(as_text=True)
    assert "该报价单已过期，不能再被接受" in page

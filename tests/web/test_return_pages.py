"""The return request and complaint pages, the order page's returns section and the order list's
return filter, in both languages."""

import io
import re

from app.extensions import db
from app.modules.returns.models import Complaint, ReturnRequest
from tests.returns_helpers import ask, delivered_order, open_step

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def token_of(page: str) -> str:
    return re.search(r'name="form_token" value="([\w-]+)"', page).group(1)


def form(order, qty="3", **extra):
    return {
        f"qty-{order.lines[0].id}": qty,
        "reason_category": "defective",
        "reason": "Cracked welds on three pieces",
        "requested_outcome": "exchange",
        **extra,
    }


def test_sales_asks_for_a_return_with_a_photo_and_follows_it(client, login, make_user, make_order):
    order = delivered_order(make_order, make_user)
    login(make_user("sales"))
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Request a return" in page and "Record a complaint" in page
    new = client.get(f"/returns/orders/{order.id}/new")
    assert new.status_code == 200
    data = form(order, form_token=token_of(new.get_data(as_text=True)))
    data["photos"] = (io.BytesIO(PNG), "crack.png")
    sent = client.post(
        f"/returns/orders/{order.id}/new", data=data, content_type="multipart/form-data"
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)[:2000]
    found = db.session.scalar(db.select(ReturnRequest))
    assert sent.headers["Location"].endswith(f"/returns/{found.id}")
    detail = client.get(f"/returns/{found.id}").get_data(as_text=True)
    assert "crack.png" in detail and "Cracked welds on three pieces" in detail
    assert "Quality inspection of the returned goods" in detail
    # The same form sent again lands on the first request, saving nothing more.
    data["photos"] = (io.BytesIO(PNG), "crack.png")
    again = client.post(
        f"/returns/orders/{order.id}/new", data=data, content_type="multipart/form-data"
    )
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/returns/{found.id}")
    assert db.session.scalar(db.select(db.func.count(ReturnRequest.id))) == 1
    order_page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Returns and complaints" in order_page and f"Return #{found.id} requested" in order_page
    assert "1 returns and 0 complaints in all" in order_page
    other = make_order()
    listed = client.get("/orders?returns=1").get_data(as_text=True)
    assert order.number in listed and other.number not in listed
    assert other.number in client.get("/orders").get_data(as_text=True)


def test_the_inspectors_task_page_shows_the_return(client, login, make_user, make_order):
    order = delivered_order(make_order, make_user)
    found = ask(order, make_user("sales"), {order.lines[0].id: "2"})
    login(make_user("quality"))
    client.post("/language", data={"lang": "zh_CN"})
    page = client.get(f"/tasks/{open_step(found).id}").get_data(as_text=True)
    assert f"#{found.id}" in page and "Cracked welds" in page
    assert "接受退货" in page


def test_refusals_say_why_in_each_language_and_store_nothing(client, login, make_user, make_order):
    order = delivered_order(make_order, make_user)
    login(make_user("sales"))
    url = f"/returns/orders/{order.id}/new"
    for lang, words in (("en", "At most 10 of line 1"), ("zh_CN", "第 1 行最多可退 10")):
        client.post("/language", data={"lang": lang})
        too_many = client.post(url, data=form(order, qty="11"))
        assert too_many.status_code == 400
        assert words in too_many.get_data(as_text=True)
    client.post("/language", data={"lang": "en"})
    bad_photo = form(order)
    bad_photo["photos"] = (io.BytesIO(b"MZ"), "virus.exe")
    refused = client.post(url, data=bad_photo, content_type="multipart/form-data")
    assert refused.status_code == 400 and "is not an allowed file type" in refused.get_data(
        as_text=True
    )
    empty = client.post(url, data={})
    text = empty.get_data(as_text=True)
    assert empty.status_code == 400
    assert "Give the quantity that comes back" in text and "Choose refund or exchange" in text
    assert db.session.scalar(db.select(db.func.count(ReturnRequest.id))) == 0


def test_only_sales_asks_and_only_for_a_delivered_order(client, login, make_user, make_order):
    delivered = delivered_order(make_order, make_user)
    login(make_user("quality"))
    assert client.get(f"/returns/orders/{delivered.id}/new").status_code == 403
    assert client.post(f"/returns/orders/{delivered.id}/complaint", data={}).status_code == 403
    in_review = make_order()
    login(make_user("sales"))
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/orders/{in_review.id}").get_data(as_text=True)
    assert "Request a return" not in page
    refused = client.post(f"/returns/orders/{in_review.id}/new", data=form(in_review))
    assert refused.status_code == 409
    assert "Only a delivered order takes a return request" in refused.get_data(as_text=True)


def test_complaint_is_recorded_and_counted(client, login, make_user, make_order):
    order = delivered_order(make_order, make_user)
    login(make_user("sales"))
    client.post("/language", data={"lang": "zh_CN"})
    page = client.get(f"/returns/orders/{order.id}/complaint")
    assert page.status_code == 200 and "客户投诉" in page.get_data(as_text=True)
    missing = client.post(f"/returns/orders/{order.id}/complaint", data={"category": "quality"})
    assert missing.status_code == 400 and "请说明客户投诉的内容" in missing.get_data(as_text=True)
    data = {
        "category": "delivery",
        "description": "两箱货物受潮",
        "form_token": token_of(page.get_data(as_text=True)),
    }
    sent = client.post(f"/returns/orders/{order.id}/complaint", data=data)
    assert sent.status_code == 302
    assert db.session.scalar(db.select(db.func.count(Complaint.id))) == 1
    shown = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "两箱货物受潮" in shown and "共退货 0 次、投诉 1 次" in shown
    listed = client.get(f"/returns?customer={order.customer_id}").get_data(as_text=True)
    assert "两箱货物受潮" in listed and order.number in listed

"""Browser: a return request and a complaint from the order page, in English on a desktop and in
Chinese on a 390 px phone (issue 12). The order is made, shipped and signed for through the
services (tests/returns_helpers.py `deliver`)."""

from e2e_helpers import PHONE, assert_no_sideways_scroll, log_in, place_order, t
from playwright.sync_api import expect

from app.extensions import db
from app.modules.returns.models import Complaint, ReturnRequest
from tests.returns_helpers import deliver

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def delivered(make_user):
    order = place_order(make_user("sales"))
    deliver(order, make_user("warehouse"))
    return order


def test_sales_requests_a_return_in_english(live_server, page, make_user, password):
    order = delivered(make_user)
    log_in(page, live_server, make_user("sales"), password)
    page.goto(f"{live_server}/orders/{order.id}")
    page.wait_for_load_state()
    page.get_by_role("link", name="Request a return").click()
    page.wait_for_load_state()
    quantity = page.get_by_label("Quantity returned of line 1")
    quantity.fill("12")
    page.select_option("#reason_category", "defective")
    page.fill("#reason", "Flanges arrived bent")
    page.get_by_label("Exchange").check()
    page.get_by_role("button", name="Send the return request").click()
    expect(page.locator(".field-error").first).to_contain_text(
        "At most 10 of line 1 may come back (10 delivered, 0 already returned)."
    )
    assert db.session.scalar(db.select(db.func.count(ReturnRequest.id))) == 0
    page.get_by_label("Quantity returned of line 1").fill("4")
    page.set_input_files(
        "#photos", files=[{"name": "bent.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.get_by_role("button", name="Send the return request").click()
    expect(page.locator(".flash-success")).to_contain_text("was sent to quality for inspection")
    expect(page.locator("h1")).to_contain_text(order.number)
    expect(page.get_by_role("link", name="bent.png")).to_be_visible()
    expect(page.locator("body")).to_contain_text("Quality inspection of the returned goods")
    page.goto(f"{live_server}/orders?returns=1")
    expect(page.get_by_role("link", name=order.number)).to_be_visible()


def test_complaint_and_return_form_in_chinese_on_a_phone(
    live_server, new_page, make_user, password
):
    order = delivered(make_user)
    phone = new_page(viewport=PHONE, locale="zh-CN")
    log_in(phone, live_server, make_user("sales"), password, lang="zh_CN")
    phone.goto(f"{live_server}/orders/{order.id}")
    phone.wait_for_load_state()
    phone.get_by_role("link", name=t("Record a complaint", "zh_CN")).click()
    phone.wait_for_load_state()
    assert_no_sideways_scroll(phone)
    phone.get_by_role("button", name=t("Record the complaint", "zh_CN")).click()
    expect(phone.locator("body")).to_contain_text(t("Choose what the complaint is about.", "zh_CN"))
    phone.select_option("#category", "delivery")
    phone.fill("#description", "两箱货物在运输中受潮")
    phone.get_by_role("button", name=t("Record the complaint", "zh_CN")).click()
    expect(phone.locator(".flash-success")).to_contain_text(
        t("The complaint was recorded; quality was told.", "zh_CN")
    )
    expect(phone.locator("#returns")).to_contain_text("两箱货物在运输中受潮")
    expect(phone.locator("#returns")).to_contain_text("共退货 0 次、投诉 1 次")
    assert_no_sideways_scroll(phone)
    assert db.session.scalar(db.select(db.func.count(Complaint.id))) == 1
    phone.get_by_role("link", name=t("Request a return", "zh_CN")).click()
    phone.wait_for_load_state()
    expect(phone.locator("h1")).to_contain_text(t("Return request", "zh_CN"))
    assert_no_sideways_scroll(phone)
    phone.get_by_label(t("Quantity returned of line %(n)s", "zh_CN", n=1)).fill("2")
    phone.select_option("#reason_category", "wrong_item")
    phone.fill("#reason", "规格不符")
    phone.get_by_label(t("Refund", "zh_CN")).check()
    phone.get_by_role("button", name=t("Send the return request", "zh_CN")).click()
    expect(phone.locator(".flash-success")).to_contain_text("品质部检验")
    assert_no_sideways_scroll(phone)
    found = db.session.scalar(db.select(ReturnRequest))
    assert (found.requested_outcome, str(found.lines[0].quantity.normalize())) == ("refund", "2")

"""Browser: the warehouse records a (partial) shipment, sales records the customer's signed
receipt; in English at desktop width and in Chinese on a 390 px phone."""

import pytest
from e2e_helpers import PHONE, assert_no_sideways_scroll, log_in, t
from playwright.sync_api import expect

from app.core import clock
from app.extensions import db
from app.modules.shipping.models import Shipment
from tests.shipping_helpers import PNG, two_line_order


@pytest.mark.parametrize(
    ("lang", "viewport"), [("en", None), ("zh_CN", PHONE)], ids=["en-desktop", "zh-phone"]
)
def test_warehouse_ships_part_then_sales_records_the_receipt(
    live_server, new_page, make_user, make_order, password, lang, viewport
):
    order = two_line_order(make_order, "production_complete", made=("100", "40"))
    args = {"viewport": viewport} if viewport else {}
    page = new_page(**args)
    log_in(page, live_server, make_user("warehouse"), password, lang=lang)
    page.wait_for_load_state()
    page.goto(f"{live_server}/orders/{order.id}")
    page.get_by_role("link", name=t("Record a shipment", lang)).click()
    first, second = order.lines
    # Too much on line 1 first: refused with the figures, what was typed kept.
    page.fill(f"#qty_{first.id}", "120")
    page.fill(f"#qty_{second.id}", "40")
    page.fill("#carrier", "顺丰 SF Express")
    page.fill("#tracking_number", "SF778899")
    page.get_by_role("button", name=t("Record the shipment", lang)).click()
    expect(page.locator(f"#qty_{first.id}-error")).to_be_visible()
    expect(page.locator(f"#qty_{second.id}")).to_have_value("40")
    if viewport:
        assert_no_sideways_scroll(page)
    page.fill(f"#qty_{first.id}", "60")
    page.get_by_role("button", name=t("Record the shipment", lang)).click()
    expect(page.locator(".flash-success")).to_contain_text(f"{order.number}-D1")
    expect(page.locator(".status-partly_shipped")).to_have_text(t("Partly shipped", lang))
    shipment = db.session.scalar(db.select(Shipment))
    assert [(row.order_line_id, row.quantity) for row in shipment.lines] == [
        (first.id, 60),
        (second.id, 40),
    ]
    pdf = page.request.get(f"{live_server}/shipments/{shipment.id}/delivery-note.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF-")

    sales = new_page(**args)
    log_in(sales, live_server, make_user("sales"), password, lang=lang)
    sales.wait_for_load_state()
    sales.goto(f"{live_server}/shipments/{shipment.id}")
    sales.fill("#receipt_signer", "王建国")
    sales.fill("#received_on", clock.today().isoformat())
    sales.set_input_files(
        "#receipt_file", {"name": "signed.png", "mimeType": "image/png", "buffer": PNG}
    )
    if viewport:
        assert_no_sideways_scroll(sales)
    sales.get_by_role("button", name=t("Record the receipt", lang)).click()
    expect(sales.locator(".flash-success")).to_contain_text(
        t("The customer's receipt was recorded.", lang)
    )
    expect(sales.locator("#receipt")).to_contain_text("王建国")
    sales.goto(f"{live_server}/orders/{order.id}")
    expect(sales.locator("#shipments")).to_contain_text(f"{order.number}-D1")
    expect(sales.locator("#shipments")).to_contain_text(
        t("Received on %(day)s", lang, day=clock.today().isoformat())
    )
    if viewport:
        assert_no_sideways_scroll(sales)
    db.session.expire_all()
    assert db.session.get(Shipment, shipment.id).is_received

"""Purchasing pages in a browser: components, a product's BOM, the stock ledger and its
adjustment form. Both languages; the phone width (390 px) in Chinese."""

import re
from datetime import timedelta

import pytest
from e2e_helpers import (
    LANG_BUTTON,
    assert_no_sideways_scroll,
    complete_task,
    log_in,
    t,
    untranslated,
    visible_texts,
)
from playwright.sync_api import expect

from app.core import clock
from app.extensions import db
from app.modules.orders.models import Product
from app.modules.orders.services.order_input import LineInput
from app.modules.purchasing.services import components, requirements, suppliers


@pytest.mark.parametrize(
    ("lang", "width"), [("zh_CN", 390), ("en", 1280)], ids=["zh_CN-390px", "en-desktop"]
)
def test_engineering_adds_a_component_and_gives_a_product_its_bom(
    lang, width, live_server, new_page, make_user, password
):
    product = Product(code="P-7", name="Bracket", unit="pcs")
    db.session.add(product)
    db.session.commit()
    page = new_page(viewport={"width": width, "height": 800})
    log_in(page, live_server, make_user("engineering"), password, lang)
    page.wait_for_load_state()
    page.goto(f"{live_server}/purchasing/components")
    page.wait_for_load_state()
    page.fill("#code", "x")
    page.fill("#name", "Steel sheet")
    page.fill("#unit", "kg")
    page.locator("button.primary").click()
    expect(page.locator("#code-error")).to_have_text(
        t("Use 2-40 capital letters, digits or dashes.", lang)
    )
    page.fill("#code", "st-1")
    page.locator("button.primary").click()
    expect(page.locator(".flash-success")).to_contain_text(
        t("Component %(code)s was added.", lang, code="ST-1")
    )
    assert_no_sideways_scroll(page)
    page.goto(f"{live_server}/catalogue/products/{product.id}")
    page.wait_for_load_state()
    page.locator("#bom a.button").click()
    page.wait_for_load_state()
    page.locator("select[name=component_id]").first.select_option(label="ST-1 Steel sheet (kg)")
    page.locator("input[name=quantity]").first.fill("2.5")
    page.locator("button.primary").click()
    expect(page.locator(".flash-success")).to_contain_text(
        t("The bill of materials was saved.", lang)
    )
    expect(page.locator("#bom")).to_contain_text("2.5 kg")
    assert_no_sideways_scroll(page)


@pytest.mark.parametrize(
    ("lang", "width"), [("zh_CN", 390), ("en", 1280)], ids=["zh_CN-390px", "en-desktop"]
)
def test_the_warehouse_adjusts_stock_with_a_reason_and_reads_the_ledger(
    lang, width, live_server, new_page, make_user, password
):
    steel = components.create_component(
        make_user("engineering"), components.ComponentInput("ST-2", "Steel bar", "m")
    )
    db.session.commit()
    keeper = make_user("warehouse", display_name="Wendy Warehouse")
    page = new_page(viewport={"width": width, "height": 800})
    log_in(page, live_server, keeper, password, lang)
    page.wait_for_load_state()
    page.goto(f"{live_server}/purchasing/stock")
    page.wait_for_load_state()
    page.locator("a", has_text="ST-2").click()
    page.wait_for_load_state()
    page.fill("#quantity", "12")
    page.locator("button.primary").click()
    page.wait_for_load_state()
    # The browser asks for the reason first (required); with one typed the server takes it.
    page.fill("#reason", "Opening count")
    page.locator("button.primary").click()
    expect(page.locator(".flash-success")).to_contain_text(
        t("The stock of %(code)s was adjusted.", lang, code="ST-2")
    )
    expect(page.locator("#on-hand")).to_have_text("12 m")
    expect(page.locator("table.ledger tbody tr").first).to_contain_text("Opening count")
    page.fill("#quantity", "-20")
    page.fill("#reason", "Lost")
    page.locator("button.primary").click()
    expect(page.locator("#quantity-error")).to_contain_text("12")
    expect(page.locator("#on-hand")).to_have_text("12 m")
    assert_no_sideways_scroll(page)
    data = [*LANG_BUTTON.values(), "ST-2", "Steel bar", "Opening count", "Lost", "Wendy Warehouse",
            keeper.username, "m", "OrderGate"]  # fmt: skip
    texts = [x for x in visible_texts(page) if not re.fullmatch(r"[\d\-:. ·—/,]+( m)?", x)]
    assert untranslated(texts, lang, data) == []
    assert steel.id


@pytest.mark.parametrize(
    ("lang", "width"), [("zh_CN", 390), ("en", 1280)], ids=["zh_CN-390px", "en-desktop"]
)
def test_purchasing_orders_the_shortage_the_warehouse_receives_and_quality_inspects(
    lang, width, live_server, new_page, make_user, make_order, password
):
    engineer = make_user("engineering")
    bolt = components.create_component(engineer, components.ComponentInput("BT-9", "Bolt", "pcs"))
    product = Product(code="P-8", name="Frame", unit="pcs")
    db.session.add(product)
    db.session.flush()
    components.set_product_bom(engineer, product.id, [(str(bolt.id), "4")])
    buyer = make_user("purchasing")
    suppliers.create_supplier(buyer, suppliers.SupplierInput("SUP-9", "Bolt House"))
    line = LineInput(product_id=str(product.id), quantity="5", unit_price="10")
    order = make_order(lines=[line], order_type="regular", promised_date="2027-03-05")
    order.status = "released"
    requirements.compute_for_order(order)  # 20 bolts short: one purchase request
    db.session.commit()
    expected = (clock.today() + timedelta(days=7)).isoformat()

    page = new_page(viewport={"width": width, "height": 800})
    log_in(page, live_server, buyer, password, lang)
    page.wait_for_load_state()
    page.goto(f"{live_server}/purchasing/requests")
    page.wait_for_load_state()
    page.locator("input[name=request_id]").check()
    page.locator("#supplier_id").select_option(label="SUP-9 Bolt House")
    page.fill(f"#price-{bolt.id}", "0.8")
    page.fill(f"#expected-{bolt.id}", expected)
    page.locator("button.primary").click()
    expect(page.locator(".flash-success")).to_contain_text("PO-")
    expect(page.locator("#po-status")).to_have_text(t("Approved", lang))
    assert_no_sideways_scroll(page)
    po_url = page.url

    keeper = make_user("warehouse")
    page2 = new_page(viewport={"width": width, "height": 800})
    log_in(page2, live_server, keeper, password, lang)
    page2.wait_for_load_state()
    page2.goto(po_url)
    page2.wait_for_load_state()
    form = page2.locator("form.receive")
    form.locator("input[type=number]").fill("12")
    form.locator("input[type=checkbox]").check()
    form.locator("button").click()
    expect(page2.locator(".flash-success")).to_contain_text(t("The receipt was recorded.", lang))
    expect(page2.locator("#po-status")).to_have_text(t("Partly received", lang))
    assert_no_sideways_scroll(page2)

    page3 = new_page(viewport={"width": width, "height": 800})
    log_in(page3, live_server, make_user("quality"), password, lang)
    page3.wait_for_load_state()
    page3.goto(po_url)
    page3.wait_for_load_state()
    inspect = page3.locator("form.inspect")
    inspect.locator("input[name$=accepted]").fill("10")
    inspect.locator("input[name$=rejected]").fill("2")
    inspect.locator("input[name$=reason]").fill("Bent threads")
    inspect.locator("button").click()
    expect(page3.locator(".flash-success")).to_contain_text(t("The inspection was recorded.", lang))
    expect(page3.locator("table.po-lines td.received")).to_have_text("10")
    page3.goto(f"{live_server}/orders/{order.id}")
    page3.wait_for_load_state()
    row = page3.locator("#material-requirements tr[data-component='BT-9']")
    expect(row).to_contain_text("20")
    expect(page3.locator("#material-requirements .material-status")).to_contain_text(
        t("Materials expected %(day)s", lang, day=expected)
    )
    assert_no_sideways_scroll(page3)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_purchasing_head_approves_a_purchase_order_above_50000(
    lang, live_server, new_page, make_user, make_order, password
):
    from app.modules.purchasing.services import buying

    engineer = make_user("engineering")
    plate = components.create_component(engineer, components.ComponentInput("PL-1", "Plate", "pcs"))
    product = Product(code="P-9", name="Housing", unit="pcs")
    db.session.add(product)
    db.session.flush()
    components.set_product_bom(engineer, product.id, [(str(plate.id), "1")])
    buyer = make_user("purchasing")
    supplier = suppliers.create_supplier(buyer, suppliers.SupplierInput("SUP-7", "Plate Works"))
    line = LineInput(product_id=str(product.id), quantity="100", unit_price="900")
    order = make_order(lines=[line], order_type="regular", promised_date="2027-03-05")
    order.status = "released"
    requirements.compute_for_order(order)
    day = (clock.today() + timedelta(days=5)).isoformat()
    ids = [str(r.id) for r in buying.open_requests()]
    po = buying.create_purchase_order(
        buyer, str(supplier.id), ids, {plate.id: buying.LineTerms("600", day)}
    )  # 100 x 600 = 60,000.00: the purchasing head approves
    db.session.commit()
    assert po.status == "pending_approval"
    page = new_page(viewport={"width": 390, "height": 800})
    log_in(page, live_server, make_user("purchasing", role="head"), password, lang)
    page.wait_for_load_state()
    page.goto(f"{live_server}/inbox")
    page.wait_for_load_state()
    page.locator("#inbox-rows tr", has_text=po.number).locator("a").first.click()
    expect(page.locator("form.taskform")).to_be_visible()
    expect(page.locator("table.po-lines")).to_contain_text("PL-1")
    assert_no_sideways_scroll(page)
    complete_task(page, {"decision": "approve"})
    page.goto(f"{live_server}/purchasing/orders/{po.id}")
    expect(page.locator("#po-status")).to_have_text(t("Approved", lang))

"""Order pages in the browser: the list and its filters, the detail page with its lines, open
steps, timeline and process diagram, and the new-order form's errors."""

import re

import pytest
from e2e_helpers import PHONE, assert_no_sideways_scroll, customer, log_in, place_order, product, t
from playwright.sync_api import Page, expect

from app.core.tasks import instance_admin
from app.extensions import db
from app.modules.orders.models import Order


def rows(page: Page):
    return page.locator("table.grid tbody tr")


def test_order_list_filters_by_status_customer_and_waiting_department(
    live_server, page, make_user, complete, password
):
    sales = make_user("sales")
    waiting_sales = place_order(sales, "ACME")
    waiting_pmc = place_order(sales, "ACME")
    complete(waiting_pmc, "confirm_order")
    cancelled = place_order(sales, "Beta Works")
    instance_admin.cancel_instance(cancelled.instances[-1].id, sales, "customer withdrew")
    db.session.commit()

    log_in(page, live_server, sales, password)
    page.get_by_role("link", name="Orders", exact=True).click()
    expect(rows(page)).to_have_count(3)
    row = rows(page).filter(has_text=waiting_sales.number)
    expect(row).to_contain_text("ACME")
    expect(row).to_contain_text("New")
    expect(row.locator(".status")).to_have_text("In review")

    page.select_option("#status", label="Cancelled")
    page.get_by_role("button", name="Filter").click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text(cancelled.number)
    expect(rows(page).first.locator(".status")).to_have_text("Cancelled")
    expect(page.locator("#status")).to_have_value("cancelled")  # the filter is kept

    page.select_option("#status", label="Any")
    page.wait_for_load_state()  # htmx (a deferred script) listens before the first key
    page.locator("#customer").press_sequentially("acm")  # suggestions: names containing it
    expect(page.locator("#customer-options option")).to_have_count(1)
    expect(page.locator("#customer-options option")).to_have_attribute("value", "ACME")
    page.fill("#customer", "ACME")
    page.get_by_role("button", name="Filter").click()
    expect(rows(page)).to_have_count(2)
    expect(page.locator("table.grid tbody")).not_to_contain_text(cancelled.number)
    expect(page.locator("#customer")).to_have_value("ACME")  # the filter is kept
    acme = page.url
    page.goto(acme)  # the filtered list is a bookmark
    page.wait_for_load_state()
    expect(rows(page)).to_have_count(2)

    page.fill("#customer", "")
    page.select_option("#waiting", label="PMC")
    page.get_by_role("button", name="Filter").click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text(waiting_pmc.number)

    page.select_option("#waiting", label="Sales")
    page.get_by_role("button", name="Filter").click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text(waiting_sales.number)

    page.select_option("#waiting", label="Quality")
    page.get_by_role("button", name="Filter").click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_have_text("No orders match.")


DETAIL = {
    "en": {
        "open": [
            "Production review · Production",
            "Quality review · Quality",
            "Warehouse review · Warehouse",
        ],
        "answers": [
            ("Product parameters and requirements", "IP65 sealing"),
            ("Reviews due by", "2026-12-31"),
            ("Technical risk", "Low"),
            ("Decision", "Approve"),
        ],
        "status": "In review",
        "timeline": [
            "Confirm order details · Sally Sales",
            "Dispatch order for review",
            "Engineering review",
        ],
    },
    "zh_CN": {
        "open": ["生产部评审 · 生产部", "品质部评审 · 品质部", "仓储部评审 · 仓储部"],
        "answers": [
            ("产品参数及要求", "IP65 sealing"),
            ("评审截止日期", "2026-12-31"),
            ("技术风险", "低"),
            ("评审结论", "通过"),
        ],
        "status": "评审中",
        "timeline": ["确认订单信息 · Sally Sales", "分派订单评审", "技术部评审"],
    },
}


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_order_detail_shows_lines_open_steps_timeline_and_diagram(
    lang, live_server, page, make_user, complete, password
):
    sales = make_user("sales", display_name="Sally Sales")
    order = place_order(sales, "ACME", customer_po="PO-4711")
    complete(order, "confirm_order", {"requirements": "IP65 sealing"}, user=sales)
    complete(order, "pmc_dispatch", {"review_due": "2026-12-31"})
    complete(order, "review_engineering", {"decision": "approve", "technical_risk": "low"})
    expected = DETAIL[lang]

    log_in(page, live_server, make_user("quality"), password, lang)
    page.goto(f"{live_server}/orders/{order.id}")
    summary = page.locator("section.card").first
    expect(summary.locator("h2")).to_contain_text(order.number)
    expect(summary.locator("h2 .status")).to_have_text(expected["status"])
    expect(summary).to_contain_text("PO-4711")
    line = summary.locator("table.grid tbody tr", has_text="P-100 Steel flange")
    expect(line).to_have_count(1)
    expect(line.locator("td").first).to_have_text("1")
    expect(line.get_by_role("cell", name="10 pcs", exact=True)).to_have_count(1)  # not "1E+1"
    # Quality reads quantities and specifications, not prices (docs/ACCESS.md).
    expect(line.get_by_role("cell", name="CNY 2.50", exact=True)).to_have_count(0)
    expect(summary).not_to_contain_text("2.50")

    open_steps = page.locator(".open-tasks li")
    expect(open_steps).to_have_count(3)
    for text in expected["open"]:
        expect(open_steps.filter(has_text=text)).to_have_count(1)
    open_steps.first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/tasks/\d+$"))
    page.go_back()

    timeline = page.locator(".timeline > li")
    expect(timeline).to_have_count(3)
    for index, text in enumerate(expected["timeline"]):
        expect(timeline.nth(index)).to_contain_text(text)
    for label, value in expected["answers"]:
        answer = page.locator(".timeline dt", has_text=label).locator(
            "xpath=following-sibling::dd[1]"
        )
        expect(answer).to_have_text(value)

    viewer = page.locator("[data-bpmn-viewer]")
    expect(viewer).to_have_class(re.compile(r"\bog-bpmn-ready\b"))
    for done in ("confirm_order", "pmc_dispatch", "review_engineering"):
        expect(viewer.locator(f"[data-element-id={done}].og-done")).to_be_visible()
    for current in ("review_production", "review_quality", "review_warehouse"):
        expect(viewer.locator(f"[data-element-id={current}].og-current")).to_be_visible()
    later = viewer.locator("[data-element-id=pmc_consolidate]")
    expect(later).to_be_visible()
    expect(later).not_to_have_class(re.compile(r"og-(done|current)"))
    expect(viewer.locator(".og-done")).to_have_count(3)
    expect(viewer.locator(".og-current")).to_have_count(3)
    watermark = viewer.locator("a.bjs-powered-by")
    expect(watermark).to_be_visible()
    expect(watermark).to_have_attribute("href", re.compile(r"^https?://bpmn\.io"))


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_new_order_with_bad_quantity_shows_the_error_and_keeps_the_input(
    lang, live_server, page, make_user, password
):
    customer("ACME")
    customer("Beta Works")
    product("P-100", "Steel flange")
    product("P-200", "Alu housing")
    sales = make_user("sales")
    before = db.session.scalar(db.select(db.func.count()).select_from(Order))

    log_in(page, live_server, sales, password, lang)
    page.get_by_role("link", name=t("New order", lang), exact=True).click()
    page.select_option("#customer_id", label="Beta Works")
    page.fill("#customer_po", "PO-77")
    page.select_option("#order_type", "new")
    page.fill("#notes", "Rush, two shipments")
    page.select_option("select[name='lines-0-product_id']", label="P-100 Steel flange")
    page.fill("input[name='lines-0-quantity']", "12.0005")
    page.fill("input[name='lines-0-unit_price']", "9.5")
    page.select_option("select[name='lines-1-product_id']", label="P-200 Alu housing")
    page.fill("input[name='lines-1-quantity']", "4")
    page.locator("form.card button[type=submit]").click()

    expect(page.get_by_role("alert")).to_have_text(t("Please correct the errors below.", lang))
    expect(page.locator("#lines-0-quantity-error")).to_have_text(
        t("Use at most %(n)s decimal places.", lang, n=3)
    )
    expect(page.locator("#lines-1-quantity-error")).to_have_count(0)
    expect(page.locator("#customer_id option:checked")).to_have_text("Beta Works")
    expect(page.locator("#customer_po")).to_have_value("PO-77")
    expect(page.locator("#order_type")).to_have_value("new")
    expect(page.locator("#notes")).to_have_value("Rush, two shipments")
    expect(page.locator("select[name='lines-0-product_id'] option:checked")).to_have_text(
        "P-100 Steel flange"
    )
    expect(page.locator("input[name='lines-0-quantity']")).to_have_value("12.0005")
    expect(page.locator("input[name='lines-0-unit_price']")).to_have_value("9.5")
    expect(page.locator("select[name='lines-1-product_id'] option:checked")).to_have_text(
        "P-200 Alu housing"
    )
    expect(page.locator("input[name='lines-1-quantity']")).to_have_value("4")
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Order)) == before

    page.fill("input[name='lines-0-quantity']", "12")
    page.locator("form.card button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+$"))
    expect(page.locator(".flash-success")).to_be_visible()


def test_rows_are_added_and_removed_at_phone_width(live_server, page, make_user, password):
    customer("ACME")
    product("P-100", "Steel flange")
    sales = make_user("sales")
    page.set_viewport_size({"width": 375, "height": 740})
    log_in(page, live_server, sales, password)
    page.goto(f"{live_server}/orders/new")
    lines = page.locator("fieldset.line")
    expect(lines).to_have_count(3)
    add = page.get_by_role("button", name="Add a line")
    for _ in range(5):
        add.click()
    expect(lines).to_have_count(8)
    lines.nth(1).get_by_role("button", name="Remove this line").click()
    expect(lines).to_have_count(7)
    expect(lines.nth(6).locator("legend")).to_have_text("Line 7")
    page.select_option("#customer_id", label="ACME")
    page.select_option("#order_type", "regular")
    for n in range(7):
        row = lines.nth(n)
        row.locator("select[name$='-product_id']").select_option(label="P-100 Steel flange")
        row.locator("input[name$='-quantity']").fill(str(n + 1))
    # Nothing of the form reaches past the screen (the header's own navigation is not part of it).
    wide = page.evaluate(
        "Array.from(document.querySelectorAll('form.card, form.card *'))"
        ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
        ".map(e => e.tagName + ' ' + (e.name || e.className))"
    )
    assert wide == [], f"wider than the phone: {wide[:10]}"
    page.locator("form.card button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+$"))
    db.session.rollback()
    order = db.session.scalar(db.select(Order).order_by(Order.id.desc()))
    assert [line.quantity for line in order.lines] == list(range(1, 8))


def test_order_list_customer_field_on_a_phone_in_chinese(
    live_server, new_page, make_user, password
):
    sales = make_user("sales")
    beta = place_order(sales, "Beta Works")
    place_order(sales, "ACME")
    page = new_page(locale="zh-CN", viewport=PHONE)
    log_in(page, live_server, sales, password, lang="zh_CN")
    page.goto(f"{live_server}/orders?customer={beta.customer_id}")  # an older bookmark: the id
    page.wait_for_load_state()
    expect(page.locator("#customer")).to_have_value("Beta Works")
    expect(rows(page)).to_have_count(1)
    page.fill("#customer", "")
    page.locator("#customer").press_sequentially("Nobody")
    expect(page.locator("#customer-options option")).to_have_count(0)
    page.get_by_role("button", name=t("Filter", "zh_CN")).click()
    page.wait_for_load_state()
    message = t(
        "No customer is named “%(name)s”: choose a name from the suggestions.",
        "zh_CN",
        name="Nobody",
    )
    expect(page.locator("[data-customer-unknown]")).to_have_text(message)
    expect(rows(page)).to_have_count(1)  # the "no orders match" row
    assert_no_sideways_scroll(page)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_order_list_pages_keep_the_filter(
    lang, live_server, page, make_user, plan_world, password, monkeypatch
):
    from app.modules.orders.services import orders as order_service

    monkeypatch.setattr(order_service, "ORDER_PAGE_SIZE", 2)  # three pages of five orders
    for n in range(1, 6):
        plan_world.order(f"SO-PG-{n}", 5, "2027-04-01")
    plan_world.order("SO-OTHER-1", 5, "2027-04-01")
    log_in(page, live_server, make_user("sales"), password, lang=lang)
    page.goto(f"{live_server}/orders")
    page.wait_for_load_state()
    page.fill("#q", "SO-PG")
    page.get_by_role("button", name=t("Filter", lang)).click()
    expect(page.locator("[data-order-total]")).to_have_text(t("%(n)s orders in all", lang, n=5))
    expect(rows(page)).to_have_count(2)
    expect(rows(page).first).to_contain_text("SO-PG-5")
    pager = page.locator("[data-order-pager]").first
    expect(pager.locator(".pager-status")).to_have_text(
        t("Page %(n)s of %(pages)s", lang, n=1, pages=3)
    )
    pager.get_by_role("link", name=t("Next", lang)).click()
    page.wait_for_load_state()
    expect(rows(page)).to_have_count(2)
    expect(rows(page).first).to_contain_text("SO-PG-3")
    expect(page.locator("#q")).to_have_value("SO-PG")  # the filter is kept
    page.locator("[data-order-pager]").last.get_by_role("link", name=t("Next", lang)).click()
    page.wait_for_load_state()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("SO-PG-1")
    expect(page.locator("table.grid tbody")).not_to_contain_text("SO-OTHER-1")

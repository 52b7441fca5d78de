"""List pages that grew with history, paged (issue 14), in a browser: the filter is kept from
page to page, the total is shown, both languages, the phone width (390 px) in Chinese."""

import pytest
from e2e_helpers import assert_no_sideways_scroll, log_in, t
from playwright.sync_api import expect

from app.extensions import db
from tests.web.test_purchase_order_list import _placed

WIDTHS = pytest.mark.parametrize(
    ("lang", "width"), [("zh_CN", 390), ("en", 1280)], ids=["zh_CN-390px", "en-desktop"]
)


def _rows(page):
    return page.locator("table.grid tbody tr")


@WIDTHS
def test_purchase_orders_page_by_page_keep_the_status(
    lang, width, live_server, new_page, make_user, password, monkeypatch
):
    from app.modules.purchasing.services import po_listing

    monkeypatch.setattr(po_listing, "PAGE_SIZE", 2)  # three pages of five approved orders
    _placed("A", 5)
    _placed("R", 1, status="received")
    page = new_page(viewport={"width": width, "height": 800})
    log_in(page, live_server, make_user("purchasing"), password, lang)
    page.goto(f"{live_server}/purchasing/orders")
    page.wait_for_load_state()
    page.locator("#status").select_option("approved")
    page.get_by_role("button", name=t("Show", lang)).click()
    page.wait_for_load_state()
    total = t("%(n)s purchase orders in all", lang, n=5)
    expect(page.locator("[data-po-total]")).to_have_text(total)
    expect(_rows(page)).to_have_count(2)
    expect(_rows(page).first).to_contain_text("PO-A-5")
    pager = page.locator("[data-po-pager]").first
    expect(pager.locator(".pager-status")).to_have_text(
        t("Page %(n)s of %(pages)s", lang, n=1, pages=3)
    )
    assert_no_sideways_scroll(page)
    pager.get_by_role("link", name=t("Next", lang)).click()
    page.wait_for_load_state()
    expect(_rows(page).first).to_contain_text("PO-A-3")
    expect(page.locator("#status")).to_have_value("approved")  # the filter is kept
    page.locator("[data-po-pager]").last.get_by_role("link", name=t("Next", lang)).click()
    page.wait_for_load_state()
    expect(_rows(page)).to_have_count(1)
    expect(_rows(page).first).to_contain_text("PO-A-1")
    page.fill("#q", "PO-R")
    page.get_by_role("button", name=t("Show", lang)).click()
    page.wait_for_load_state()
    expect(page.locator("#status")).to_have_value("approved")
    expect(_rows(page)).to_have_text([t("No purchase orders match.", lang)])
    assert_no_sideways_scroll(page)


@WIDTHS
@pytest.mark.parametrize("noun", ["customers", "products"])
def test_catalogue_lists_page_by_page_keep_the_search(
    noun, lang, width, live_server, new_page, make_user, password, monkeypatch
):
    from app.modules.orders.services import catalogue_listing
    from tests.web.test_catalogue_list_pages import _customers, _products

    monkeypatch.setattr(catalogue_listing, "PAGE_SIZE", 2)
    make, found = (_customers, "Cust") if noun == "customers" else (_products, "P-")
    make(f"{found}A" if noun == "customers" else "PA", 3)
    make(f"{found}B" if noun == "customers" else "PB", 1)
    page = new_page(viewport={"width": width, "height": 800})
    log_in(page, live_server, make_user("engineering"), password, lang)
    page.goto(f"{live_server}/catalogue/{noun}")
    page.wait_for_load_state()
    page.fill("#q", "CustA" if noun == "customers" else "PA-")
    page.get_by_role("button", name=t("Search", lang)).click()
    page.wait_for_load_state()
    total = t(f"%(n)s {noun} in all", lang, n=3)
    expect(page.locator(f"[data-{noun[:-1]}-total]")).to_have_text(total)
    table = page.locator("table.grid").first
    expect(table.locator("tbody tr")).to_have_count(2)
    assert_no_sideways_scroll(page)
    page.locator(f"[data-{noun[:-1]}-pager]").first.get_by_role(
        "link", name=t("Next", lang)
    ).click()
    page.wait_for_load_state()
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody tr").first).to_contain_text("03")
    expect(page.locator("#q")).to_have_value("CustA" if noun == "customers" else "PA-")
    assert_no_sideways_scroll(page)


@WIDTHS
def test_returns_page_each_list_by_itself(
    lang, width, live_server, new_page, make_user, password, monkeypatch
):
    from app.modules.returns.services import reading
    from tests.web.test_return_list_pages import _history

    monkeypatch.setattr(reading, "PAGE_SIZE", 2)
    sales = make_user("sales")
    _history(sales, "Acme", 3)
    _history(sales, "Other", 1)
    page = new_page(viewport={"width": width, "height": 800})
    log_in(page, live_server, sales, password, lang)
    page.goto(f"{live_server}/returns")
    page.wait_for_load_state()
    page.fill("#customer", "Acme")
    page.get_by_role("button", name=t("Filter", lang)).click()
    page.wait_for_load_state()
    expect(page.locator("[data-return-total]")).to_have_text(t("%(n)s returns in all", lang, n=3))
    tables = page.locator("section.card table tbody")
    returns, complaints = tables.nth(0), tables.nth(1)
    expect(complaints.locator("tr")).to_have_count(2)
    assert_no_sideways_scroll(page)
    page.locator("[data-complaint-pager]").get_by_role("link", name=t("Next", lang)).click()
    page.wait_for_load_state()
    expect(complaints.locator("tr")).to_have_count(1)
    expect(complaints.locator("tr")).to_contain_text("Late Acme 1")
    expect(returns.locator("tr")).to_have_count(2)  # the returns list stays on its first page
    expect(page.locator("#customer")).to_have_value("Acme")
    page.locator("[data-return-pager]").get_by_role("link", name=t("Next", lang)).click()
    page.wait_for_load_state()
    expect(returns.locator("tr")).to_have_count(1)
    expect(complaints.locator("tr")).to_have_count(1)  # and the complaints list on its second
    assert_no_sideways_scroll(page)


@WIDTHS
def test_quotations_page_by_page_keep_the_customer(
    lang, width, live_server, new_page, make_user, password, monkeypatch
):
    from app.modules.orders.models import Customer
    from app.modules.quotations.services import reading
    from tests.quotations_helpers import QuoteWorld

    monkeypatch.setattr(reading, "PAGE_SIZE", 2)
    world = QuoteWorld(make_user)
    other = Customer(name="Other Ltd")
    db.session.add(other)
    db.session.commit()
    made = [world.quote(world.line(world.p100, "1", "100")).number for _ in range(3)]
    world.quote(world.line(world.p100, "1", "100"), customer_id=other.id)
    page = new_page(viewport={"width": width, "height": 800})
    log_in(page, live_server, world.sales_head, password, lang)
    page.goto(f"{live_server}/quotations/")
    page.wait_for_load_state()
    page.fill("#customer", "Huadong")
    page.get_by_role("button", name=t("Filter", lang)).click()
    page.wait_for_load_state()
    expect(page.locator("[data-quotation-total]")).to_have_text(
        t("%(n)s quotations in all", lang, n=3)
    )
    expect(_rows(page)).to_have_count(2)
    expect(_rows(page).first).to_contain_text(made[2])
    assert_no_sideways_scroll(page)
    page.locator("[data-quotation-pager]").first.get_by_role("link", name=t("Next", lang)).click()
    page.wait_for_load_state()
    expect(_rows(page)).to_have_count(1)
    expect(_rows(page).first).to_contain_text(made[0])
    expect(page.locator("#customer")).to_have_value("Huadong")  # the filter is kept
    assert_no_sideways_scroll(page)


@WIDTHS
def test_rush_requests_page_by_page_keep_the_status(
    lang, width, live_server, new_page, make_user, password, plan_world, monkeypatch
):
    from app.modules.rush.services import reading
    from tests.web.test_rush_list_pages import _rushed

    monkeypatch.setattr(reading, "PAGE_SIZE", 2)
    head = make_user("sales", role="head")
    _rushed(plan_world, head, "A", 3)
    _rushed(plan_world, head, "R", 1, status="rejected")
    page = new_page(viewport={"width": width, "height": 800})
    log_in(page, live_server, head, password, lang)
    page.goto(f"{live_server}/rush")
    page.wait_for_load_state()
    page.locator("#status").select_option("applied")
    page.get_by_role("button", name=t("Filter", lang)).click()
    page.wait_for_load_state()
    expect(page.locator("[data-rush-total]")).to_have_text(
        t("%(n)s rush requests in all", lang, n=3)
    )
    listed = page.locator("table.grid").first.locator("tbody tr")
    expect(listed).to_have_count(2)
    assert_no_sideways_scroll(page)
    page.locator("[data-rush-pager]").first.get_by_role("link", name=t("Next", lang)).click()
    page.wait_for_load_state()
    expect(listed).to_have_count(1)
    expect(listed.first).to_contain_text("SO-A-1")
    expect(page.locator("#status")).to_have_value("applied")
    assert_no_sideways_scroll(page)


@WIDTHS
def test_close_outs_page_by_page_keep_the_status(
    lang, width, live_server, new_page, make_user, password, plan_world, monkeypatch
):
    from app.modules.closeout.services import reading
    from tests.web.test_closeout_list import _closed

    monkeypatch.setattr(reading, "PAGE", 2)  # three pages of five closed orders' close-outs
    _closed(plan_world, "C", 5)
    _closed(plan_world, "O", 1, status="open")
    page = new_page(viewport={"width": width, "height": 800})
    log_in(page, live_server, make_user("finance"), password, lang)
    page.goto(f"{live_server}/closeout/")
    page.wait_for_load_state()
    page.locator("#status").select_option("closed")
    page.get_by_role("button", name=t("Filter", lang)).click()
    page.wait_for_load_state()
    expect(page.locator("[data-closeout-total]")).to_have_text(
        t("%(n)s close-outs in all", lang, n=5)
    )
    rows = page.locator("tr[data-closeout]")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("SO-C-5")
    assert_no_sideways_scroll(page)
    page.locator("[data-closeout-pager]").get_by_role("link", name=t("Next", lang)).click()
    page.wait_for_load_state()
    expect(rows.first).to_contain_text("SO-C-3")
    expect(page.locator("#status")).to_have_value("closed")  # the filter is kept
    expect(page.locator("[data-closeout-pager] .pager-status")).to_have_text(
        t("Page %(n)s of %(pages)s", lang, n=2, pages=3)
    )
    assert_no_sideways_scroll(page)

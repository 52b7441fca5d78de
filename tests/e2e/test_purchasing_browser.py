"""Purchasing pages in a browser: components, a product's BOM, the stock ledger and its
adjustment form. Both languages; the phone width (390 px) in Chinese."""

import re

import pytest
from e2e_helpers import LANG_BUTTON, log_in, t, untranslated, visible_texts
from playwright.sync_api import expect

from app.extensions import db
from app.modules.orders.models import Product


def _fits(page, width: int) -> None:
    page.wait_for_load_state()
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"page is {scroll} px wide at {width} px"


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
    _fits(page, width)
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
    _fits(page, width)


@pytest.mark.parametrize(
    ("lang", "width"), [("zh_CN", 390), ("en", 1280)], ids=["zh_CN-390px", "en-desktop"]
)
def test_the_warehouse_adjusts_stock_with_a_reason_and_reads_the_ledger(
    lang, width, live_server, new_page, make_user, password
):
    from app.modules.purchasing.services import components

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
    _fits(page, width)
    data = [*LANG_BUTTON.values(), "ST-2", "Steel bar", "Opening count", "Lost", "Wendy Warehouse",
            keeper.username, "m", "OrderGate"]  # fmt: skip
    texts = [x for x in visible_texts(page) if not re.fullmatch(r"[\d\-:. ·—/,]+( m)?", x)]
    assert untranslated(texts, lang, data) == []
    assert steel.id

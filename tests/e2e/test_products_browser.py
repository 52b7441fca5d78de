"""Standardisation asks the new product's line rates (prefilled from the estimate); engineering
edits a product and its rates and reads the history. Both languages; the edit at 390 px too."""

import re

import pytest
from e2e_helpers import (
    LANG_BUTTON,
    complete_task,
    log_in,
    open_task,
    t,
    untranslated,
    visible_texts,
)
from playwright.sync_api import expect

from app.extensions import db
from app.modules.orders.models import Product, ProductionLine


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_standardisation_asks_the_rates_prefilled_from_the_estimate(
    lang, live_server, new_page, make_user, password, released_order
):
    line = db.session.scalar(db.select(ProductionLine).where(ProductionLine.code == "L1"))
    page = new_page()
    log_in(page, live_server, make_user("engineering"), password, lang)
    page.wait_for_load_state()
    open_task(page, live_server, released_order.number)
    rates = page.locator("form.taskform fieldset.rates")
    expect(rates.locator("legend")).to_have_text(t("Hours per unit on each line", lang))
    rate = rates.locator(f"input[name='rate-{line.id}']")
    expect(rate).to_have_value("1.5")  # the estimate the plan uses: 1.5 h/unit on L1
    values = {"make_standard": True, "code": "BR-9", "name": "Bracket BR-9", "standard_cost": "2"}
    rate.fill("")
    for name, value in values.items():
        field = page.locator(f"form.taskform [name='{name}']")
        field.check() if value is True else field.fill(value)
    page.locator("form.taskform button[type=submit]").click()
    expect(page.locator("fieldset.rates .field-error")).to_contain_text(
        t(
            "Give the hours per unit on at least one line: without it the product cannot be"
            " planned.",
            lang,
        )
    )
    page.locator(f"form.taskform input[name='rate-{line.id}']").fill("1.4")
    complete_task(page, {})
    page.goto(f"{live_server}/catalogue/products")
    page.locator("tr[data-product='BR-9'] a").click()
    expect(page.locator("table.rates tr[data-rate='L1']")).to_contain_text("1.4")
    expect(page.locator("ol.product-history li[data-change='create']")).to_contain_text(
        f"{released_order.number} #1"
    )


@pytest.mark.parametrize(
    ("lang", "width"), [("zh_CN", 390), ("en", 1280)], ids=["zh_CN-390px", "en-desktop"]
)
def test_engineering_edits_a_product_and_reads_its_history(
    lang, width, live_server, new_page, make_user, password
):
    l1, l2 = ProductionLine(code="L1", name="Line 1"), ProductionLine(code="L2", name="Line 2")
    product = Product(code="P-9", name="Board", unit="pcs", standard_cost=5)
    db.session.add_all([l1, l2, product])
    db.session.commit()
    engineer = make_user("engineering", display_name="Erik Engineer")
    page = new_page(viewport={"width": width, "height": 800})
    log_in(page, live_server, engineer, password, lang)
    page.wait_for_load_state()
    page.goto(f"{live_server}/catalogue/products/{product.id}")
    expect(page.locator("table.rates")).to_contain_text(
        t("No line can make this product yet: it cannot be planned.", lang)
    )
    form = page.locator("form.product-edit")
    form.locator(f"input[name='rate-{l2.id}']").fill("0.5")
    form.locator("button[type=submit]").click()
    expect(form.locator("#reason-error")).to_have_text(t("Say why the product changes.", lang))
    page.locator("form.product-edit input[name='name']").fill("Board v2")
    page.locator("form.product-edit textarea[name='reason']").fill("Measured on batch 1")
    page.locator("form.product-edit button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text(
        t("Product %(code)s was changed.", lang, code="P-9")
    )
    expect(page.locator("h1")).to_have_text("P-9 Board v2")
    entry = page.locator("ol.product-history li[data-change='edit']")
    expect(entry).to_contain_text("Erik Engineer")
    expect(entry).to_contain_text("Measured on batch 1")
    row = entry.locator("tr", has_text=t("Hours per unit on %(line)s", lang, line="L2"))
    expect(row.locator("td").nth(1)).to_have_text("—")
    expect(row.locator("td").nth(2)).to_have_text("0.5")
    # Nothing overflows the phone's width: the page does not scroll sideways.
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"page is {scroll} px wide at {width} px"
    assert re.search(r"\d{4}-\d{2}-\d{2}", entry.inner_text())  # when
    data = [*LANG_BUTTON.values(), "P-9", "Board v2", "Board", "Erik Engineer", engineer.username,
            "Measured on batch 1", "L1", "L2", "Line 1", "Line 2", "pcs", "OrderGate"]  # fmt: skip
    texts = [x for x in visible_texts(page) if not re.fullmatch(r"[\d\-:. ·—/]+", x)]
    assert untranslated(texts, lang, data) == []

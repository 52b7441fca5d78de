"""Send back (退回) and comments in the browser, at desktop width in English and on a 390 px
phone in Chinese: PMC sends the dispatch back to sales with a reason, sales reads it on the
task, answers with a comment that @mentions PMC and attaches a file, and the order's timeline
shows it."""

import re

import pytest
from e2e_helpers import PHONE, assert_no_sideways_scroll, log_in, t
from playwright.sync_api import expect

from app.extensions import db
from tests.conftest import open_task

DESKTOP = {"width": 1280, "height": 900}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize(
    ("lang", "viewport"), [("en", DESKTOP), ("zh_CN", PHONE)], ids=["desktop", "phone"]
)
def test_send_back_with_a_reason_then_comment_with_a_mention_and_a_file(
    live_server, new_page, make_user, make_order, complete, password, tmp_path, lang, viewport
):
    order = make_order()
    sales = make_user("sales", username="mei.sales", display_name="Mei Sales")
    confirmed = complete(order, "confirm_order", user=sales)
    pmc = make_user("pmc", username="li.pmc", display_name="Li PMC")
    dispatch = open_task(order, "pmc_dispatch")
    db.session.commit()
    locale = "zh-CN" if lang == "zh_CN" else "en-US"

    page = new_page(locale=locale, viewport=viewport)
    log_in(page, live_server, pmc, password, lang=lang)
    page.goto(f"{live_server}/tasks/{dispatch.id}")
    page.locator("#sendback summary").click()
    page.select_option("#sendback-target", str(confirmed.id))
    assert_no_sideways_scroll(page)
    page.fill("#sendback-reason", "Packaging is unclear, please ask the customer")
    page.locator("#sendback button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/inbox"))
    expect(page.locator(".flash-success").first).to_contain_text(
        t("Sent back to “%(step)s”.", lang, step=confirmed.display_name(lang))
    )

    page = new_page(locale=locale, viewport=viewport)
    log_in(page, live_server, sales, password, lang=lang)
    page.goto(f"{live_server}/tasks/{confirmed.id}")
    reason = page.locator(".sent-back")
    expect(reason).to_contain_text("Packaging is unclear, please ask the customer")
    expect(reason).to_contain_text("Li PMC")
    assert_no_sideways_scroll(page)

    attachment = tmp_path / "packaging.pdf"
    attachment.write_bytes(PDF)
    page.fill("#comment-body", "@li.pmc the customer confirmed carton packaging")
    page.set_input_files("#comment-files", str(attachment))
    page.locator("#comments button[type=submit]").click()
    notes = page.locator("#comments .notes")
    expect(notes).to_contain_text("the customer confirmed carton packaging")
    expect(notes.get_by_role("link", name="packaging.pdf")).to_be_visible()
    assert_no_sideways_scroll(page)

    page.goto(f"{live_server}/orders/{order.id}")
    expect(page.locator(".notes")).to_contain_text("the customer confirmed carton packaging")
    expect(page.locator(".notes")).to_contain_text("Packaging is unclear")
    assert_no_sideways_scroll(page)

    page = new_page(locale=locale, viewport=viewport)
    log_in(page, live_server, pmc, password, lang=lang)
    page.goto(f"{live_server}/notifications")
    mention = t(
        "%(by)s mentioned you on “%(step)s”.",
        lang,
        by="Mei Sales",
        step=confirmed.name_zh if lang == "zh_CN" and confirmed.name_zh else confirmed.name,
    )
    expect(page.locator("main")).to_contain_text(mention)

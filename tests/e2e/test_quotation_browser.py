"""Browser: the quotation editor in English on a desktop and in Chinese on a 390 px phone — a
line priced below the minimum margin is flagged as it is typed (htmx), saved, and fixed."""

from datetime import timedelta

from e2e_helpers import log_in, t
from playwright.sync_api import expect

from app.core import clock
from app.extensions import db
from app.modules.quotations.models import Quotation
from tests.quotations_helpers import QuoteWorld

PHONE = {"width": 390, "height": 844}


def no_overflow(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than the window"


def test_the_editor_flags_a_low_margin_in_english(live_server, page, make_user, password):
    world = QuoteWorld(make_user)
    log_in(page, live_server, world.sales, password)
    page.goto(f"{live_server}/quotations/new")
    page.wait_for_load_state()
    page.select_option("#customer_id", str(world.customer.id))
    page.fill("#payment_terms", "30 days net")
    page.fill("#valid_until", (clock.today() + timedelta(days=30)).isoformat())
    page.select_option("#lines-0-product_id", str(world.p100.id))
    page.fill("#lines-0-quantity", "10")
    page.fill("#lines-0-unit_price", "90")
    page.locator("#lines-0-unit_price").dispatch_event("change")
    figures = page.locator("#figures")
    expect(figures).to_contain_text("The margin 11.11 % is below the minimum of 15 %.")
    expect(figures).to_contain_text("standard cost")
    page.get_by_role("button", name="Save the quotation").click()
    page.wait_for_load_state()
    expect(page.locator(".flash-success")).to_contain_text("was saved")
    expect(page.locator("body")).to_contain_text("The margin 11.11 % is below the minimum")
    found = db.session.scalar(db.select(Quotation))
    assert found.flagged and found.lines[0].margin_pct is not None


def test_the_editor_in_chinese_on_a_phone(live_server, new_page, make_user, password):
    world = QuoteWorld(make_user)
    found = world.quote(world.line(world.p100, "10", "90"))
    phone = new_page(viewport=PHONE, locale="zh-CN")
    log_in(phone, live_server, world.sales, password, lang="zh_CN")
    phone.goto(f"{live_server}/quotations/{found.id}/edit")
    phone.wait_for_load_state()
    figures = phone.locator("#figures")
    low = t("The margin %(margin)s %% is below the minimum of %(minimum)s %%.", "zh_CN",
            margin="11.11", minimum="15")  # fmt: skip
    expect(figures).to_contain_text(low)
    no_overflow(phone)
    phone.fill("#lines-0-unit_price", "100")
    phone.locator("#lines-0-unit_price").dispatch_event("change")
    expect(figures).not_to_contain_text(low)
    expect(figures).to_contain_text("20.00 %")
    phone.get_by_role("button", name=t("Save the quotation", "zh_CN")).click()
    phone.wait_for_load_state()
    expect(phone.locator(".flash-success")).to_contain_text(found.number)
    no_overflow(phone)
    db.session.expire_all()
    assert not db.session.get(Quotation, found.id).flagged


def test_list_detail_and_acceptance_in_chinese_on_a_phone(
    live_server, new_page, make_user, password
):
    world = QuoteWorld(make_user)
    found = world.quote(world.line(world.p100, "10", "100"), world.line(None, "2", "500"))
    phone = new_page(viewport=PHONE, locale="zh-CN")
    log_in(phone, live_server, world.sales, password, lang="zh_CN")
    phone.goto(f"{live_server}/quotations/")
    phone.wait_for_load_state()
    expect(phone.get_by_role("link", name=found.number)).to_be_visible()
    no_overflow(phone)
    phone.get_by_role("link", name=found.number).click()
    phone.wait_for_load_state()
    no_overflow(phone)
    phone.get_by_role("button", name=t("Send to the customer", "zh_CN")).click()
    phone.wait_for_load_state()
    expect(phone.locator(".flash-success")).to_contain_text(found.number)
    phone.get_by_role("button", name=t("Record the acceptance", "zh_CN")).click()
    phone.wait_for_load_state()
    expect(phone.locator("body")).to_contain_text(
        t("Give the name of who signed for the customer.", "zh_CN")
    )
    no_overflow(phone)
    db.session.expire_all()
    assert db.session.get(Quotation, found.id).status == "sent"

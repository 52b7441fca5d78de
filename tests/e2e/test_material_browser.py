"""Browser: PMC sets an order's material date on the order page (with a reason), the schedule's
chart shows the wait as its own bar in words and colour, the legend explains it, and PMC removes
the date again (a confirmation first) — in both languages, at phone width (issue 13).

PlanWorld: lines L1 and L2 of 8 h a day; the factory's today is Monday 2027-03-01."""

from datetime import datetime

import pytest
from e2e_helpers import assert_no_sideways_scroll, log_in, t
from playwright.sync_api import expect

from tests.clocks import SHANGHAI
from tests.e2e.test_gantt_browser import drawn

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_pmc_holds_an_order_for_its_materials_and_the_chart_says_so(
    live_server, new_page, make_user, plan_world, password, fake_clock, lang
):
    fake_clock.set(datetime(2027, 3, 1, 9, 0, tzinfo=SHANGHAI))
    held = plan_world.order("SO-MAT-A", 16, "2027-03-20")
    plan_world.order("SO-MAT-B", 8, "2027-03-25")
    page = new_page(viewport=PHONE)
    log_in(page, live_server, make_user("pmc"), password, lang=lang)
    page.goto(f"{live_server}/orders/{held.id}")
    page.wait_for_load_state()
    card = page.locator("[data-materials]")
    expect(card).to_contain_text(t("Materials: not known yet", lang))
    page.fill("#material_ready_on", "2027-03-03")
    page.fill("#material_reason", "Coil on Wednesday's truck")
    card.get_by_role("button", name=t("Set the material date", lang)).click()
    page.wait_for_load_state()
    card = page.locator("[data-materials]")
    expect(card).to_contain_text(t("Materials expected by %(date)s", lang, date="2027-03-03"))
    expect(card.locator("[data-material-override]")).to_contain_text("Coil on Wednesday's truck")
    expect(card.locator("[data-material-waits]")).to_be_visible()
    assert_no_sideways_scroll(page)

    page.goto(f"{live_server}/schedule")
    page.wait_for_load_state()
    chart = drawn(page, "plan")
    waiting = chart.locator(".bar-wrapper.og-waiting")
    expect(waiting).to_have_count(1)
    word = "waiting for material" if lang == "en" else "待料"
    expect(waiting.locator(".bar-label")).to_contain_text(word)
    expect(page.locator("[data-gantt-legend]")).to_contain_text(word)
    expect(page.locator("tr[data-order='SO-MAT-A'] [data-waits]")).to_contain_text("2027-03-03")
    assert_no_sideways_scroll(page)

    page.goto(f"{live_server}/orders/{held.id}")
    page.wait_for_load_state()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=t("Remove the override", lang)).click()
    page.wait_for_load_state()
    expect(page.locator("[data-materials]")).to_contain_text(t("Materials: not known yet", lang))
    page.goto(f"{live_server}/schedule")
    page.wait_for_load_state()
    expect(drawn(page, "plan").locator(".bar-wrapper.og-waiting")).to_have_count(0)

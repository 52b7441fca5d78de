"""Browser: the Gantt opens on the orders that matter, marks slipped and late ones in words as
well as colour, and draws "today" on the factory's date (issue 16), in both languages and at
390 px. The factory's clock is 00:30 on Monday 1 March 2027 in Shanghai; the browser is in
Los Angeles, where it is still 08:30 on Sunday 28 February."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from e2e_helpers import log_in, t
from playwright.sync_api import expect

from app.modules.schedule.services import plan
from tests.clocks import SHANGHAI
from tests.web.test_gantt_window import late_three_months_out

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
PHONE = {"width": 390, "height": 844}


def browser_in_los_angeles(new_page, fake_clock, viewport=None):
    """A page whose clock and time zone are Los Angeles's at the factory's 00:30."""
    moment = fake_clock.set(datetime(2027, 3, 1, 0, 30, tzinfo=SHANGHAI))
    extra = {"viewport": viewport} if viewport else {}
    page = new_page(timezone_id="America/Los_Angeles", **extra)
    page.clock.set_fixed_time(moment.astimezone(LOS_ANGELES))
    assert page.evaluate("new Date().getDate()") == 28  # the browser's today is the 28th
    return page


def drawn(page, name: str):
    """The chart `data-gantt=name`, once the bundle has drawn it."""
    found = page.locator(f"[data-gantt='{name}']")
    expect(found).to_have_attribute("data-gantt-ready", "1")
    return found


def box_of(locator) -> dict:
    box = locator.bounding_box()
    assert box, "not rendered"
    return box


def assert_in_view(chart, bar) -> None:
    """`bar` lies inside the part of the chart's scrolling box that shows, without scrolling."""
    view, shown = box_of(chart.locator(".gantt-container")), box_of(bar.locator(".bar"))
    assert view["x"] - 1 <= shown["x"], (view, shown)
    assert shown["x"] + shown["width"] <= view["x"] + view["width"] + 1, (view, shown)


def assert_today_on_the_first(chart, first_day_bar) -> None:
    """The today marker says 2027-03-01 and stands in the first day of a bar starting then."""
    marker = chart.locator(".og-today")
    expect(marker).to_have_count(1)
    expect(marker).to_have_attribute("data-today", "2027-03-01")
    line, bar = box_of(marker), box_of(first_day_bar.locator(".bar"))
    days = 2  # the bar is two working days long: 1 and 2 March
    assert bar["x"] <= line["x"] <= bar["x"] + bar["width"] / days, (line, bar)


def preview_rush(page, base: str) -> None:
    """On the rush request page, compute the impact of rushing SO-R onto L1."""
    rushed = next(o for o in plan.current().orders.values() if o.number == "SO-R")
    page.goto(f"{base}/rush/new?order_id={rushed.id}")
    page.wait_for_load_state()
    page.fill("#required_by", "2027-03-03")
    page.select_option("#line_code", "L1")
    page.fill("#reason", "VIP")
    page.locator("button[name=action][value=preview]").click()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_rush_preview_opens_on_the_late_orders_three_months_out(
    live_server, new_page, make_user, plan_world, password, fake_clock, lang
):
    late_three_months_out(plan_world)
    page = browser_in_los_angeles(new_page, fake_clock)
    log_in(page, live_server, make_user("sales"), password, lang=lang)
    preview_rush(page, live_server)
    after = drawn(page, "after")
    expect(after).to_have_attribute("data-gantt-today", "2027-03-01")
    late = after.locator(".bar-wrapper.og-late")
    expect(late).to_have_count(2)  # SO-A and SO-B, finishing in May
    for i in range(2):
        assert_in_view(after, late.nth(i))
    assert_in_view(after, after.locator(".bar-wrapper.og-rush"))
    assert_today_on_the_first(after, after.locator(".bar-wrapper.og-rush"))
    # The marks in words, not colour alone, and the legend saying what they mean.
    word = t("late", lang) if lang == "en" else "逾期"
    expect(late.first.locator(".bar-label")).to_contain_text(word)
    legend = page.locator("[data-gantt-legend]")
    expect(legend).to_contain_text(
        "finishes after the promised delivery date" if lang == "en" else "完工晚于承诺交期"
    )
    expect(legend).to_contain_text("2027-03-01")
    # The view buttons still widen and narrow it: the Day view is wider than the box.
    view = after.get_attribute("data-gantt-view")
    assert view in ("Week", "Month")
    after.locator("button[data-view=Day]").click()
    expect(after).to_have_attribute("data-gantt-view", "Day")
    container = after.locator(".gantt-container")
    assert container.evaluate("el => el.scrollWidth > el.clientWidth")
    assert_today_on_the_first(after, after.locator(".bar-wrapper.og-rush"))


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_schedule_at_phone_width_scrolls_inside_its_box(
    live_server, new_page, make_user, plan_world, password, fake_clock, lang
):
    plan_world.order("SO-A", 16, "2027-03-01")  # late: finishes on the 2nd
    plan_world.order("SO-B", 400, "2027-12-31")
    plan_world.order("SO-Z", 4000, "2029-12-31", rates={"L2": "1"})  # two years of work
    page = browser_in_los_angeles(new_page, fake_clock, viewport=PHONE)
    log_in(page, live_server, make_user("pmc"), password, lang=lang)
    page.goto(f"{live_server}/schedule")
    chart = drawn(page, "plan")
    late = chart.locator(".bar-wrapper.og-late")
    expect(late).to_have_count(1)
    assert_in_view(chart, late)
    assert_today_on_the_first(chart, late)
    expect(page.locator("[data-gantt-legend]")).to_contain_text(
        "factory’s time zone" if lang == "en" else "工厂时区"
    )
    # The chart scrolls inside its box; the page itself is not wider than the phone.
    assert chart.locator(".gantt-container").evaluate("el => el.scrollWidth > el.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_rush_preview_at_phone_width(
    live_server, new_page, make_user, plan_world, password, fake_clock
):
    late_three_months_out(plan_world)
    page = browser_in_los_angeles(new_page, fake_clock, viewport=PHONE)
    log_in(page, live_server, make_user("sales"), password, lang="zh_CN")
    preview_rush(page, live_server)
    for name in ("before", "after"):
        chart = drawn(page, name)
        expect(chart).to_have_attribute("data-gantt-window", "2027-02-27/2027-06-06")
        assert_in_view(chart, chart.locator(".bar-wrapper", has_text="SO-B"))
    late = drawn(page, "after").locator(".bar-wrapper.og-late")
    expect(late.nth(1).locator(".bar-label")).to_contain_text("逾期")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

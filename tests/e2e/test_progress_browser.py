"""Browser: production reports progress (English, desktop) and corrects it as the head; PMC
reads the late orders page (Chinese, on a 390 px phone) and opens a late order's progress.

The factory date is Monday 2027-03-01 and lines L1/L2 work 8 h a day (`plan_world`).
"""

from e2e_helpers import PHONE, assert_no_sideways_scroll, log_in, t
from playwright.sync_api import expect

from app.extensions import db
from app.modules.fulfilment.models import ProgressReport


def test_progress_is_reported_refused_and_corrected_in_english(
    live_server, new_page, make_user, plan_world, password
):
    order = plan_world.order("SO-E-1", 100, "2027-06-30")
    page = new_page()
    log_in(page, live_server, make_user("production"), password)
    page.goto(f"{live_server}/orders/{order.id}")
    page.wait_for_load_state()
    page.get_by_role("link", name="Report production progress").click()
    form = page.locator("form[data-report-line='1']")
    form.get_by_label("Step reached").select_option("cutting")
    form.get_by_label("Quantity done in total").fill("150")
    form.get_by_role("button", name="Report").click()
    expect(page.locator("form[data-report-line='1'] .field-error")).to_have_text(
        "Enter a number between 0 and 100."
    )
    form = page.locator("form[data-report-line='1']")
    form.get_by_label("Quantity done in total").fill("40")
    form.get_by_role("button", name="Report").click()
    expect(page.locator(".flash-success")).to_contain_text("Progress reported.")
    line = page.locator("[data-progress] tr[data-line='1']")
    expect(line.locator("[data-done]")).to_have_text("40 / 100 (40%)")
    expect(line.locator("[data-remaining]")).to_have_text("60.00")
    expect(line.locator("li[data-step='cutting']")).to_contain_text("reached")

    head = new_page()
    log_in(head, live_server, make_user("production", role="head"), password)
    head.goto(f"{live_server}/orders/{order.id}/progress")
    head.wait_for_load_state()
    report_id = db.session.scalar(db.select(ProgressReport.id))
    correct = head.locator(f"form[data-correct='{report_id}']")
    correct.get_by_label("Corrected total").fill("30")
    correct.get_by_label("Reason").fill("Ten pieces failed the cut check")
    correct.get_by_role("button", name="Correct").click()
    expect(head.locator(".flash-success")).to_contain_text("The report was corrected.")
    expect(head.locator("tr[data-correction]")).to_contain_text("Ten pieces failed the cut check")
    expect(head.locator("[data-progress] tr[data-line='1'] [data-remaining]")).to_have_text("70.00")


def test_late_orders_on_a_phone_in_chinese(
    live_server, new_page, make_user, plan_world, password, monkeypatch
):
    from app.modules.fulfilment import views as fulfilment_views

    monkeypatch.setattr(fulfilment_views, "LATE_PAGE_SIZE", 1)  # two pages of one late order
    late = plan_world.order("SO-E-LATE", 24, "2027-03-02")  # three days of work, due day two
    plan_world.order("SO-E-LATER", 24, "2027-03-03")  # placed after it: late, finishing later
    plan_world.order("SO-E-FINE", 8, "2027-04-30")
    page = new_page(locale="zh-CN", viewport=PHONE)
    log_in(page, live_server, make_user("pmc"), password, lang="zh_CN")
    page.goto(f"{live_server}/late-orders")
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text(t("Late orders", "zh_CN"))
    expect(page.locator("[data-late-count='late'] strong")).to_have_text("2")
    expect(page.locator("tr[data-order]")).to_have_count(1)
    expect(page.locator("tr[data-order='SO-E-LATER']")).to_have_count(0)
    assert_no_sideways_scroll(page)
    page.locator("[data-late-pager]").first.get_by_role("link", name=t("Next", "zh_CN")).click()
    page.wait_for_load_state()
    expect(page.locator("tr[data-order='SO-E-LATER'] [data-late='late']")).to_be_visible()
    expect(page.locator("tr[data-order]")).to_have_count(1)
    assert_no_sideways_scroll(page)
    page.locator("[data-late-pager]").first.get_by_role("link", name=t("Previous", "zh_CN")).click()
    page.wait_for_load_state()
    row = page.locator("tr[data-order='SO-E-LATE']")
    label = t("Will miss the promised date", "zh_CN")
    expect(row.locator("[data-late='late']")).to_have_text(label)
    expect(page.locator("tr[data-order='SO-E-FINE']")).to_have_count(0)
    assert_no_sideways_scroll(page)
    row.get_by_role("link", name="SO-E-LATE").click()
    expect(page.locator("[data-progress]")).to_contain_text(t("Production progress", "zh_CN"))
    assert page.url.endswith(f"/orders/{late.id}")
    assert_no_sideways_scroll(page)


def test_progress_reported_in_chinese_on_a_phone(
    live_server, new_page, make_user, plan_world, password
):
    order = plan_world.order("SO-E-ZH", 20, "2027-06-30")
    page = new_page(locale="zh-CN", viewport=PHONE)
    log_in(page, live_server, make_user("production"), password, lang="zh_CN")
    page.goto(f"{live_server}/orders/{order.id}/progress")
    page.wait_for_load_state()
    form = page.locator("form[data-report-line='1']")
    form.get_by_label(t("Step reached", "zh_CN")).select_option("assembly")
    form.get_by_label(t("Quantity done in total", "zh_CN")).fill("abc")
    form.get_by_role("button", name=t("Report", "zh_CN")).click()
    error = page.locator("form[data-report-line='1'] .field-error")
    expect(error).to_have_text(
        t("Enter a number between %(low)s and %(high)s.", "zh_CN", low="0", high="20")
    )
    form = page.locator("form[data-report-line='1']")
    form.get_by_label(t("Quantity done in total", "zh_CN")).fill("5")
    form.get_by_role("button", name=t("Report", "zh_CN")).click()
    expect(page.locator(".flash-success")).to_contain_text(t("Progress reported.", "zh_CN"))
    expect(page.locator("[data-progress] tr[data-line='1'] [data-done]")).to_have_text(
        "5 / 20 (25%)"
    )
    assert_no_sideways_scroll(page)


def test_late_orders_in_english(live_server, new_page, make_user, plan_world, password):
    plan_world.order("SO-E-RISK", 8, "2027-03-02")  # Monday's work, promised Tuesday: at risk
    page = new_page()
    log_in(page, live_server, make_user("management", role="head"), password)
    page.get_by_role("link", name="Late orders").click()
    row = page.locator("tr[data-order='SO-E-RISK']")
    expect(row.locator("[data-late='at_risk']")).to_have_text("At risk")
    expect(row.locator("td").nth(7)).to_have_text("1")

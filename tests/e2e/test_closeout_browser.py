"""Browser: finance costs a delivered order on its close-out task, the finance head approves it
with the figures in view, and the product's cost history shows it — in both languages, on a
390 px phone (tests/closeout_world.py: L1 at 40.00 + 25.00 CNY/h, P-100 standard cost 12.3456)."""

from decimal import Decimal

import pytest
from e2e_helpers import PHONE, assert_no_sideways_scroll, complete_task, log_in, t
from playwright.sync_api import expect

from app.extensions import db
from app.modules.closeout.services import process
from tests.closeout_world import CloseoutWorld


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_close_out_task_approval_and_cost_history(live_server, new_page, make_user, password, lang):
    world = CloseoutWorld(make_user)
    order = world.started(world.catalogue("100", "18.50"))
    item = order.lines[0]
    costing = world.task(order, "closeout_costing")

    page = new_page(viewport=PHONE)
    log_in(page, live_server, make_user("finance"), password, lang=lang)
    page.wait_for_load_state()
    page.goto(f"{live_server}/tasks/{costing.id}")
    expect(page.get_by_text(t("Actual costs per line (CNY)", lang))).to_be_visible()
    assert_no_sideways_scroll(page)
    k = f"co-{item.id}-"
    # A typo is refused in the reader's language and nothing is stored.
    page.locator(f"[name='{k}labour_hours']").fill("8,5h")
    page.locator(f"[name='{k}material']").fill("620.40")
    page.locator(f"[name='{k}machine_hours']").fill("6.25")
    page.locator("form.taskform button[type=submit]").click()
    expect(page.locator(".field-error").first).to_contain_text(
        t("Enter a number between %(low)s and %(high)s.", lang, low="0", high="1,000,000")
    )
    assert process.closeout_of(order.id).costed_at is None
    assert_no_sideways_scroll(page)
    complete_task(page, {k + "labour_hours": "8.5", k + "other": "15"})
    db.session.expire_all()
    assert process.closeout_of(order.id).actual_cost == Decimal("1131.65")

    approval = world.task(order, "closeout_approval_finance")
    head = new_page(viewport=PHONE)
    log_in(head, live_server, make_user("finance", role="head"), password, lang=lang)
    head.wait_for_load_state()
    head.goto(f"{live_server}/tasks/{approval.id}")
    figures = head.locator(".closeout-figures")
    expect(figures).to_contain_text(t("Close-out figures", lang))
    expect(figures).to_contain_text("1,131.65")
    expect(figures).to_contain_text("38.83%")
    assert_no_sideways_scroll(head)
    complete_task(head, {"decision": "approve"})
    db.session.expire_all()
    assert process.closeout_of(order.id).status == "closed"

    manager = new_page(viewport=PHONE)
    log_in(manager, live_server, make_user("management"), password, lang=lang)
    manager.wait_for_load_state()
    manager.goto(f"{live_server}/orders/{order.id}")
    expect(manager.locator(".closeout-figures")).to_contain_text("718.35")
    assert_no_sideways_scroll(manager)
    manager.goto(f"{live_server}/catalogue/products/{world.product.id}")
    history = manager.locator(".cost-history")
    expect(history.locator("h2")).to_contain_text(t("Cost history", lang))
    expect(history).to_contain_text(t("Latest actual unit cost", lang))
    expect(history).to_contain_text("11.32")  # 1131.65 / 100 per unit
    expect(history).to_contain_text("38.83%")
    expect(history).to_contain_text(order.number)
    assert_no_sideways_scroll(manager)


def test_finance_sets_a_line_rate_in_chinese_on_a_phone(live_server, new_page, make_user, password):
    world = CloseoutWorld(make_user)
    page = new_page(viewport=PHONE)
    log_in(page, live_server, make_user("finance"), password, lang="zh_CN")
    page.wait_for_load_state()
    page.goto(f"{live_server}/closeout/rates")
    expect(page.locator("h1")).to_have_text(t("Cost rates", "zh_CN"))
    assert_no_sideways_scroll(page)
    page.select_option("#line_id", str(world.l2.id))
    page.fill("#labour_rate", "61.5")
    page.fill("#machine_rate", "abc")
    page.fill("#valid_from", "2026-07-01")
    page.get_by_role("button", name=t("Save the rates", "zh_CN")).click()
    expect(page.locator("#machine_rate-error")).to_contain_text("请输入")
    page.fill("#machine_rate", "33")
    page.get_by_role("button", name=t("Save the rates", "zh_CN")).click()
    expect(page.locator(".flash-success")).to_contain_text(t("The rates were saved.", "zh_CN"))
    expect(page.locator("table").last).to_contain_text("61.50")
    assert_no_sideways_scroll(page)

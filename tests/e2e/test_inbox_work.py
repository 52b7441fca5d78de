"""The inbox a department head lives in, in the browser, at desktop and at phone width (390 px):
search in Chinese, sort, paging, a saved view, bulk approve; and a task page with its form and
the approvals page without anything reaching past a phone's screen."""

import re

import pytest
from e2e_helpers import log_in, place_order
from playwright.sync_api import Page, expect

from app.core.tasks import inbox
from app.core.tasks.models import HumanTask
from app.extensions import db
from app.modules.changes.services import changes
from app.modules.orders.services import subject as order_subject
from tests.scenarios.test_change_requests import draft
from tests.services.test_inbox_bulk import open_tasks

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
# What reaches past the right edge of the window outside a container that scrolls sideways on
# its own (a wide table in its box): the page itself must not scroll sideways.
TOO_WIDE_JS = """
() => {
  const scrolls = (e) => {
    for (let p = e.parentElement; p; p = p.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const wide = Array.from(document.querySelectorAll('body *'))
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !scrolls(e))
    .map(e => e.tagName + '.' + e.className);
  if (document.documentElement.scrollWidth > window.innerWidth + 1) wide.push('page');
  return wide;
}
"""
# Links of the menus drawn taller than two lines (the "one character per line" wrap).
SQUEEZED_JS = """
() => Array.from(document.querySelectorAll('.mainnav a, .deptnav a, .inbox-groups a'))
  .filter(a => a.getBoundingClientRect().height > 2.2 * parseFloat(getComputedStyle(a).lineHeight))
  .map(a => a.textContent.trim())
"""


def rows(page: Page):
    return page.locator("#inbox-rows tr")


def fits(page: Page) -> None:
    """Nothing reaches past the window and no menu entry is squeezed into a column."""
    # After a link's navigation the rows can be in the DOM before app.css has applied; measured
    # then, the unstyled table is wider than a phone. "load" waits for the stylesheets.
    page.wait_for_load_state()
    assert page.evaluate(TOO_WIDE_JS) == []
    assert page.evaluate(SQUEEZED_JS) == []


@pytest.mark.parametrize("width", list(WIDTHS))
def test_search_in_chinese_sort_and_page(live_server, new_page, make_user, password, width):
    sales = make_user("sales")
    numbers = [place_order(sales, "ACME").number for _ in range(12)]
    page = new_page(viewport=WIDTHS[width])
    log_in(page, live_server, sales, password, lang="zh_CN")
    fits(page)

    page.select_option("#size", "10")
    expect(rows(page)).to_have_count(10)
    page.locator("#q").press_sequentially("确认")
    expect(page.locator(".pager-status")).to_have_text("第 1–10 条，共 12 条")
    expect(rows(page).first).to_contain_text("确认订单信息")
    expect(page).to_have_url(re.compile(r"q=%E7%A1%AE%E8%AE%A4"))

    page.select_option("#sort", "reference")
    page.select_option("#dir", "desc")
    expect(rows(page).first).to_contain_text(max(numbers))
    page.locator(".pager a[rel=next]").click()
    expect(rows(page)).to_have_count(2)
    page.wait_for_load_state()  # a new page: htmx (deferred) must listen before the keys
    expect(page.locator(".pager-status")).to_have_text("第 11–12 条，共 12 条")
    expect(rows(page).last).to_contain_text(min(numbers))
    fits(page)

    if width == "desktop":  # the column headers sort too (hidden on a phone: cards)
        page.locator("th a[data-sort=reference]").click()
        expect(page.locator("th[aria-sort=ascending] a[data-sort=reference]")).to_be_visible()
        expect(rows(page).first).to_contain_text(min(numbers))
        page.wait_for_load_state()  # the header's link loaded a new page: let htmx listen first
    page.locator("#q").fill("")
    page.locator("#q").press_sequentially("没有这个")
    expect(rows(page).first).to_have_text("暂无待办任务。")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_saved_view_reopens_its_filters(live_server, new_page, make_user, password, width):
    sales = make_user("sales")
    late = place_order(sales, "Beta Works")
    place_order(sales, "ACME")
    page = new_page(viewport=WIDTHS[width])
    log_in(page, live_server, sales, password)
    page.wait_for_load_state()  # htmx (a deferred script) listens before the first key
    page.locator("#customer").press_sequentially("beta")
    expect(rows(page)).to_have_count(1)
    page.fill("#view-name", "Beta orders")
    page.get_by_role("button", name="Save view").click()
    expect(page.locator(".flash-success")).to_have_text("Saved the view “Beta orders”.")

    page.goto(f"{live_server}/inbox")
    expect(rows(page)).to_have_count(2)
    page.locator(".saved-views a.view", has_text="Beta orders").click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text(late.number)
    expect(page.locator("#customer")).to_have_value("beta")
    fits(page)

    page.get_by_text("Manage views").click()
    page.get_by_role("button", name="Delete the view Beta orders").click()
    expect(page.locator(".flash-success")).to_have_text("The view was deleted.")
    expect(page.locator(".saved-views a.view")).to_have_count(0)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_bulk_approve_reports_each_task(live_server, new_page, make_user, password, width):
    member = make_user("sales", display_name="Mia Member")
    colleague = make_user("sales", display_name="Bo Li")
    first, claimed, third = open_tasks(3, member)
    inbox.claim(claimed.id, colleague)
    db.session.commit()
    page = new_page(viewport=WIDTHS[width])
    log_in(page, live_server, member, password)
    expect(page.get_by_role("button", name="Approve selected")).to_have_count(0)
    page.select_option("#step", "approve")
    expect(page.get_by_role("button", name="Approve selected")).to_be_visible()
    for task in (first, claimed, third):
        page.locator(f"input[name=task_id][value='{task.id}']").check()
    fits(page)
    page.get_by_role("button", name="Approve selected").click()

    expect(page.locator("h1")).to_have_text("Bulk approve")
    expect(page.locator(".flash")).to_have_text("2 done, 1 refused.")
    expect(page.locator(f"tr[data-task-id='{first.id}']")).to_contain_text("Approved")
    expect(page.locator(f"tr[data-task-id='{claimed.id}']")).to_contain_text("Bo Li")
    expect(page.locator(f"tr[data-task-id='{third.id}']")).to_contain_text("Approved")
    fits(page)
    page.get_by_role("link", name="Back to the inbox").click()
    expect(rows(page)).to_have_count(1)  # only the refused one is left
    expect(rows(page).first).to_contain_text("Bo Li")


def test_a_task_and_its_form_fit_a_phone(live_server, new_page, make_user, password, complete):
    sales = make_user("sales")
    order = place_order(sales, "ACME")
    complete(order, "confirm_order")
    complete(order, "pmc_dispatch", {"priority": "urgent", "priority_note": "Key customer"})
    page = new_page(viewport=WIDTHS["phone"])
    log_in(page, live_server, make_user("engineering"), password)
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Urgent")
    rows(page).first.locator("a").first.click()
    expect(page.locator("form.taskform")).to_be_visible()
    expect(page.locator(".dispatch")).to_contain_text("Key customer")
    facts = page.locator(".subject-facts").bounding_box()
    form = page.locator("form.taskform").bounding_box()
    assert facts["y"] < form["y"]  # the key facts come before the form on a phone
    fits(page)


def test_the_approvals_page_fits_a_phone(
    live_server, new_page, make_user, password, released_order, complete
):
    order = released_order
    changes.raise_change(
        make_user("sales"),
        order.id,
        draft(order, quantity="11"),
        "customer_request",
        "One more unit",
        "",
    )
    db.session.commit()
    for step in db.session.scalars(
        db.select(HumanTask.spec_name).where(
            order_subject.about_order(HumanTask, order.id),
            HumanTask.state == "ready",
            HumanTask.spec_name.like("change_review_%"),
        )
    ).all():
        complete(order, step, {"opinion": "approve", "delivery_impact_days": "0"})
    page = new_page(viewport=WIDTHS["phone"])
    log_in(page, live_server, make_user("sales", role="head"), password)
    page.goto(f"{live_server}/approvals")
    card = page.locator("section.approval", has_text=order.number)
    expect(card.locator("input[value=approve]")).to_be_visible()
    fits(page)

"""The department inbox and a task page in the browser: filters (htmx, no reload), claiming and
giving back, a head assigning, the department counts, and another department's read-only view."""

import re

from e2e_helpers import log_in, place_order
from playwright.sync_api import Page, expect

from app.core.tasks import inbox
from app.extensions import db


def inbox_rows(page: Page):
    return page.locator("#inbox-rows tr")


def test_inbox_filters_update_the_rows_without_a_reload(
    live_server, page, make_user, task_of, password
):
    me = make_user("sales", display_name="Mia Chen")
    colleague = make_user("sales", display_name="Bo Li")
    mine = place_order(me, "ACME")
    theirs = place_order(me, "ACME")
    free = place_order(me, "Beta Works")
    inbox.claim(task_of(mine, "confirm_order").id, me)
    inbox.claim(task_of(theirs, "confirm_order").id, colleague)
    db.session.commit()

    log_in(page, live_server, me, password)
    expect(page.locator("h1")).to_have_text("Inbox: Sales")
    expect(inbox_rows(page)).to_have_count(3)
    expect(inbox_rows(page).filter(has_text=theirs.number)).to_contain_text("Bo Li")
    page.evaluate("window.ogNoReload = true")  # lost if the page were loaded again

    page.get_by_label("Claimed by").select_option(label="Me")
    expect(inbox_rows(page)).to_have_count(1)
    expect(inbox_rows(page).first).to_contain_text(mine.number)
    expect(inbox_rows(page).first).to_contain_text("Mia Chen")
    expect(page).to_have_url(re.compile(r"claimed=me"))  # the filter is in the address

    page.get_by_label("Claimed by").select_option(label="Nobody")
    expect(inbox_rows(page)).to_have_count(1)
    expect(inbox_rows(page).first).to_contain_text(free.number)
    expect(inbox_rows(page).first).to_contain_text("Beta Works")

    page.get_by_label("Claimed by").select_option(label="Anyone")
    expect(inbox_rows(page)).to_have_count(3)
    page.locator("#q").press_sequentially("beta")
    expect(inbox_rows(page)).to_have_count(1)
    expect(inbox_rows(page).first).to_contain_text(free.number)
    page.locator("#q").fill("")
    page.locator("#q").press_sequentially(theirs.number)
    expect(inbox_rows(page)).to_have_count(1)
    expect(inbox_rows(page).first).to_contain_text(theirs.number)
    page.locator("#q").press_sequentially("-nothing")
    expect(inbox_rows(page)).to_have_count(1)
    expect(inbox_rows(page).first).to_have_text("No open tasks here.")
    assert page.evaluate("window.ogNoReload") is True


def test_claim_and_give_back_from_the_task_page(live_server, page, make_user, password):
    me = make_user("sales", display_name="Mia Chen")
    order = place_order(me, "ACME")

    log_in(page, live_server, me, password)
    inbox_rows(page).filter(has_text=order.number).get_by_role("link").first.click()
    expect(page.locator("h1")).to_have_text(f"Confirm order details · {order.number}")
    expect(page.locator("#assignee")).to_have_text("—")

    page.get_by_role("button", name="Claim").click()
    expect(page.locator(".flash-success")).to_have_text("You claimed this task.")
    expect(page.locator("#assignee")).to_have_text("Mia Chen")
    expect(page.get_by_role("button", name="Claim")).to_have_count(0)

    page.get_by_role("button", name="Give back").click()
    expect(page.locator(".flash-success")).to_have_text(
        "The task is back in the department's inbox."
    )
    expect(page.locator("#assignee")).to_have_text("—")
    expect(page.get_by_role("button", name="Give back")).to_have_count(0)
    expect(page.get_by_role("button", name="Claim")).to_be_visible()
    expect(page.locator("form.taskform button[type=submit]")).to_be_visible()


def test_department_head_assigns_a_task_to_a_member(
    live_server, new_page, make_user, task_of, password
):
    head = make_user("sales", role="head", display_name="Hana Head")
    member = make_user("sales", display_name="Mia Chen")
    make_user("quality", display_name="Quinn Quality")  # another department: not offered
    order = place_order(member, "ACME")
    task = task_of(order, "confirm_order")

    page = new_page()
    log_in(page, live_server, head, password)
    page.goto(f"{live_server}/tasks/{task.id}")
    choices = page.locator("#assignee_id option")
    expect(choices).to_have_text(["Hana Head", "Mia Chen"])
    page.select_option("#assignee_id", label="Mia Chen")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator(".flash-success")).to_have_text("Assigned to Mia Chen.")
    expect(page.locator("#assignee")).to_have_text("Mia Chen")
    expect(page.get_by_role("button", name="Give back")).to_be_visible()  # a head may take it back

    theirs = new_page()
    log_in(theirs, live_server, member, password)
    theirs.get_by_label("Claimed by").select_option(label="Me")
    expect(inbox_rows(theirs)).to_have_count(1)
    expect(inbox_rows(theirs).first).to_contain_text(order.number)
    expect(inbox_rows(theirs).first).to_contain_text("Mia Chen")


def test_navigation_shows_open_tasks_per_department(
    live_server, page, make_user, complete, password
):
    sales = make_user("sales")
    first = place_order(sales, "ACME")
    place_order(sales, "ACME")
    complete(first, "confirm_order")

    log_in(page, live_server, make_user("quality"), password)
    nav = page.locator("nav.deptnav")
    expect(nav.locator("a[data-dept=sales] .count")).to_have_text("1")
    expect(nav.locator("a[data-dept=pmc] .count")).to_have_text("1")
    expect(nav.locator("a[data-dept=quality] .count")).to_have_text("0")
    expect(nav.locator("a.own")).to_have_attribute("data-dept", "quality")

    nav.locator("a[data-dept=pmc]").click()
    expect(page.locator("h1")).to_have_text("Inbox: PMC")
    expect(inbox_rows(page)).to_have_count(1)
    expect(inbox_rows(page).first).to_contain_text(first.number)
    expect(inbox_rows(page).first).to_contain_text("Dispatch order for review")

    complete(first, "pmc_dispatch")
    page.reload()
    expect(nav.locator("a[data-dept=pmc] .count")).to_have_text("0")
    expect(nav.locator("a[data-dept=quality] .count")).to_have_text("1")
    expect(inbox_rows(page).first).to_have_text("No open tasks here.")


def test_another_department_sees_the_task_read_only(
    live_server, page, make_user, task_of, password
):
    sales = make_user("sales")
    order = place_order(sales, "ACME", customer_po="PO-4711")
    task = task_of(order, "confirm_order")

    log_in(page, live_server, make_user("quality"), password)
    page.goto(f"{live_server}/tasks/{task.id}")
    expect(page.locator("h1")).to_have_text(f"Confirm order details · {order.number}")
    expect(page.locator(".facts").first).to_contain_text("Sales")
    expect(page.locator("section.card").nth(1)).to_contain_text("PO-4711")  # the order is shown
    expect(page.locator(".note")).to_have_text(
        "Only members of this department can work on this task."
    )
    expect(page.locator("form.taskform")).to_have_count(0)
    expect(page.get_by_role("button", name="Complete")).to_have_count(0)
    expect(page.get_by_role("button", name="Claim")).to_have_count(0)
    expect(page.get_by_role("button", name="Assign")).to_have_count(0)
    expect(page.locator("input[name=packaging_confirmed]")).to_have_count(0)

"""Approval actions on the task page in the browser, at desktop width and at 390 px: delegate
and answer, a co-signer before, copy, transfer; and the out-of-office page."""

from datetime import timedelta

import pytest
from e2e_helpers import PHONE, assert_no_sideways_scroll, log_in, place_order, switch_language
from playwright.sync_api import expect

from app.core import clock
from app.core.tasks import inbox
from app.core.tasks.models import HumanTask
from app.extensions import db
from tests.conftest import open_task


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_delegate_answer_and_come_back(live_server, new_page, make_user, password, viewport):
    ann = make_user("sales", display_name="Ann Wu")
    quinn = make_user("quality", display_name="Quinn Ma")
    order = place_order(ann)
    task = open_task(order, "confirm_order")
    inbox.claim(task.id, ann)
    db.session.commit()

    page = new_page(**({"viewport": viewport} if viewport else {}))
    log_in(page, live_server, ann, password)
    page.goto(f"{live_server}/tasks/{task.id}")
    assert_no_sideways_scroll(page)
    page.locator("#act-delegate summary").click()
    page.select_option("#delegate-user", label="Quinn Ma")
    page.fill("#delegate-note", "Is IP65 enough?")
    page.locator("#act-delegate button[type=submit]").click()
    expect(page.locator("#waiting-reason")).to_contain_text("Delegated to Quinn Ma")
    expect(page.locator("form.taskform")).to_have_count(0)
    assert_no_sideways_scroll(page)

    child = db.session.scalar(db.select(HumanTask).where(HumanTask.parent_id == task.id))
    other = new_page(**({"viewport": viewport} if viewport else {}))
    log_in(other, live_server, quinn, password)
    other.goto(f"{live_server}/tasks/{child.id}")
    expect(other.locator("#answer-form")).to_be_visible()
    expect(other.locator(".task-acts")).to_contain_text("Is IP65 enough?")
    assert_no_sideways_scroll(other)
    other.fill("#opinion", "Yes, IP65 is enough")
    other.locator("#answer-form button[type=submit]").click()
    expect(other.locator(".flash-success")).to_contain_text("Your answer was sent.")

    page.reload()
    expect(page.locator("form.taskform")).to_be_visible()
    expect(page.locator(".act-list")).to_contain_text("Yes, IP65 is enough")


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_cosign_before_copy_and_transfer_in_chinese(
    live_server, new_page, make_user, password, viewport
):
    ann = make_user("sales", display_name="Ann Wu")
    bob = make_user("sales", display_name="Bob Li")
    head = make_user("quality", role="head", display_name="Hu Qing")
    order = place_order(ann)
    task = open_task(order, "confirm_order")
    inbox.claim(task.id, ann)
    db.session.commit()

    page = new_page(**({"viewport": viewport} if viewport else {}))
    log_in(page, live_server, ann, password)
    page.goto(f"{live_server}/tasks/{task.id}")
    switch_language(page, "zh_CN")
    page.locator("#act-copy summary").click()
    page.select_option("#copy-users", label="Hu Qing")
    page.locator("#act-copy button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("任务已抄送")
    expect(page.locator(".act-list")).to_contain_text("Hu Qing")

    page.locator("#act-cosign summary").click()
    page.select_option("#cosign-user", label="Hu Qing")
    page.locator("#act-cosign button[type=submit]").click()
    expect(page.locator("#waiting-reason")).to_contain_text("加签人")
    assert_no_sideways_scroll(page)

    other = new_page(**({"viewport": viewport} if viewport else {}))
    log_in(other, live_server, head, password)
    other.goto(f"{live_server}/tasks/shared")
    expect(other.locator(".shared-list")).to_contain_text(order.number)
    assert_no_sideways_scroll(other)
    child = db.session.scalar(db.select(HumanTask).where(HumanTask.parent_id == task.id))
    other.goto(f"{live_server}/tasks/{child.id}")
    other.locator("input[name=decision][value=disagree]").check()
    other.fill("#opinion", "Packaging drawing missing")
    other.locator("#answer-form button[type=submit]").click()
    expect(other.locator(".flash-success")).to_be_visible()

    page.reload()
    expect(page.locator(".act-list")).to_contain_text("Packaging drawing missing")
    page.locator("#act-transfer summary").click()
    page.select_option("#transfer-user", label="Bob Li")
    page.fill("#transfer-reason", "")
    page.locator("#act-transfer button[type=submit]").click()  # the browser asks for a reason
    expect(page).to_have_url(f"{live_server}/tasks/{task.id}")
    page.fill("#transfer-reason", "休假")
    page.locator("#act-transfer button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("任务已转办")
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).assignee_id == bob.id


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_out_of_office_page(live_server, new_page, make_user, password, viewport):
    bob = make_user("sales", display_name="Bob Li")
    make_user("sales", display_name="Sam Stand")
    page = new_page(**({"viewport": viewport} if viewport else {}))
    log_in(page, live_server, bob, password)
    page.goto(f"{live_server}/account/away")
    assert_no_sideways_scroll(page)
    today = clock.today()
    page.select_option("#substitute_id", label="Sam Stand")
    page.fill("#starts_on", (today + timedelta(days=3)).isoformat())
    page.fill("#ends_on", today.isoformat())
    page.locator("#away-form button[type=submit]").click()
    expect(page.locator(".flash-error")).to_contain_text("must not be before")
    page.fill("#ends_on", (today + timedelta(days=5)).isoformat())
    page.locator("#away-form button[type=submit]").click()
    expect(page.locator(".away-list")).to_contain_text("Sam Stand")
    assert_no_sideways_scroll(page)
    page.locator(".away-list button[type=submit]").click()
    expect(page.locator(".away-list")).to_contain_text("You have no out-of-office planned.")

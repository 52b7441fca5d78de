"""Administration in the browser: creating users (who must change their password), resetting a
password, deactivating a user, adding a department, and cancelling a stopped process."""

import re

from e2e_helpers import customer, log_in
from playwright.sync_api import Page, expect

from app.core.processes import versions as processes
from app.core.processes.models import ProcessVersion
from app.core.tasks import instances
from app.extensions import db
from app.modules.orders.models import Order
from app.modules.orders.services import subject as order_subject

# A process whose script task divides by zero: an order it runs for stops with an error.
BROKEN_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs"
                  targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="e2e_broken_pricing" name="Broken pricing" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:scriptTask id="price_order" name="Price the order">
      <bpmn:script>total = 1 / 0</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="price_order" />
    <bpmn:sequenceFlow id="f2" sourceRef="price_order" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def user_row(page: Page, username: str):
    return page.locator(f"tr[data-user='{username}']")


def log_in_as_admin(page: Page, base: str, make_user, password: str) -> None:
    log_in(
        page,
        base,
        make_user(None, username="root.admin", display_name="Ada Admin", is_admin=True),
        password,
    )


def try_log_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    if page.locator("html").get_attribute("lang") != "en":
        page.get_by_role("button", name="English").click()
    page.fill("#username", username)
    page.fill("#password", password)
    page.locator("form:has(#password) button[type=submit]").click()


def test_new_user_must_change_the_password_then_lands_on_the_inbox(
    live_server, new_page, make_user, password
):
    admin = new_page()
    log_in_as_admin(admin, live_server, make_user, password)
    admin.get_by_role("link", name="Users", exact=True).click()
    admin.get_by_role("link", name="New user").click()
    admin.fill("#username", "li.qc")
    admin.fill("#display_name", "Li Wei")
    admin.fill("#password", "initial-pass-1")
    admin.select_option("#department_id", label="Quality")
    admin.select_option("#role", label="Member")
    admin.get_by_role("button", name="Save").click()
    expect(admin.locator(".flash-success")).to_have_text("User li.qc was created.")
    row = user_row(admin, "li.qc")
    expect(row.locator("td")).to_contain_text(
        ["li.qc", "Li Wei", "Quality", "Member", "", re.compile("Active · must change password")]
    )

    user = new_page()
    try_log_in(user, live_server, "li.qc", "initial-pass-1")
    expect(user).to_have_url(f"{live_server}/account/password")
    expect(user.locator(".flash-warning")).to_have_text(
        "Please choose a new password before you go on."
    )
    user.get_by_role("link", name="Orders", exact=True).click()  # no way around it
    expect(user).to_have_url(f"{live_server}/account/password")
    user.fill("#current", "initial-pass-1")
    user.fill("#new", "li-own-secret-9")
    user.fill("#confirm", "li-own-secret-9")
    user.get_by_role("button", name="Change password").click()
    expect(user).to_have_url(f"{live_server}/inbox")
    expect(user.locator(".flash-success")).to_have_text("Your password was changed.")
    expect(user.locator("h1")).to_have_text("Inbox: Quality")

    admin.reload()
    expect(user_row(admin, "li.qc")).not_to_contain_text("must change password")


def test_reset_password_shows_the_temporary_password_once(
    live_server, new_page, make_user, password
):
    make_user("warehouse", username="wang.wh", display_name="Wang")
    admin = new_page()
    log_in_as_admin(admin, live_server, make_user, password)
    admin.goto(f"{live_server}/admin/users")
    # One click asks first; Cancel resets nothing.
    asked: list[str] = []
    admin.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    user_row(admin, "wang.wh").get_by_role("button", name="Reset password").click()
    expect(admin.locator("h1")).to_have_text("Users")
    assert asked and "Reset the password of Wang?" in asked[0]
    expect(user_row(admin, "wang.wh")).not_to_contain_text("must change password")
    admin.once("dialog", lambda dialog: dialog.accept())
    user_row(admin, "wang.wh").get_by_role("button", name="Reset password").click()
    expect(admin.locator("h1")).to_have_text("Password reset")
    expect(admin.locator("main")).to_contain_text("The temporary password of wang.wh is:")
    temporary = admin.locator("#temporary-password").inner_text().strip()
    assert len(temporary) >= 8

    admin.get_by_role("link", name="Back to users").click()
    expect(user_row(admin, "wang.wh")).to_contain_text("must change password")
    expect(admin.locator("main")).not_to_contain_text(temporary)  # shown only once

    user = new_page()
    try_log_in(user, live_server, "wang.wh", password)  # the old password no longer works
    expect(user.get_by_role("alert")).to_have_text(
        "Wrong user name or password, or the account is deactivated."
    )
    try_log_in(user, live_server, "wang.wh", temporary)
    expect(user).to_have_url(f"{live_server}/account/password")


def test_deactivated_user_cannot_log_in(live_server, new_page, make_user, password):
    make_user("finance", username="fei.fin", display_name="Fei")
    admin = new_page()
    log_in_as_admin(admin, live_server, make_user, password)
    admin.goto(f"{live_server}/admin/users")
    asked: list[str] = []
    admin.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    user_row(admin, "fei.fin").get_by_role("button", name="Deactivate").click()
    expect(admin.locator(".flash-success")).to_have_text("User fei.fin is now deactivated.")
    expect(user_row(admin, "fei.fin")).to_contain_text("Deactivated")
    expect(user_row(admin, "fei.fin").get_by_role("button", name="Reactivate")).to_be_visible()
    assert asked and asked[0].startswith("Deactivate Fei?")

    user = new_page()
    try_log_in(user, live_server, "fei.fin", password)
    expect(user).to_have_url(f"{live_server}/login")
    expect(user.get_by_role("alert")).to_have_text(
        "Wrong user name or password, or the account is deactivated."
    )
    expect(user.locator("nav.mainnav")).to_have_count(0)


def test_admin_adds_a_department(live_server, page, make_user, password):
    log_in_as_admin(page, live_server, make_user, password)
    page.get_by_role("link", name="Departments", exact=True).click()
    page.fill("#key", "rnd")
    page.fill("#name_en", "R&D")
    page.fill("#name_zh", "研发部")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".flash-success")).to_have_text("Department rnd was added.")
    expect(page.locator("table.grid tr", has_text="rnd").locator("td")).to_have_text(
        ["rnd", "R&D", "研发部", "0"]
    )
    expect(page.locator("nav.deptnav a[data-dept=rnd]")).to_contain_text("R&D")

    page.fill("#key", "rnd")
    page.fill("#name_en", "Research")
    page.fill("#name_zh", "研究部")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#key-error")).to_have_text("This key is taken.")
    expect(page.locator("#name_en")).to_have_value("Research")
    expect(page.locator("table.grid tr", has_text="rnd")).to_have_count(1)


def test_stopped_process_is_listed_and_cancelled_with_a_reason(
    live_server, page, make_user, password
):
    db.session.add(
        ProcessVersion(
            process_id="e2e_broken_pricing",
            name="Broken pricing",
            number=1,
            xml=BROKEN_PROCESS,
            content_hash=processes.content_hash(BROKEN_PROCESS.encode()),
            file_name="broken.bpmn",
        )
    )
    order = Order(number="SO-E2E-00001", customer=customer("ACME"), order_type="regular")
    db.session.add(order)
    db.session.flush()
    broken = instances.start_process(
        "e2e_broken_pricing", None, kind="order_lifecycle", subject=order_subject.ref(order)
    )  # standing in for the order's lifecycle: its error stops the order
    db.session.commit()
    assert broken.status == "error" and order.status == "error"

    log_in_as_admin(page, live_server, make_user, password)
    page.get_by_role("link", name="Stopped processes").click()
    row = page.locator(f"tr[data-instance='{broken.id}']")
    expect(row).to_contain_text(order.number)
    expect(row).to_contain_text("Broken pricing v1")
    expect(row.locator("strong")).to_have_text("An expression failed")
    expect(row).to_contain_text("ZeroDivisionError")
    expect(row.locator("code")).to_have_text("price_order")

    row.get_by_label("Reason").fill("Pricing rule withdrawn; order re-entered by hand")
    row.get_by_role("button", name="Cancel instance").click()
    expect(page.locator(".flash-success")).to_have_text("The instance was cancelled.")
    expect(page.locator(f"tr[data-instance='{broken.id}']")).to_have_count(0)
    expect(page.locator("table.grid tbody")).to_contain_text("No process is stopped.")

    page.goto(f"{live_server}/orders/{order.id}")
    expect(page.locator("h2 .status").first).to_have_text("Cancelled")
    expect(page.locator(".open-tasks")).to_have_text("Nothing is waiting.")
    audit = page.locator("details", has=page.get_by_text("Full audit trail", exact=True))
    audit.locator("summary").click()
    expect(audit.locator("table")).to_contain_text("instance.cancel")

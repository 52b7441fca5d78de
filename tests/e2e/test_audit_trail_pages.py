"""The audit trail in the browser: an admin finds a failed log-in by filtering, exports the rows
as CSV, and reads the page on a 390 px phone in Chinese; a non-admin is refused."""

from pathlib import Path

from e2e_helpers import PHONE, assert_no_sideways_scroll, log_in, t, untranslated, visible_texts
from playwright.sync_api import Page, expect

from app.core.audit import chain
from app.core.audit.models import AuditEvent
from app.extensions import db


def fail_a_log_in(page: Page, base: str, username: str) -> None:
    """A wrong password typed on the login page (recorded as login.failed)."""
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", "not-the-password")
    page.locator("form:has(#password) button[type=submit]").click()
    expect(page.locator("#password")).to_be_visible()


def test_admin_filters_the_trail_and_exports_it_as_csv(live_server, new_page, make_user, password):
    admin_user = make_user(None, username="audit.admin", display_name="Ada Admin", is_admin=True)
    fail_a_log_in(new_page(), live_server, "mallory")
    page = new_page()
    log_in(page, live_server, admin_user, password)

    page.get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    expect(page.locator("tr[data-audit]").first).to_be_visible()
    page.fill("input[name=action]", "login.failed")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("tr[data-audit]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("login.failed")
    expect(rows.first).to_contain_text("mallory")
    expect(rows.first).to_contain_text("not yet")

    chain.seal_pending()  # what the worker does after commit
    page.reload()
    expect(rows.first.locator("td").last).to_have_text("✓")

    with page.expect_download() as info:
        page.get_by_role("link", name="Export CSV").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("Id,Time (UTC),Local time,User name")
    assert len(lines) == 2 and "login.failed" in lines[1] and "mallory" in lines[1]
    db.session.rollback()
    exported = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "audit.export"))
    assert exported is not None and exported.user_id == admin_user.id


def test_the_audit_page_on_a_phone_in_chinese(live_server, new_page, make_user, password):
    admin_user = make_user(None, username="audit.phone", display_name="Ada Admin", is_admin=True)
    fail_a_log_in(new_page(), live_server, "mallory")
    page = new_page(locale="zh-CN", viewport=PHONE)
    log_in(page, live_server, admin_user, password, lang="zh_CN")

    page.goto(f"{live_server}/admin/audit")
    expect(page.get_by_role("heading", name=t("Audit trail", "zh_CN"))).to_be_visible()
    assert_no_sideways_scroll(page)
    page.fill("input[name=action]", "login")
    page.get_by_role("button", name=t("Filter", "zh_CN")).click()
    rows = page.locator("tr[data-audit]")
    expect(rows).to_have_count(2)  # the failed log-in and the admin's own
    assert_no_sideways_scroll(page)
    # Each row is a card: its cells stack under one another, each named by its column.
    first = rows.first.locator("td")
    boxes = [first.nth(i).bounding_box() for i in range(3)]
    assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
    assert all(box["x"] + box["width"] <= PHONE["width"] for box in boxes)
    data = ["mallory", "audit.phone", "Ada Admin", "login", "login.failed", "user", "CSV"]
    data += ["127.0.0.1", "#", "✓", '{"username": "mallory"}', "OrderGate", "English"]
    data += ["flask audit verify"]  # a command, shown as code
    assert untranslated(visible_texts(page), "zh_CN", data) == []


def test_a_non_admin_is_refused_the_audit_page(live_server, new_page, make_user, password):
    head = make_user("sales", role="head", username="sales.boss")
    page = new_page()
    log_in(page, live_server, head, password)
    expect(page.get_by_role("link", name="Audit trail")).to_have_count(0)
    response = page.goto(f"{live_server}/admin/audit")
    assert response.status == 403
    expect(page.get_by_text("Only administrators read the audit trail.")).to_be_visible()

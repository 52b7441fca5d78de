"""Log-in lock-out and the list of signed-in browsers, as a person sees them."""

import re

import pytest
from e2e_helpers import log_in, switch_language, t
from playwright.sync_api import Page, expect

from app.core.users.models import LoginThrottle
from app.extensions import db
from app.i18n import local_datetime

LOCKED = (
    "Too many failed log-ins: this account is locked until %(time)s. "
    "Try again then, or ask an administrator to unlock it."
)


def submit_login(page: Page, username: str, password: str) -> None:
    """Fill and send the login form that is on the page."""
    page.fill("#username", username)
    page.fill("#password", password)
    page.locator("form:has(#password) button[type=submit]").click()


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_a_locked_account_is_told_until_when_and_an_admin_unlocks_it(
    lang, live_server, page, new_page, make_user, password
):
    user = make_user("quality")
    page.goto(f"{live_server}/login")
    if lang != "zh_CN":
        switch_language(page, lang)
    for _ in range(5):
        submit_login(page, user.username, "not-my-password")
    submit_login(page, user.username, password)  # the right one, during the lock-out
    until = db.session.scalar(
        db.select(LoginThrottle.locked_until).where(LoginThrottle.key == user.username)
    )
    alert = page.locator("main [role=alert]")
    expect(alert).to_have_text(t(LOCKED, lang, time=local_datetime(until)))
    page.goto(f"{live_server}/inbox")
    expect(page).to_have_url(re.compile(r"/login"))

    admin_page = new_page()
    admin = make_user(None, username="root.admin", is_admin=True)
    log_in(admin_page, live_server, admin, password, lang)
    admin_page.goto(f"{live_server}/admin/users")
    row = admin_page.locator(f"tr[data-user='{user.username}']")
    expect(row.locator(".locked")).to_be_visible()
    row.locator("a").first.click()
    admin_page.locator(".lockout").get_by_role("button", name=t("Unlock", lang)).click()
    expect(admin_page.locator(".flash-success")).to_have_text(
        t("User %(name)s can log in again.", lang, name=user.username)
    )
    expect(admin_page.locator(".lockout")).to_have_count(0)

    log_in(page, live_server, user, password, lang)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_sessions_page_signs_out_the_other_browsers(
    lang, live_server, page, new_page, make_user, password
):
    user = make_user("sales")
    phone = new_page()
    log_in(phone, live_server, user, password, lang)
    log_in(page, live_server, user, password, lang)
    page.locator(".tools").get_by_role("link", name=t("Sessions", lang)).click()
    expect(page.locator("h1")).to_have_text(t("Signed-in sessions", lang))
    rows = page.locator("tr[data-session]")
    expect(rows).to_have_count(2)
    expect(page.locator("tr.current .tag")).to_have_text(t("This browser", lang))

    page.get_by_role("button", name=t("Sign out all other sessions", lang)).click()
    expect(page.locator(".flash-success")).to_contain_text("1")
    expect(rows).to_have_count(1)
    phone.goto(f"{live_server}/inbox")
    expect(phone).to_have_url(re.compile(r"/login"))
    page.goto(f"{live_server}/inbox")
    expect(page).to_have_url(re.compile(r"/inbox\??$"))


def test_a_copied_cookie_is_worthless_after_logout(
    live_server, page, new_page, make_user, password
):
    user = make_user("sales")
    log_in(page, live_server, user, password)
    kept = page.context.cookies()
    page.locator(".tools").get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login"))

    thief = new_page()
    thief.context.add_cookies(kept)
    thief.goto(f"{live_server}/inbox")
    expect(thief).to_have_url(re.compile(r"/login"))

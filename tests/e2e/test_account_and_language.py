"""The header's language switch and the user's own password page, in the browser."""

import re

import pytest
from e2e_helpers import (
    LANG_BUTTON,
    log_in,
    place_order,
    switch_language,
    t,
    untranslated,
    visible_texts,
)
from playwright.sync_api import Page, expect

from app.core.processes import versions as processes

# Not interface text: the brand, the language buttons, currency codes.
FIXED = ["OrderGate", *LANG_BUTTON.values(), "CNY", "USD", "EUR", "HKD", "JPY"]
# The process's BPMN name, shown in English; in Chinese its name_zh property is shown instead.
DIAGRAM_NAMES = ["Order lifecycle"]


def check_language(page: Page, lang: str, data: list[str], problems: list[str]) -> None:
    """Note every visible string of the page that is not in `lang`."""
    wrong = untranslated(visible_texts(page), lang, [*FIXED, *data])
    if wrong:
        problems.append(f"{page.url} in {lang} shows {wrong}")


def test_language_switch_translates_every_string_and_keeps_the_page(
    live_server, page, make_user, task_of, password
):
    user = make_user("sales", username="ann.admin", display_name="Ann Admin", is_admin=True)
    order = place_order(user, "ACME", customer_po="PO-4711")
    task = task_of(order, "confirm_order")
    data = [
        user.username,
        user.display_name,
        order.number,
        "ACME",
        "PO-4711",
        "P-100 Steel flange",
        "pcs",
        *DIAGRAM_NAMES,
    ]  # the unit is catalogue data
    departments = [
        name for key, names in processes.DEMO_DEPARTMENTS.items() for name in (key, *names)
    ]

    problems: list[str] = []
    page.goto(f"{live_server}/login")
    check_language(page, "zh_CN", data, problems)  # a new session starts in Chinese
    switch_language(page, "en")
    check_language(page, "en", data, problems)
    log_in(page, live_server, user, password, lang="en")

    pages = {
        "/inbox": [],
        "/orders?status=in_review": [],
        f"/orders/{order.id}": [],
        f"/tasks/{task.id}": [],
        "/orders/new": [],
        "/account/password": [],
        "/account/sessions": ["127.0.0.1", page.evaluate("() => navigator.userAgent")],
        "/admin/users": [],
        "/admin/departments": departments,  # the key and both names of each, on purpose
        "/admin/instances": [],
    }
    for path, extra in pages.items():
        page.goto(live_server + path)
        here = re.compile(re.escape(live_server + path) + r"\??$")
        check_language(page, "en", data + extra, problems)
        switch_language(page, "zh_CN")
        expect(page).to_have_url(here)
        check_language(page, "zh_CN", data + extra, problems)
        switch_language(page, "en")
        expect(page).to_have_url(here)
        check_language(page, "en", data + extra, problems)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_password_change_with_a_wrong_current_password_shows_the_error(
    lang, live_server, page, make_user, password
):
    user = make_user("quality")
    log_in(page, live_server, user, password, lang)
    page.locator(".tools").get_by_role("link", name=t("Password", lang)).click()
    expect(page.locator("h1")).to_have_text(t("Change password", lang))
    page.fill("#current", "not-my-password")
    page.fill("#new", "brand-new-pass-1")
    page.fill("#confirm", "brand-new-pass-1")
    page.locator("main").get_by_role("button", name=t("Change password", lang)).click()

    expect(page).to_have_url(f"{live_server}/account/password")
    expect(page.locator("#current-error")).to_have_text(t("The current password is wrong.", lang))
    expect(page.locator(".field-error")).to_have_count(1)
    expect(page.locator(".flash-success")).to_have_count(0)

    page.locator(".tools").get_by_role("button", name=t("Log out", lang)).click()
    log_in(page, live_server, user, password, lang)  # the old password still works

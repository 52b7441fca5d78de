"""First browser journey: sales enters an order, every reviewer completes their review, the order
moves on. Once in each language."""

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import Customer, Product

REVIEWERS = {
    "engineering": {"radio": {"decision": "approve", "technical_risk": "low"}},
    "production": {"radio": {"decision": "approve"}, "fill": {"hours_per_unit": "1.5"}},
    "quality": {"radio": {"decision": "approve"}, "fill": {"quality_requirements": "AQL 1.0"},
                "check": ["inspection_plan"]},
    "warehouse": {"radio": {"decision": "approve"}, "select": {"materials_status": "in_stock"}},
}


def log_in(page: Page, base: str, username: str, password: str, lang: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_role("button", name="English" if lang == "en" else "中文").click()
    page.fill("#username", username)
    page.fill("#password", password)
    page.locator("form:has(#password) button[type=submit]").click()
    expect(page).to_have_url(f"{base}/inbox")


def open_order_task(page: Page, number: str) -> None:
    page.locator("#inbox-rows tr", has_text=number).locator("a").first.click()


def answer(page: Page, spec: dict) -> None:
    for name, value in spec.get("radio", {}).items():
        field = page.locator(f"input[name={name}][value={value}]")
        if field.count():
            field.check()
        else:
            page.select_option(f"select[name={name}]", value)
    for name, value in spec.get("fill", {}).items():
        page.fill(f"[name={name}]", value)
    for name, value in spec.get("select", {}).items():
        select = page.locator(f"select[name={name}]")
        if select.count():
            select.select_option(value)
        else:
            page.check(f"input[name={name}][value={value}]")
    for name in spec.get("check", []):
        page.locator(f"input[name={name}]").first.check()
    page.locator("form.taskform button[type=submit]").click()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_order_goes_through_review(lang, live_server, new_page, make_user, password):
    db.session.add(Customer(name="Journey Co", contact="Jo", address="Road 1", tier="standard"))
    db.session.add(Product(code="J-1", name="Journey part", unit="pcs", standard_cost=5))
    db.session.commit()
    people = {dept: make_user(dept) for dept in ("sales", "pmc", *REVIEWERS)}
    pmc_head = make_user("pmc", role="head")
    base = live_server

    page = new_page()
    log_in(page, base, people["sales"].username, password, lang)
    page.goto(f"{base}/orders/new")
    page.select_option("#customer_id", label="Journey Co")
    page.select_option("#order_type", "new")
    page.select_option("select[name='lines-0-product_id']", label="J-1 Journey part")
    page.fill("input[name='lines-0-quantity']", "100")
    page.fill("input[name='lines-0-unit_price']", "9.5")
    page.locator("form.card button[type=submit]").click()
    number = page.locator("h2 a").first.inner_text()
    assert number.startswith("SO-")

    page.goto(f"{base}/inbox")
    open_order_task(page, number)
    for name in ("packaging_confirmed", "structure_confirmed", "dimensions_confirmed"):
        page.check(f"input[name={name}]")
    answer(page, {"radio": {"order_category": "new"}, "fill": {"requirements": "IP65"}})
    expect(page.locator(".flash-success")).to_be_visible()

    pmc = new_page()
    log_in(pmc, base, people["pmc"].username, password, lang)
    open_order_task(pmc, number)
    answer(pmc, {"fill": {"review_due": "2026-12-31"}, "radio": {"priority": "normal"}})

    for dept, spec in REVIEWERS.items():
        reviewer = new_page()
        log_in(reviewer, base, people[dept].username, password, lang)
        open_order_task(reviewer, number)
        answer(reviewer, spec)
        expect(reviewer.locator(".flash-success")).to_be_visible()

    head = new_page()
    log_in(head, base, pmc_head.username, password, lang)
    open_order_task(head, number)
    head.fill("[name=summary]", "All four departments approve")
    head.check("input[name=confirmed]")
    head.locator("form.taskform button[type=submit]").click()

    page.goto(f"{base}/orders")
    row = page.locator("tr", has_text=number)
    expect(row.locator(".status-review_passed")).to_be_visible()

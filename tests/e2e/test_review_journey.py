"""First browser journey: sales enters an order, every reviewer completes their review, the order
moves on to the customer's confirmation with a send-confirmation task for sales. Once in each
language."""

import json
from pathlib import Path

import pytest
from e2e_helpers import complete_task, log_in, open_task, t
from playwright.sync_api import expect

from app.extensions import db
from app.modules.orders.models import Customer, Product

FORMS = Path(__file__).resolve().parents[2] / "forms"
REVIEWERS = {
    "engineering": {"technical_risk": "low", "decision": "approve"},
    "production": {"decision": "approve"},
    "quality": {
        "quality_requirements": "AQL 1.0",
        "inspection_plan": ["final"],
        "decision": "approve",
    },
    "warehouse": {"materials_status": "in_stock", "decision": "approve"},
}


def form_title(form: str, lang: str) -> str:
    """The title a form file gives its task page in `lang`."""
    return json.loads((FORMS / f"{form}.json").read_text())["x-ui"]["title"][lang]


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_order_goes_through_review(lang, live_server, new_page, make_user, password):
    db.session.add(Customer(name="Journey Co", contact="Jo", address="Road 1", tier="standard"))
    db.session.add(Product(code="J-1", name="Journey part", unit="pcs", standard_cost=5))
    db.session.commit()
    people = {dept: make_user(dept) for dept in ("sales", "pmc", *REVIEWERS)}
    pmc_head = make_user("pmc", role="head")
    base = live_server

    page = new_page()
    log_in(page, base, people["sales"], password, lang)
    page.goto(f"{base}/orders/new")
    page.select_option("#customer_id", label="Journey Co")
    page.select_option("#order_type", "new")
    page.select_option("select[name='lines-0-product_id']", label="J-1 Journey part")
    page.fill("input[name='lines-0-quantity']", "100")
    page.fill("input[name='lines-0-unit_price']", "9.5")
    page.locator("form.card button[type=submit]").click()
    number = page.locator("h2 a").first.inner_text()
    assert number.startswith("SO-")

    open_task(page, base, number)
    complete_task(
        page,
        {
            "order_category": "new",
            "packaging_confirmed": True,
            "structure_confirmed": True,
            "dimensions_confirmed": True,
            "requirements": "IP65",
        },
    )

    pmc = new_page()
    log_in(pmc, base, people["pmc"], password, lang)
    open_task(pmc, base, number)
    complete_task(pmc, {"review_due": "2026-12-31", "priority": "normal"})

    for dept, answers in REVIEWERS.items():
        reviewer = new_page()
        log_in(reviewer, base, people[dept], password, lang)
        open_task(reviewer, base, number)
        complete_task(reviewer, answers)

    head = new_page()
    log_in(head, base, pmc_head, password, lang)
    open_task(head, base, number)
    complete_task(head, {"summary": "All four departments approve", "confirmed": True})

    # Every review passed: the order waits for the customer, and sales is asked to send the
    # confirmation.
    page.goto(f"{base}/orders")
    status = page.locator("tr", has_text=number).locator(".status")
    expect(status).to_have_text(t("Awaiting customer confirmation", lang))
    expect(status).to_have_class("status status-awaiting_customer")
    step = "Send the order confirmation" if lang == "en" else "发送订单确认书"
    open_task(page, base, number, step=step)
    expect(page.locator("h2", has_text=form_title("send_confirmation", lang))).to_be_visible()
    expect(page.locator("form.taskform input[name=sent_via]")).to_have_count(5)

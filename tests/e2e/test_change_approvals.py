"""Browser: sales raises a change request, sees its diff, the sales head decides on /approvals."""

from e2e_helpers import log_in
from playwright.sync_api import expect

from app.core.tasks.models import HumanTask
from app.extensions import db
from app.modules.changes.models import ChangeRequest
from app.modules.orders.models import Order
from app.modules.orders.services import subject as order_subject


def test_change_request_diff_and_approval_page(
    live_server, new_page, make_user, released_order, complete, password
):
    order = released_order
    sales, head = make_user("sales"), make_user("sales", role="head")

    page = new_page()
    log_in(page, live_server, sales, password)
    page.goto(f"{live_server}/orders/{order.id}")
    page.get_by_role("link", name="Raise a change request").click()
    page.fill("input[name='lines-0-quantity']", "10.5")
    page.fill("#promised_date", "2027-03-09")
    page.fill("#reason", "Customer asked for half a unit more")
    page.locator("form.orderform button[type=submit]").click()
    diff = page.locator("table.diff")
    expect(diff.locator("tr[data-field=quantity] td.old")).to_have_text("10")
    expect(diff.locator("tr[data-field=quantity] td.new")).to_have_text("10.5")
    expect(diff.locator("tr[data-field=promised_date] td.new")).to_have_text("2027-03-09")
    for step in db.session.scalars(
        db.select(HumanTask.spec_name).where(
            order_subject.about_order(HumanTask, order.id),
            HumanTask.state == "ready",
            HumanTask.spec_name.like("change_review_%"),
        )
    ).all():
        complete(order, step, {"opinion": "approve", "delivery_impact_days": "1"})

    manager = new_page()
    log_in(manager, live_server, head, password)
    manager.get_by_role("link", name="Approvals").click()
    card = manager.locator("section.approval", has_text=order.number)
    expect(card.locator("tr[data-field=quantity] td.new")).to_have_text("10.5")
    expect(card.locator(".impact")).to_contain_text("1 working days")
    # Rejecting without a reason: the message shows in the card, the page stays.
    card.locator("input[value=reject]").check()
    card.get_by_role("button", name="Decide").click()
    alert = card.get_by_role("alert")
    expect(alert).to_contain_text("Reason for rejection: This field is required.")
    expect(manager).to_have_url(f"{live_server}/approvals")
    card.locator("input[value=approve]").check()
    card.get_by_role("button", name="Decide").click()
    expect(manager.locator(".flash-success")).to_be_visible()
    expect(manager.locator("section.approval", has_text=order.number)).to_have_count(0)
    db.session.expire_all()
    change = db.session.scalar(db.select(ChangeRequest))
    assert change.status == "applied"  # +5 % and 4 days: within the manager's limits, no GM
    assert db.session.get(Order, order.id).status == "awaiting_customer"

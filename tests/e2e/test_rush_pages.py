"""Browser: the schedule's Gantt chart, a rush request's impact preview and its approvals.

The factory date is Monday 2027-03-01 and lines L1/L2 work 8 h a day (`plan_world`).
"""

from e2e_helpers import complete_task, log_in, open_task
from playwright.sync_api import expect

from app.core.notifications.models import Notification
from app.extensions import db
from app.modules.rush.models import RushRequest
from app.modules.schedule.services import plan


def chart(page, name: str):
    """The chart `data-gantt=name`, once the bundle has drawn it."""
    found = page.locator(f"[data-gantt='{name}']")
    expect(found).to_have_attribute("data-gantt-ready", "1")
    return found


def test_schedule_gantt_shows_the_plan_and_pmc_reorders_it(
    live_server, new_page, make_user, plan_world, password
):
    plan_world.order("SO-A", 16, "2027-03-02")
    plan_world.order("SO-B", 8, "2027-03-03")
    plan_world.order("SO-C", 8, "2027-03-31", rates={"L2": "1"})
    page = new_page()
    log_in(page, live_server, make_user("pmc"), password)
    page.get_by_role("link", name="Schedule", exact=True).click()
    gantt = chart(page, "plan")
    expect(gantt.locator(".bar-wrapper")).to_have_count(3)
    expect(gantt.locator(".bar-wrapper.og-late")).to_have_count(0)
    line1 = page.locator("section[data-line='L1']")
    expect(line1.locator("tbody tr").first).to_have_attribute("data-order", "SO-A")
    # B first: A then finishes Wednesday, a day after its promised Tuesday.
    line1.get_by_label("Position SO-B").fill("1")
    line1.get_by_label("Position SO-A").fill("2")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.locator(".flash-success")).to_contain_text("The production plan was saved.")
    expect(line1.locator("tbody tr").first).to_have_attribute("data-order", "SO-B")
    expect(line1.locator("tr[data-order='SO-A'].late")).to_have_count(1)
    expect(chart(page, "plan").locator(".bar-wrapper.og-late")).to_have_count(1)
    assert db.session.scalar(db.select(db.func.count()).select_from(Notification)) == 1

    # A factory holiday on Wednesday pushes A (now Tuesday-Wednesday) to Thursday.
    page.fill("#calendar_day", "2027-03-03")
    page.fill("input[name='note']", "Power maintenance")
    page.get_by_role("button", name="Save the date").click()
    expect(page.locator("tr[data-day='2027-03-03']")).to_contain_text("Power maintenance")
    expect(line1.locator("tr[data-order='SO-A'] td").nth(5)).to_have_text("2027-03-04")


def test_rush_request_preview_then_three_approvals(
    live_server, new_page, make_user, plan_world, password
):
    plan_world.order("SO-A", 16, "2027-03-05")
    plan_world.order("SO-B", 16, "2027-03-05")
    rushed = plan_world.order("SO-C", 24, "2027-03-31")

    sales = new_page()
    log_in(sales, live_server, make_user("sales"), password)
    sales.goto(f"{live_server}/orders/{rushed.id}")
    sales.get_by_role("link", name="Request a rush").click()
    sales.fill("#required_by", "2027-03-03")
    sales.fill("#reason", "The customer's line stops without it")
    sales.get_by_role("button", name="Compute the impact").click()
    preview = sales.locator(".impact-preview")
    expect(preview.locator(".impact-summary")).to_contain_text(
        "Order SO-C goes first on line L1: 2027-03-01 to 2027-03-03"
    )
    expect(preview.locator("[data-figure=slipped]")).to_have_text("2")
    expect(preview.locator("[data-figure=late]")).to_have_text("1")
    expect(preview.locator("tr[data-order='SO-B']")).to_contain_text("Becomes late")
    expect(preview.locator("tr[data-order='SO-A']")).to_contain_text("On time")
    expect(chart(sales, "before").locator(".bar-wrapper")).to_have_count(3)
    after = chart(sales, "after")
    expect(after.locator(".bar-wrapper.og-rush")).to_have_count(1)
    expect(after.locator(".bar-wrapper.og-slipped")).to_have_count(2)
    sales.get_by_role("button", name="Submit the rush request").click()
    expect(sales.locator(".flash-success")).to_contain_text("was submitted")
    request = db.session.scalar(db.select(RushRequest))
    assert request.status == "open" and plan.current().schedule.job(rushed.id).position == 3

    pmc = new_page()
    log_in(pmc, live_server, make_user("pmc"), password)
    open_task(pmc, live_server, "SO-C")
    expect(pmc.locator(".impact-preview [data-figure=late]")).to_have_text("1")
    complete_task(pmc, {"recommendation": "approve", "comments": "L1 can take it"})

    head = new_page()
    log_in(head, live_server, make_user("production", role="head"), password)
    head.get_by_role("link", name="Approvals").click()
    card = head.locator("section.rush-approval", has_text="SO-C")
    expect(card.locator("summary")).to_contain_text("becoming late: 1")
    expect(chart(head, "after").locator(".bar-wrapper")).to_have_count(3)
    card.locator("input[value=reject]").check()
    card.get_by_role("button", name="Decide").click()  # no reason: refused, in the card
    expect(card.get_by_role("alert")).to_contain_text("This field is required.")
    expect(head).to_have_url(f"{live_server}/approvals")
    card.locator("input[value=approve]").check()
    card.get_by_role("button", name="Decide").click()
    expect(head.locator(".flash-success")).to_be_visible()
    expect(head.locator("section.rush-approval")).to_have_count(0)

    gm = new_page()
    log_in(gm, live_server, make_user("management", role="head"), password)
    gm.get_by_role("link", name="Approvals").click()
    card = gm.locator("section.rush-approval", has_text="SO-C")
    # The charts draw after load and move the card; a click aimed before they settle can land
    # beside the radio button ("Clicking the checkbox did not change its state" under load).
    expect(chart(gm, "after").locator(".bar-wrapper")).to_have_count(3)
    card.locator("input[value=approve]").check()
    card.get_by_role("button", name="Decide").click()
    expect(gm.locator(".flash-success")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(RushRequest, request.id).status == "applied"
    assert plan.current().schedule.job(rushed.id).position == 1
    gm.goto(f"{live_server}/rush/{request.id}")
    expect(gm.locator("h2", has_text="Impact as applied")).to_be_visible()
    # The approval steps (the shared route table): each decision, with who took it.
    steps = gm.locator("table.route tr[data-state=completed]")
    expect(steps).to_have_count(3)
    expect(gm.locator("table.route tr[data-step=rush_approval_gm]")).to_contain_text("Approved")
    expect(gm.locator("table[data-counts=customer] tr[data-key=ACME]")).to_have_count(0)
    gm.goto(f"{live_server}/rush")
    expect(gm.locator("table[data-counts=customer] tr[data-key=ACME] td").nth(2)).to_have_text("1")

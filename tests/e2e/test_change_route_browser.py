"""Browser: what decides a change (issue 16) on the change page and on /approvals, in English
and Chinese, one of them at phone width: the order value before and after, the approval route
with who acted and who is next, and the rule that puts the general manager in it.

The shared released order has one line of 10 units at 2.5 (CNY 25.00), promised 2027-03-05.
"""

from e2e_helpers import PHONE, assert_no_sideways_scroll, log_in
from playwright.sync_api import expect

from app.core.tasks.models import HumanTask
from app.extensions import db
from app.modules.changes.models import ChangeRequest


def raise_in_browser(page, base, order, quantity: str, promised: str = "2027-03-05"):
    page.goto(f"{base}/orders/{order.id}/changes/new")
    page.wait_for_load_state()
    page.fill("input[name='lines-0-quantity']", quantity)
    page.fill("#promised_date", promised)
    page.fill("#reason", "Customer asked for more")
    page.locator("form.orderform button[type=submit]").click()
    expect(page.locator("table.diff")).to_be_visible()
    return db.session.scalar(db.select(ChangeRequest).order_by(ChangeRequest.id.desc()))


def finish_reviews(change, order, complete) -> None:
    steps = db.session.scalars(
        db.select(HumanTask.spec_name)
        .where(
            HumanTask.instance_id == change.instance_id,
            HumanTask.state == "ready",
            HumanTask.spec_name.like("change_review_%"),
        )
        .order_by(HumanTask.id)
    ).all()
    for step in steps:
        complete(order, step, {"opinion": "approve", "delivery_impact_days": "0"})


def test_a_20_percent_rise_goes_to_the_general_manager_who_decides_on_a_phone_in_chinese(
    live_server, new_page, make_user, released_order, complete, password
):
    order = released_order
    head = make_user("sales", role="head", display_name="Sam Head")
    gm = make_user("management", role="head", display_name="Grace GM")
    page = new_page()
    log_in(page, live_server, make_user("sales"), password)
    change = raise_in_browser(page, live_server, order, "12")  # CNY 25.00 -> 30.00
    expect(page.locator(".value-change")).to_have_text(
        "Order value: CNY 25.00 → CNY 30.00 (CNY +5.00, +20.0%)"
    )
    reason = page.locator(".gm-reason")
    expect(reason).to_have_attribute("data-rule", "rule_value_over_limit")
    expect(reason).to_contain_text("The order value changes by more than 10% (this change: 20%)")
    route = page.locator("table.route")
    expect(route.locator("tr[data-step=change_review_pmc]")).to_contain_text("Pending")
    expect(route.locator("tr[data-step=manager_approval_sales]")).to_contain_text(
        "Expected: Sam Head (head of Sales)"
    )
    expect(route.locator("tr[data-step=gm_approval]")).to_contain_text("Not reached yet")

    finish_reviews(change, order, complete)
    manager = new_page()
    log_in(manager, live_server, head, password)
    manager.get_by_role("link", name="Approvals").click()
    card = manager.locator("section.approval", has_text=order.number)
    expect(card.locator(".value-change")).to_contain_text("CNY 25.00 → CNY 30.00")
    expect(card.locator(".gm-reason")).to_contain_text("more than 10%")
    expect(card.locator("tr[data-step=gm_approval]")).to_contain_text("Expected: Grace GM")
    card.locator("input[value=approve]").check()
    card.get_by_role("button", name="Decide").click()
    expect(manager.locator(".flash-success")).to_be_visible()

    phone = new_page(viewport=PHONE)
    log_in(phone, live_server, gm, password, lang="zh_CN")
    phone.goto(f"{live_server}/changes/{change.id}")
    expect(phone.locator(".value-change")).to_have_text(
        "订单金额：CNY 25.00 → CNY 30.00（CNY +5.00，+20.0%）"
    )
    expect(phone.locator(".gm-reason")).to_contain_text(
        "按变更规则，还需总经理审批：订单金额变化超过 10%（本次变更：20%）"
    )
    done = phone.locator("table.route tr[data-step=manager_approval_sales]")
    expect(done).to_contain_text("批准")
    expect(done).to_contain_text("Sam Head")
    expect(phone.locator("table.route tr[data-step=gm_approval]")).to_contain_text("待处理")
    expect(phone.locator(".route-next")).to_contain_text("下一步")
    assert_no_sideways_scroll(phone)
    # Rejecting without a reason on the change page: the message shows in place.
    form = phone.locator("#route form")
    form.locator("input[value=reject]").check()
    form.get_by_role("button", name="提交审批结论").click()
    expect(form.get_by_role("alert")).to_be_visible()
    expect(phone).to_have_url(f"{live_server}/changes/{change.id}")
    assert_no_sideways_scroll(phone)
    form.locator("input[name=reason]").fill("预算不允许")
    form.get_by_role("button", name="提交审批结论").click()
    expect(phone.locator(".flash-success")).to_be_visible()
    rejected = phone.locator("table.route tr[data-step=gm_approval]")
    expect(rejected).to_contain_text("驳回")
    expect(rejected).to_contain_text("预算不允许")
    db.session.expire_all()
    assert db.session.get(ChangeRequest, change.id).status == "rejected"


def test_a_5_percent_rise_stays_with_the_department_head_in_chinese_on_a_phone(
    live_server, new_page, make_user, released_order, complete, password
):
    order = released_order
    head = make_user("sales", role="head", display_name="Sam Head")
    page = new_page()
    log_in(page, live_server, make_user("sales"), password, lang="zh_CN")
    # 10.5 units: CNY 25.00 -> 26.25 (+5 %); promised 03-05 -> 03-09 (4 days): no GM.
    change = raise_in_browser(page, live_server, order, "10.5", "2027-03-09")
    expect(page.locator(".value-change")).to_have_text(
        "订单金额：CNY 25.00 → CNY 26.25（CNY +1.25，+5.0%）"
    )
    expect(page.locator(".gm-reason")).to_have_attribute("data-needs-gm", "no")
    expect(page.locator(".gm-reason")).to_contain_text("部门主管审批即可")
    expect(page.locator("table.route tr[data-step=gm_approval]")).to_have_count(0)
    finish_reviews(change, order, complete)
    manager = new_page(viewport=PHONE)
    log_in(manager, live_server, head, password, lang="zh_CN")
    manager.goto(f"{live_server}/approvals")
    card = manager.locator("section.approval", has_text=order.number)
    expect(card.locator(".value-change")).to_have_text(
        "订单金额：CNY 25.00 → CNY 26.25（CNY +1.25，+5.0%）"
    )
    expect(card.locator(".gm-reason")).to_contain_text(
        "订单金额变化不超过 10%（本次变更：5%）；交期变动不超过 7 天（本次变更：4 天）"
    )
    step = card.locator("tr[data-step=manager_approval_sales]")
    expect(step).to_contain_text("待处理")
    expect(step).to_contain_text("Sam Head")
    expect(card.locator("tr[data-step=change_review_pmc]")).to_contain_text("通过")
    assert_no_sideways_scroll(manager)

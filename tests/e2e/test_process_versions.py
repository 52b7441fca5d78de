"""Browser: a process owner reads versions and their diff, then migrates a running order."""

from e2e_helpers import log_in
from playwright.sync_api import expect

from app.core.processes import modeling
from app.core.processes import versions as processes
from app.core.tasks.models import ProcessInstance
from app.extensions import db
from app.modules.orders.services import subject as order_subject


def test_versions_diff_viewer_and_a_migration_with_revert(
    live_server, new_page, make_user, make_order, password
):
    order = make_order()  # waits at its first step on order_lifecycle v1
    owner = make_user(None, is_process_owner=True)
    v1 = processes.latest_version("order_lifecycle")
    xml = v1.xml.replace('name="due" value="P2D"', 'name="due" value="P3D"', 1)
    result = modeling.publish(owner, "order_lifecycle", xml)
    db.session.commit()
    assert result.version.number == 2

    page = new_page()
    log_in(page, live_server, owner, password)
    page.get_by_role("link", name="Processes", exact=True).click()
    page.locator("tr[data-process='order_lifecycle'] td a").first.click()
    expect(page.locator("tr[data-version='2']")).to_contain_text(owner.display_name)
    expect(page.locator("#migration li")).to_have_text("v1: 1")

    page.locator("tr[data-version='1']").get_by_role("link", name="Changes since").click()
    changed = page.locator("tr[data-change='changed']")
    expect(changed).to_have_count(1)
    expect(changed).to_contain_text("Time limit: 2 d → 3 d")
    expect(changed.locator("span[title='P3D']")).to_have_text("3 d")

    page.go_back()
    page.locator("tr[data-version='1']").get_by_role("link", name="View").click()
    expect(page.locator("[data-bpmn-viewer] .djs-container")).to_be_visible()
    expect(page.locator(".bjs-powered-by")).to_be_visible()

    page.go_back()
    page.get_by_role("button", name="Dry run").click()
    expect(page.locator(".flash-success")).to_contain_text("1 instances can migrate")
    expect(page.locator("tr[data-outcome='eligible']")).to_contain_text(order.number)
    page.get_by_role("link", name="Back to the process to apply it").click()
    page.get_by_role("button", name="Migrate 1 instances now").click()
    expect(page.locator("tr[data-outcome='migrated']")).to_contain_text(order.number)
    db.session.expire_all()
    instance = db.session.scalar(
        db.select(ProcessInstance).where(order_subject.about_order(ProcessInstance, order.id))
    )
    assert instance.version.number == 2
    page.get_by_role("button", name="Revert").click()
    expect(page.locator(".flash-success")).to_contain_text("back on version 1")
    expect(page.locator("tr[data-outcome='reverted']")).to_have_count(1)
    db.session.expire_all()
    assert db.session.get(ProcessInstance, instance.id).version.number == 1


def test_the_version_diff_reads_in_chinese(live_server, new_page, make_user, password):
    owner = make_user(None, is_process_owner=True)
    v1 = processes.latest_version("order_lifecycle")
    xml = v1.xml.replace('name="due" value="P2D"', 'name="due" value="P3D"', 1)
    modeling.publish(owner, "order_lifecycle", xml)
    db.session.commit()

    page = new_page()
    log_in(page, live_server, owner, password, lang="zh_CN")
    page.goto(f"{live_server}/processes/order_lifecycle/diff?a=1&b=2")
    changed = page.locator("tr[data-change='changed']")
    expect(changed).to_have_count(1)
    expect(changed).to_contain_text("期限：2 天 → 3 天")
    expect(changed).to_contain_text("用户任务")
    expect(changed.locator("span[title='P2D']")).to_have_text("2 天")
    expect(changed.locator("span[title='userTask']")).to_have_text("用户任务")
    expect(changed).not_to_contain_text("property")

    # The version's diagram: Chinese names and lanes as departments; the BPMN link stays raw.
    page.goto(f"{live_server}/processes/order_lifecycle/versions/1")
    viewer = page.locator("[data-bpmn-viewer]")
    expect(viewer.locator("[data-element-id=confirm_order]")).to_contain_text("确认订单信息")
    expect(viewer.locator("[data-element-id=Lane_sales] text")).to_have_text("销售部")

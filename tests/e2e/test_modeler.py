"""Browser: a process owner edits the order process in the modeler, lints, saves and publishes."""

import re

from e2e_helpers import log_in, place_order
from playwright.sync_api import Page, expect

from app.core.processes import versions as processes
from app.core.processes.models import ProcessDraft
from app.core.tasks.models import HumanTask, ProcessInstance
from app.extensions import db
from app.modules.orders.services import subject as order_subject


def open_modeler(page: Page, base: str, process_id: str = "order_lifecycle"):
    page.goto(f"{base}/processes/{process_id}/edit")
    modeler = page.locator("[data-bpmn-modeler]")
    expect(modeler).to_have_attribute("data-modeler-ready", "1")
    expect(modeler).to_have_attribute("data-lint-errors", "0")
    return modeler


def click_element(page: Page, element_id: str) -> None:
    """Select a shape by clicking it, once the canvas is panned so the palette leaves it free."""
    page.evaluate(
        "id => { const c = document.querySelector('[data-bpmn-modeler]').bpmnModeler"
        ".get('canvas'); c.scrollToElement(id, {top: 60, left: 220, right: 60, bottom: 60}); }",
        element_id,
    )
    page.locator(f"g.djs-element[data-element-id='{element_id}']").click()


def click_lane(page: Page, lane_id: str) -> None:
    """Select a lane by clicking an empty spot near its top right corner (the palette covers
    the lane headers on the left)."""
    box = page.locator(f"g.djs-element[data-element-id='{lane_id}']").bounding_box()
    page.mouse.click(box["x"] + box["width"] - 15, box["y"] + 8)


def test_owner_changes_a_department_and_a_form_then_publishes(
    live_server, new_page, make_user, password
):
    owner = make_user(None, is_process_owner=True)
    page = new_page()
    log_in(page, live_server, owner, password)
    modeler = open_modeler(page, live_server)
    expect(page.locator(".bjs-powered-by")).to_be_visible()  # bpmn-js's licence

    click_lane(page, "Lane_sales")
    department = page.locator("select[name='ordergate-department']")
    expect(department).to_have_value("sales")
    department.select_option("pmc")
    click_element(page, "confirm_order")
    form = page.locator("select[name='ordergate-form']")
    expect(form).to_have_value("order_intake")
    form.select_option("pmc_check")
    expect(modeler).to_have_attribute("data-lint-errors", "0")

    # The participant's header strip (left edge) selects the process: its Chinese name.
    page.evaluate(
        "() => document.querySelector('[data-bpmn-modeler]').bpmnModeler.get('canvas')"
        ".scroll({dx: 160, dy: 0})"
    )
    box = page.locator(
        "g.djs-element[data-element-id='Participant_order_lifecycle']"
    ).bounding_box()
    page.mouse.click(box["x"] + 10, box["y"] + box["height"] / 2)
    process_name = page.locator("input[name='ordergate-process-name-zh']")
    expect(process_name).to_have_value("订单全流程")
    process_name.fill("订单全生命周期")
    process_name.press("Tab")

    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".og-modeler-status")).to_have_attribute("data-state", "saved")
    draft = db.session.scalar(db.select(ProcessDraft))
    assert 'name="name_zh" value="订单全生命周期"' in draft.xml
    assert 'name="pmc_check"' not in draft.xml and 'value="pmc_check"' in draft.xml
    page.get_by_role("button", name="Publish").click()
    expect(page).to_have_url(re.compile(r"/processes/order_lifecycle$"))
    expect(page.locator(".flash-success")).to_contain_text("Version 2 was published.")

    db.session.expire_all()
    assert processes.latest_version("order_lifecycle").number == 2
    order = place_order(make_user("sales"))
    instance = db.session.scalar(
        db.select(ProcessInstance).where(order_subject.about_order(ProcessInstance, order.id))
    )
    assert instance.version.number == 2
    first = db.session.scalar(
        db.select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.state == "ready")
    )
    assert (first.spec_name, first.department.key, first.form_name) == (
        "confirm_order",
        "pmc",
        "pmc_check",
    )


def test_lint_errors_block_publishing_but_the_draft_can_be_saved(
    live_server, new_page, make_user, password
):
    owner = make_user(None, is_process_owner=True)
    page = new_page()
    log_in(page, live_server, owner, password)
    modeler = open_modeler(page, live_server)
    publish = page.get_by_role("button", name="Publish")
    expect(publish).to_be_enabled()

    click_element(page, "confirm_order")
    due = page.locator("input[name='ordergate-due']")
    due.fill("soon")
    due.press("Tab")
    expect(modeler).not_to_have_attribute("data-lint-errors", "0")
    expect(publish).to_be_disabled()
    expect(page.locator(".og-lint-summary")).to_have_attribute("data-state", "error")

    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".og-modeler-status")).to_have_attribute("data-state", "saved")
    assert 'value="soon"' in db.session.scalar(db.select(ProcessDraft.xml))
    assert processes.latest_version("order_lifecycle").number == 1

    due.fill("PT6H")
    due.press("Tab")
    expect(modeler).to_have_attribute("data-lint-errors", "0")
    expect(publish).to_be_enabled()

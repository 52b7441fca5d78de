"""Browser: diagram files in the modeler. A file from another tool opened as a new process (file
picker, drag and drop), its conversion report, a fix, publishing and a started instance; a file
dropped on an existing process's canvas; downloads (.bpmn, SVG, PNG); import warnings and what
saving would drop — in English and Chinese, at desktop and phone width."""

import re
import struct

from e2e_helpers import assert_no_sideways_scroll, log_in, t
from playwright.sync_api import Page, expect

from app.core.processes import drops, modeling
from app.core.processes import versions as processes
from app.core.tasks.models import HumanTask, ProcessInstance
from app.extensions import db
from tests.diagram_samples import goods_check, unreadable

PHONE = {"width": 390, "height": 844}
WAREHOUSE_EN = "Warehouse"

DROP_FILE = """([selector, name, text]) => {
  const target = document.querySelector(selector);
  const transfer = new DataTransfer();
  transfer.items.add(new File([text], name, { type: 'application/xml' }));
  for (const type of ['dragenter', 'dragover', 'drop']) {
    const init = { bubbles: true, cancelable: true, dataTransfer: transfer };
    target.dispatchEvent(new DragEvent(type, init));
  }
}"""


def bpmn_file(name: str, text: str) -> dict:
    return {"name": name, "mimeType": "application/xml", "buffer": text.encode("utf-8")}


def ready_modeler(page: Page):
    modeler = page.locator("[data-bpmn-modeler]")
    expect(modeler).to_have_attribute("data-modeler-ready", "1")
    return modeler


def owner_on(live_server, new_page, make_user, password, path, lang=None, **options) -> Page:
    """A new process owner's browser on `path` (in `lang` if given; `options` for the page)."""
    owner = make_user(None, is_process_owner=True)
    page = new_page(**options)
    log_in(page, live_server, owner, password, **({"lang": lang} if lang else {}))
    page.goto(f"{live_server}{path}")
    page.wait_for_load_state()
    return page


def chinese_phone_on_the_new_page(live_server, new_page, make_user, password) -> Page:
    """A process owner on the Open a diagram file page, in Chinese at phone width."""
    return owner_on(
        live_server, new_page, make_user, password, "/processes/new", "zh_CN", viewport=PHONE
    )


def test_a_file_opened_as_a_new_process_is_fixed_published_and_started(
    live_server, new_page, make_user, password
):
    owner = make_user(None, is_process_owner=True)
    page = new_page()
    log_in(page, live_server, owner, password)
    page.goto(f"{live_server}/processes")
    page.wait_for_load_state()
    page.get_by_role("link", name="Open a diagram file").click()
    page.wait_for_load_state()
    page.set_input_files("#file", files=[bpmn_file("goods.bpmn", goods_check())])
    page.get_by_role("button", name="Open as a new process").click()
    expect(page).to_have_url(re.compile(r"/processes/Process_goods_check/edit$"))
    modeler = ready_modeler(page)

    report = page.locator(".og-modeler-report")
    expect(report).to_be_visible()
    expect(report).to_contain_text("Conversion report of the opened file")
    expect(report).to_contain_text("is the new process Process_goods_check")
    # The lane is no department: the report asks the owner, the linter agrees, publishing waits.
    needs = report.locator("[data-report-status='owner']")
    expect(needs).to_contain_text("The lane 'Reviewers' is not a department")
    expect(modeler).not_to_have_attribute("data-lint-errors", "0")
    expect(page.get_by_role("button", name="Publish")).to_be_disabled()

    # The report's item selects the lane; its department is picked in the panel.
    needs.locator("[data-select-element='Lane_reviewers']").click()
    page.locator("select[name='ordergate-department']").select_option("warehouse")
    expect(modeler).to_have_attribute("data-lint-errors", "0")
    page.get_by_role("button", name="Publish").click()
    expect(page).to_have_url(re.compile(r"/processes/Process_goods_check$"))
    expect(page.locator(".flash-success")).to_contain_text("Version 1 was published.")

    db.session.expire_all()
    assert modeling.draft_of("Process_goods_check") is None

    # The owner runs the model from the process's page: the first task and whom it waits for.
    page.get_by_role("button", name="Start an instance").click()
    expect(page).to_have_url(re.compile(r"/processes/instances/\d+$"))
    page.wait_for_load_state()
    expect(page.locator(".flash-success")).to_have_text("An instance of version 1 was started.")
    row = page.locator("tr[data-task='Task_check']")
    expect(row.locator("[data-waits-for]")).to_have_text(WAREHOUSE_EN)
    instance_id = int(page.url.rsplit("/", 1)[1])
    db.session.expire_all()
    task = db.session.scalar(db.select(HumanTask).where(HumanTask.instance_id == instance_id))
    assert (task.spec_name, task.department.key, task.form_name, task.state) == (
        "Task_check",
        "warehouse",
        "goods_received",
        "ready",
    )


def test_an_instance_is_started_from_the_process_page_in_chinese_at_phone_width(
    live_server, new_page, make_user, password
):
    deployed = processes.deploy_process(
        "goods.bpmn", goods_check(lane="Warehouse").encode("utf-8"), None
    )
    assert deployed.problems == []
    db.session.commit()
    page = owner_on(
        live_server,
        new_page,
        make_user,
        password,
        "/processes/Process_goods_check",
        "zh_CN",
        viewport=PHONE,
    )
    assert_no_sideways_scroll(page)
    start = page.get_by_role("button", name=t("Start an instance", "zh_CN"))
    start.dblclick()  # a double click starts one instance
    expect(page).to_have_url(re.compile(r"/processes/instances/\d+$"))
    page.wait_for_load_state()
    row = page.locator("tr[data-task='Task_check']")
    expect(row.locator("[data-waits-for]")).to_have_text("仓储部")
    assert_no_sideways_scroll(page)
    db.session.expire_all()
    started = db.session.scalars(
        db.select(ProcessInstance.id).where(
            ProcessInstance.process_version_id == deployed.version.id
        )
    ).all()
    assert started == [int(page.url.rsplit("/", 1)[1])]


def test_a_file_dropped_on_the_new_process_page_opens_in_chinese_at_phone_width(
    live_server, new_page, make_user, password
):
    page = chinese_phone_on_the_new_page(live_server, new_page, make_user, password)
    expect(page.locator("h1")).to_have_text(t("Open a diagram file", "zh_CN"))
    assert_no_sideways_scroll(page)
    page.evaluate(DROP_FILE, ["[data-file-drop]", "goods.bpmn", goods_check()])
    expect(page).to_have_url(re.compile(r"/processes/Process_goods_check/edit$"))
    ready_modeler(page)
    report = page.locator(".og-modeler-report")
    expect(report).to_contain_text(t("Conversion report of the opened file", "zh_CN"))
    expect(report).to_contain_text("成为新流程 Process_goods_check")
    assert_no_sideways_scroll(page)

    # The report asks for the lane's department and offers the departments: answer it there.
    modeler = page.locator("[data-bpmn-modeler]")
    expect(modeler).not_to_have_attribute("data-lint-errors", "0")
    needs = report.locator("[data-report-status='owner'] [data-report-item='Lane_reviewers']")
    needs.locator("select[name='value']").select_option("warehouse")
    needs.get_by_role("button", name=t("Apply", "zh_CN")).click()
    expect(page.locator(".flash-success")).to_have_text(
        t("The answer is written into the draft.", "zh_CN")
    )
    ready_modeler(page)
    expect(needs.locator("[data-answered]")).to_have_text(
        t("Answered: %(value)s", "zh_CN", value="仓储部")
    )
    expect(modeler).to_have_attribute("data-lint-errors", "0")
    assert_no_sideways_scroll(page)

    page.get_by_role("link", name=t("full page", "zh_CN")).click()
    page.wait_for_load_state()
    expect(page.locator("[data-report]")).to_contain_text(t("Mapped automatically", "zh_CN"))
    assert_no_sideways_scroll(page)


def test_a_file_dropped_on_an_existing_processs_canvas_replaces_its_draft(
    live_server, new_page, make_user, password
):
    page = owner_on(live_server, new_page, make_user, password, "/processes/rush_order/edit")
    ready_modeler(page)
    page.evaluate(DROP_FILE, [".og-modeler-canvas", "goods.bpmn", goods_check()])
    report = page.locator(".og-modeler-report")
    expect(report).to_contain_text("replaces the draft of rush_order")
    ready_modeler(page)
    expect(page.locator("g.djs-element[data-element-id='Task_check']")).to_be_visible()
    draft = modeling.draft_of("rush_order")
    assert draft is not None and 'id="rush_order"' in draft.xml and "Task_check" in draft.xml
    assert processes.latest_version("rush_order").number == 1  # nothing published

    # The Open button asks before it replaces unsaved changes; Cancel keeps them.
    page.evaluate(
        "() => document.querySelector('[data-bpmn-modeler]').bpmnModeler.get('modeling')"
        ".updateLabel(document.querySelector('[data-bpmn-modeler]').bpmnModeler"
        ".get('elementRegistry').get('Task_check'), 'Check twice')"
    )
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.set_input_files(".og-modeler-file", files=[bpmn_file("again.bpmn", goods_check())])
    page.wait_for_function("() => true")  # let the change event's handler run
    assert asked == ["Opening a file replaces the diagram and its unsaved changes. Continue?"], (
        asked
    )
    expect(page.locator("[data-bpmn-modeler]")).to_have_attribute("data-dirty", "1")
    expect(page.locator("g.djs-element[data-element-id='Task_check']")).to_contain_text(
        "Check twice"
    )


def test_the_diagram_downloads_as_bpmn_svg_and_png(live_server, new_page, make_user, password):
    owner = make_user(None, is_process_owner=True)
    page = new_page(accept_downloads=True)
    log_in(page, live_server, owner, password)
    page.goto(f"{live_server}/processes/order_lifecycle/edit")
    ready_modeler(page)

    def fetch(format_: str) -> tuple[str, bytes]:
        with page.expect_download() as info:
            page.locator(f"[data-action='export'][data-format='{format_}']").click()
        download = info.value
        with open(download.path(), "rb") as handle:
            return download.suggested_filename, handle.read()

    name, bpmn = fetch("bpmn")
    assert name == "order_lifecycle.bpmn"
    assert b"<bpmn:definitions" in bpmn and b'<bpmn:process id="order_lifecycle"' in bpmn
    assert b'id="confirm_order"' in bpmn
    name, svg = fetch("svg")
    assert name == "order_lifecycle.svg" and b"<svg" in svg
    assert b"Confirm order" in svg  # the labels are drawn
    name, png = fetch("png")
    assert name == "order_lifecycle.png" and png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width > 400 and height > 200, (width, height)


def test_import_warnings_show_and_saving_lists_what_it_drops(
    live_server, new_page, make_user, password
):
    page = chinese_phone_on_the_new_page(live_server, new_page, make_user, password)
    page.set_input_files("#file", files=[bpmn_file("ledger.bpmn", unreadable())])
    page.locator("form[data-file-drop] button[type='submit']").click()
    modeler = ready_modeler(page)
    assert int(modeler.get_attribute("data-import-warnings")) >= 3
    assert int(modeler.get_attribute("data-dropped")) >= 3
    notes = page.locator(".og-modeler-notes")
    expect(notes).to_be_visible()
    expect(notes).to_contain_text(
        t("The modeler could not read everything in this diagram:", "zh_CN")
    )
    expect(notes).to_contain_text(t("Saving will remove what the modeler could not read:", "zh_CN"))
    for lost in ("1 ledger copy", "Task_fancy", "messageRef"):
        expect(notes).to_contain_text(lost)
    assert_no_sideways_scroll(page)

    save = page.get_by_role("button", name=t("Save draft", "zh_CN"))
    said = []
    page.once("dialog", lambda dialog: (said.append(dialog.message), dialog.dismiss()))
    save.click()
    expect(page.locator(".og-modeler-status")).not_to_have_attribute("data-state", "saving")
    assert said and "Task_fancy" in said[0] and "1 ledger copy" in said[0], said
    assert t("Save anyway?", "zh_CN") in said[0]
    db.session.expire_all()
    assert "fancyTask" in modeling.draft_of("Process_unreadable").xml  # nothing was saved

    page.once("dialog", lambda dialog: dialog.accept())
    save.click()
    expect(page.locator(".og-modeler-status")).to_have_attribute("data-state", "saved")
    db.session.expire_all()
    saved = modeling.draft_of("Process_unreadable").xml
    assert "fancyTask" not in saved and "Message_undefined" not in saved
    # Once saved, the draft holds what the modeler wrote: the next save asks nothing.
    save.click()
    expect(page.locator(".og-modeler-status")).to_have_attribute("data-state", "saved")


def test_a_task_deleted_on_the_canvas_is_saved_without_asking(
    live_server, new_page, make_user, password
):
    page = owner_on(live_server, new_page, make_user, password, "/processes/rush_order/edit")
    modeler = ready_modeler(page)
    assert modeler.get_attribute("data-dropped") == "0"
    task = page.locator("g.djs-element.djs-shape[data-element-id='rush_assess_pmc']")
    task.click()
    page.locator(".djs-context-pad [data-action='delete']").click()
    expect(task).to_have_count(0)
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".og-modeler-status")).to_have_attribute("data-state", "saved")
    assert asked == []
    db.session.expire_all()
    saved = modeling.draft_of("rush_order").xml
    assert 'id="rush_assess_pmc"' not in saved and 'bpmnElement="rush_assess_pmc"' not in saved
    assert 'id="rush_order"' in saved
    # Saved because the modeler named the deletion: unnamed, the server would have refused it.
    unnamed = drops.lost(processes.latest_version("rush_order").xml, saved, set())
    assert "userTask rush_assess_pmc" in unnamed, unnamed


EDIT_ON_THE_CANVAS = """() => {
  const modeler = document.querySelector('[data-bpmn-modeler]').bpmnModeler;
  const registry = modeler.get('elementRegistry');
  // As the properties panel does when the owner types a new id.
  modeler.get('modeling').updateProperties(registry.get('rush_assess_pmc'), { id: 'assess_pmc' });
  // As the popup menu does when the owner turns the timer into a message boundary event.
  modeler.get('bpmnReplace').replaceElement(registry.get('rush_approval_gm_remind'), {
    type: 'bpmn:BoundaryEvent',
    eventDefinitionType: 'bpmn:MessageEventDefinition',
  });
}"""


def test_a_new_id_and_a_replaced_event_are_saved_without_asking(
    live_server, new_page, make_user, password
):
    page = owner_on(live_server, new_page, make_user, password, "/processes/rush_order/edit")
    ready_modeler(page)
    page.evaluate(EDIT_ON_THE_CANVAS)
    page.get_by_role("button", name="Save draft").click()
    status = page.locator(".og-modeler-status")
    expect(status).not_to_have_attribute("data-state", "saving")
    assert status.get_attribute("data-state") == "saved", status.text_content()
    db.session.expire_all()
    saved = modeling.draft_of("rush_order").xml
    assert 'id="assess_pmc"' in saved and 'id="rush_assess_pmc"' not in saved
    assert 'id="rush_approval_gm_remind_timer"' not in saved
    unnamed = drops.lost(processes.latest_version("rush_order").xml, saved, set())
    assert "userTask rush_assess_pmc" in unnamed, unnamed
    assert "timerEventDefinition rush_approval_gm_remind_timer" in unnamed, unnamed


LOSE_UNSEEN = """() => {
  // What no command of the modeler does: an element vanishes from the model it writes, as
  // when bpmn-js cannot read something. The modeler tracks no deletion for it.
  const modeler = document.querySelector('[data-bpmn-modeler]').bpmnModeler;
  const process = modeler.get('elementRegistry').get('rush_assess_pmc').businessObject.$parent;
  const found = process.flowElements.findIndex((e) => e.id === 'rush_approval_gm_remind');
  process.flowElements.splice(found, 1);
}"""


def test_the_server_refuses_a_save_that_loses_an_element_nobody_deleted(
    live_server, new_page, make_user, password
):
    page = owner_on(
        live_server,
        new_page,
        make_user,
        password,
        "/processes/rush_order/edit",
        "zh_CN",
        viewport=PHONE,
    )
    ready_modeler(page)
    page.evaluate(LOSE_UNSEEN)
    page.get_by_role("button", name=t("Save draft", "zh_CN")).click()
    status = page.locator(".og-modeler-status")
    expect(status).to_have_attribute("data-state", "error")
    expect(status).to_contain_text("未保存")
    expect(status).to_contain_text("boundaryEvent rush_approval_gm_remind")
    assert_no_sideways_scroll(page)
    db.session.expire_all()
    assert modeling.draft_of("rush_order") is None

"""Browser: the modeler's own words (palette, context pad, replace menu, properties panel groups
and header) follow the page's language; the Chinese comes from assets/modeler/translations_zh.js."""

import re

from e2e_helpers import log_in
from playwright.sync_api import Page, expect
from test_modeler import click_element, open_modeler

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Words that stay Latin in Chinese: the product's own group and codes.
ALLOWED = {"OrderGate", "ID", "PMC", "ISO"}


def latin_words(texts: list[str]) -> list[str]:
    return [w for text in texts for w in LATIN_WORD.findall(text) if w not in ALLOWED]


def palette_titles(page: Page) -> list[str]:
    entries = page.locator(".djs-palette .entry[aria-label]")
    expect(entries.first).to_be_visible()
    return [entries.nth(i).get_attribute("aria-label") for i in range(entries.count())]


def test_the_modeler_speaks_chinese_on_a_chinese_page(live_server, new_page, make_user, password):
    owner = make_user(None, is_process_owner=True)
    page = new_page()
    log_in(page, live_server, owner, password, lang="zh_CN")
    page.wait_for_load_state()
    open_modeler(page, live_server)

    palette = page.locator(".djs-palette")
    expect(palette.locator(".entry[data-action='create.start-event']")).to_have_attribute(
        "aria-label", "创建开始事件"
    )
    expect(palette.locator(".entry[data-action='hand-tool']")).to_have_attribute(
        "aria-label", "激活抓手工具"
    )
    titles = palette_titles(page)
    assert titles and latin_words(titles) == [], titles

    click_element(page, "confirm_order")
    panel = page.locator(".og-modeler-panel")
    expect(panel.locator(".bio-properties-panel-header-type")).to_have_text("用户任务")
    groups = panel.locator(".bio-properties-panel-group-header-title")
    expect(groups.first).to_have_text("常规")
    group_texts = groups.all_inner_texts()
    assert "文档" in group_texts and "OrderGate" in group_texts, group_texts
    assert latin_words(group_texts) == [], group_texts
    expect(panel.locator("label[for='bio-properties-panel-name']")).to_have_text("名称")

    pad = page.locator(".djs-context-pad")
    expect(pad.locator(".entry[data-action='replace']")).to_have_attribute("title", "更改元素")
    expect(pad.locator(".entry[data-action='delete']")).to_have_attribute("title", "删除")
    pad.locator(".entry[data-action='replace']").click()
    menu = page.locator(".djs-popup")
    expect(menu.locator(".djs-popup-title")).to_have_text("更改元素")
    expect(menu.get_by_text("脚本任务", exact=True)).to_be_visible()
    expect(menu.get_by_text("服务任务", exact=True)).to_be_visible()
    labels = menu.locator(".djs-popup-results .entry .djs-popup-label").all_inner_texts()
    assert labels and latin_words(labels) == [], labels

    # A gateway's Chinese name (shown on the read-only diagrams) is edited in the OrderGate group.
    page.keyboard.press("Escape")
    click_element(page, "which_route")
    expect(panel.locator(".bio-properties-panel-header-type")).to_have_text("排他网关")
    expect(panel.locator("input[name='ordergate-name-zh']")).to_have_value("走哪条评审路线？")


ADD_LOOSE_TASK = """() => {
  const modeler = document.querySelector('[data-bpmn-modeler]').bpmnModeler;
  const registry = modeler.get('elementRegistry');
  const lane = registry.get('Lane_sales');
  const shape = modeler.get('elementFactory').createShape({ type: 'bpmn:Task' });
  modeler.get('modeling').createShape(shape, { x: lane.x + lane.width - 80, y: lane.y + 40 }, lane);
  return shape.id;
}"""


def test_the_linters_messages_are_chinese_too(live_server, new_page, make_user, password):
    owner = make_user(None, is_process_owner=True)
    page = new_page()
    log_in(page, live_server, owner, password, lang="zh_CN")
    page.wait_for_load_state()
    modeler = open_modeler(page, live_server)
    task_id = page.evaluate(ADD_LOOSE_TASK)
    expect(modeler).not_to_have_attribute("data-lint-errors", "0")
    overlay = page.locator(f".djs-overlays[data-container-id='{task_id}'] .bjsl-overlay")
    expect(overlay).to_have_count(1)
    messages = overlay.locator(".bjsl-current-element-issues li")
    # Each item is the message, then the rule's name in brackets (a code, left as it is).
    texts = [t.strip().split("\n")[0].strip() for t in messages.all_text_contents()]
    assert "元素没有连线" in texts and "元素缺少标签/名称" in texts, texts
    assert latin_words(texts) == [], texts


def test_the_modeler_stays_english_on_an_english_page(live_server, new_page, make_user, password):
    owner = make_user(None, is_process_owner=True)
    page = new_page()
    log_in(page, live_server, owner, password)
    open_modeler(page, live_server)
    expect(page.locator(".djs-palette .entry[data-action='create.start-event']")).to_have_attribute(
        "aria-label", "Create start event"
    )
    click_element(page, "confirm_order")
    panel = page.locator(".og-modeler-panel")
    expect(panel.locator(".bio-properties-panel-header-type")).to_have_text("User Task")
    groups = panel.locator(".bio-properties-panel-group-header-title")
    expect(groups.first).to_have_text("General")
    assert "Documentation" in groups.all_inner_texts()
    expect(page.locator(".djs-context-pad .entry[data-action='replace']")).to_have_attribute(
        "title", "Change element"
    )


def test_the_modeler_works_in_chinese_at_phone_width(live_server, new_page, make_user, password):
    owner = make_user(None, is_process_owner=True)
    page = new_page(viewport={"width": 390, "height": 844})
    log_in(page, live_server, owner, password, lang="zh_CN")
    page.wait_for_load_state()
    open_modeler(page, live_server)
    expect(page.locator(".djs-palette .entry[data-action='create.task']")).to_have_attribute(
        "aria-label", "创建任务"
    )

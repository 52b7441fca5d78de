"""Browser: the order page's process diagram names its steps, events, gateways, flows, pool and
lanes in the reader's language (name_zh properties for Chinese, lanes as department names)."""

import re

import pytest
from e2e_helpers import log_in, place_order
from playwright.sync_api import Locator, Page, expect

from app.core.users.models import Department
from app.extensions import db

SHOWN = {
    "zh_CN": {
        "confirm_order": "确认订单信息",
        "order_received_label": "收到订单",
        "flow_full_route_label": "全面评审",
        "Participant_order_lifecycle": "订单全流程",
    },
    "en": {
        "confirm_order": "Confirm order details",
        "order_received_label": "Order received",
        "flow_full_route_label": "Full review",
        "Participant_order_lifecycle": "Order lifecycle",
    },
}
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
ALLOWED = {"PMC", "BPMN"}  # the department's abbreviation and the licence's watermark


def open_diagram(page: Page, base: str, order_id: int) -> Locator:
    page.goto(f"{base}/orders/{order_id}")
    viewer = page.locator("[data-bpmn-viewer]")
    expect(viewer).to_have_class(re.compile(r"\bog-bpmn-ready\b"))
    return viewer


def department(key: str) -> Department:
    return db.session.scalar(db.select(Department).where(Department.key == key))


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_order_diagram_reads_in_the_readers_language(
    lang, live_server, page, make_user, password
):
    sales = make_user("sales")
    order = place_order(sales, "ACME")
    log_in(page, live_server, sales, password, lang)
    page.wait_for_load_state()
    viewer = open_diagram(page, live_server, order.id)

    for element_id, text in SHOWN[lang].items():
        expect(viewer.locator(f"[data-element-id={element_id}]")).to_contain_text(text)
    for key in ("sales", "pmc", "engineering", "production", "quality", "warehouse"):
        lane = viewer.locator(f"[data-element-id=Lane_{key}] text")
        expect(lane).to_have_text(department(key).display_name(lang))
    expect(viewer.locator(".og-current")).to_have_count(1)  # the markers still find the step
    if lang == "zh_CN":
        texts = viewer.locator("svg text").all_text_contents()
        words = [w for text in texts for w in LATIN_WORD.findall(text) if w not in ALLOWED]
        assert texts and words == [], words

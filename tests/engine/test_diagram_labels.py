"""The viewer's labels: name_zh properties for a Chinese reader, lanes named by department."""

from pathlib import Path

import pytest
from lxml import etree

from app.engine.diagram_labels import localize_labels
from app.engine.documents import DocumentRejected

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
LANES = {"sales": "销售部", "pmc": "生产物料控制部", "production": "生产部"}


def names(xml: bytes) -> dict[str, str]:
    root = etree.fromstring(xml)
    return {
        n.get("id"): n.get("name")
        for n in root.iter()
        if n.get("id") is not None and n.get("name") is not None
    }


def test_chinese_names_replace_the_english_ones_and_lanes_show_departments():
    source = (WORKFLOWS / "rush_order.bpmn").read_bytes()
    shown = names(localize_labels(source, True, LANES))
    assert shown["rush_assess_pmc"] == "PMC 评估插单"  # a user task
    assert shown["pmc_recommends"] == "PMC 推荐？"  # a gateway
    assert shown["Participant_rush_order"] == "插单审批"  # the pool: its process's name_zh
    assert shown["rush_order"] == "插单审批"
    assert shown["Lane_pmc"] == "生产物料控制部" and shown["Lane_production"] == "生产部"
    assert shown["Lane_management"] == "management"  # not in the map: left as it is


def test_english_readers_keep_the_english_names_but_lanes_show_departments():
    source = (WORKFLOWS / "rush_order.bpmn").read_bytes()
    shown = names(localize_labels(source, False, {"pmc": "PMC", "production": "Production"}))
    before = names(source)
    assert (
        shown["rush_assess_pmc"]
        == before["rush_assess_pmc"]
        == ("PMC assessment of the rush order")
    )
    assert shown["Lane_production"] == "Production"
    assert {k: v for k, v in shown.items() if not k.startswith("Lane_")} == {
        k: v for k, v in before.items() if not k.startswith("Lane_")
    }


def test_the_diagram_keeps_its_ids_and_layout():
    source = (WORKFLOWS / "order_review.bpmn").read_bytes()
    localized = localize_labels(source, True, LANES)
    ids = lambda xml: sorted(n.get("id") for n in etree.fromstring(xml).iter() if n.get("id"))  # noqa: E731
    assert ids(localized) == ids(source)
    bounds = lambda xml: [b.attrib for b in etree.fromstring(xml).iter("{*}Bounds")]  # noqa: E731
    assert bounds(localized) == bounds(source)


@pytest.mark.parametrize("name", sorted(p.name for p in WORKFLOWS.glob("*.bpmn")))
def test_every_shipped_diagram_label_has_a_chinese_name(name):
    """Every named element of the shipped processes carries name_zh, so a Chinese reader sees
    no English label (data items, messages and correlations are not drawn)."""
    shown = etree.fromstring(localize_labels((WORKFLOWS / name).read_bytes(), True, {}))
    drawn = [*shown.iter(f"{BPMN}participant")]
    for process in shown.iter(f"{BPMN}process"):
        drawn.extend(process.iter())
    english = [
        (n.get("id"), n.get("name"))
        for n in drawn
        if isinstance(n.tag, str)
        and n.tag.startswith(BPMN)
        and n.get("name")
        and n.tag not in (f"{BPMN}lane", f"{BPMN}inputDataItem", f"{BPMN}outputDataItem")
        and not any("\u4e00" <= c <= "\u9fff" for c in n.get("name"))
    ]
    assert english == []


def test_what_is_not_bpmn_is_refused():
    with pytest.raises(DocumentRejected):
        localize_labels(b"<html/>", True, {})

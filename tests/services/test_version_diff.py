"""The version diff: elements added, removed and changed, each changed one with what changed, and
how the compare page words it in the reader's language."""

import pytest
from flask_babel import force_locale

from app.core.processes import version_diff
from app.core.processes import versions as processes
from app.core.processes.models import ProcessVersion
from app.core.processes.version_diff import Detail, humanise_duration
from app.core.users.models import Department
from app.extensions import db


def test_diff_lists_added_removed_and_changed_elements():
    xml = processes.latest_version("rush_order").xml
    assert 'id="mark_rush_open"' in xml
    new = (
        xml.replace('name="PMC assessment of the rush order"', 'name="PMC assesses"')
        .replace("rush_outcome = 'pending'", "rush_outcome = 'open'")
        .replace(
            "</bpmn:process>",
            '<bpmn:task id="note_task" name="Extra step" /></bpmn:process>',
        )
    )
    changes = {
        c.element_id: c
        for c in version_diff.diff_versions(ProcessVersion(xml=xml), ProcessVersion(xml=new))
    }
    assert changes["note_task"].change == "added" and changes["note_task"].kind == "task"
    assert changes["rush_assess_pmc"].change == "changed"
    assert changes["rush_assess_pmc"].details == (
        Detail("name", "PMC assessment of the rush order", "PMC assesses"),
    )
    assert changes["rush_assess_pmc"].name_zh == "PMC 评估插单"
    script = changes["mark_rush_open"]
    assert script.change == "changed" and script.details[0].aspect == "script"
    assert len(changes) == 3
    removed = version_diff.diff_versions(ProcessVersion(xml=new), ProcessVersion(xml=xml))
    assert [(c.element_id, c.change) for c in removed if c.change == "removed"] == [
        ("note_task", "removed")
    ]


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        ("PT24H", "24 小时", "24 h"),
        ("PT16H", "16 小时", "16 h"),
        ("P2D", "2 天", "2 d"),
        ("P1DT4H", "1 天 4 小时", "1 d 4 h"),
        ("PT90M", "1 小时 30 分钟", "1 h 30 min"),
        ("P2W", "2 周", "2 wk"),
        ("P1Y2M", "14 个月", "14 mo"),
        ("PT0.5H", "30 分钟", "30 min"),
        ("'PT4H'", "4 小时", "4 h"),  # a quoted timer value
    ],
)
def test_durations_are_humanised_in_the_readers_language(value, zh, en):
    with force_locale("zh_CN"):
        assert humanise_duration(value) == zh
    with force_locale("en"):
        assert humanise_duration(value) == en


@pytest.mark.parametrize("value", ["", "PT", "8 hours", "R3/PT4H", "2026-01-01T08:00:00", "P1X"])
def test_what_is_not_a_duration_is_not_humanised(value):
    assert humanise_duration(value) is None


def _changed_due_and_lane():
    xml = processes.latest_version("rush_order").xml
    new = (
        xml.replace('name="due" value="PT8H"', 'name="due" value="PT16H"', 1)
        .replace("PT4H</bpmn:timeDuration>", "P1D</bpmn:timeDuration>", 1)
        .replace("</bpmn:process>", '<bpmn:task id="x_task" /></bpmn:process>', 1)
    )
    # Move the PMC assessment to production's lane.
    new = new.replace("<bpmn:flowNodeRef>rush_assess_pmc</bpmn:flowNodeRef>", "", 1).replace(
        '<bpmn:lane id="Lane_production" name="production">',
        '<bpmn:lane id="Lane_production" name="production">'
        "<bpmn:flowNodeRef>rush_assess_pmc</bpmn:flowNodeRef>",
        1,
    )
    changes = version_diff.diff_versions(ProcessVersion(xml=xml), ProcessVersion(xml=new))
    return {c.element_id: c for c in changes}


def _rows(changes, locale):
    with force_locale(locale):
        rows = version_diff.present(list(changes.values()), locale)
    return {r.element_id: r for r in rows}


def test_the_diff_is_worded_in_chinese_with_the_raw_values_kept():
    changes = _changed_due_and_lane()
    rows = _rows(changes, "zh_CN")
    assess = rows["rush_assess_pmc"]
    assert assess.name == "PMC 评估插单"
    assert (assess.kind.text, assess.kind.raw) == ("用户任务", "userTask")
    details = {d.label: d for d in assess.details}
    assert set(details) == {"期限", "泳道（部门）"}, details
    due = details["期限"]
    assert (due.before.text, due.before.raw, due.after.text, due.after.raw) == (
        "8 小时",
        "PT8H",
        "16 小时",
        "PT16H",
    )
    lane = details["泳道（部门）"]
    pmc = db.session.scalar(db.select(Department).where(Department.key == "pmc"))
    assert (lane.before.text, lane.before.raw) == (pmc.name_zh, "pmc")
    assert (lane.after.text, lane.after.raw) == ("生产部", "production")
    timer = {d.label: d for d in rows["rush_approval_production_remind"].details}["事件"]
    assert timer.before.text == "定时器：4 小时" and timer.after.text == "定时器：1 天"
    assert timer.after.raw == "timerEventDefinition:P1D"
    assert rows["x_task"].kind.text == "任务" and rows["x_task"].change == "added"


def test_the_diff_is_worded_in_english():
    rows = _rows(_changed_due_and_lane(), "en")
    assess = rows["rush_assess_pmc"]
    assert assess.name == "PMC assessment of the rush order"
    assert assess.kind.text == "User task"
    details = {d.label: d for d in assess.details}
    assert (details["Time limit"].before.text, details["Time limit"].after.text) == (
        "8 h",
        "16 h",
    )
    assert details["Lane (department)"].after.text == "Production"
    assert details["Lane (department)"].after.raw == "production"


def test_unknown_kinds_and_properties_keep_their_raw_names():
    change = version_diff.ElementChange(
        "x", "fancyThing", "X", "changed", (Detail("property colour", "red", "blue"),)
    )
    with force_locale("zh_CN"):
        (row,) = version_diff.present([change], "zh_CN")
    assert row.kind.text == "fancyThing"
    assert row.details[0].label == "属性 colour"
    assert (row.details[0].before.text, row.details[0].after.text) == ("red", "blue")

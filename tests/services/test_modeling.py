"""The version diff: elements added, removed and changed, each changed one with what changed."""

from app.core.processes import modeling
from app.core.processes import versions as processes
from app.core.processes.models import ProcessVersion


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
        for c in modeling.diff_versions(ProcessVersion(xml=xml), ProcessVersion(xml=new))
    }
    assert changes["note_task"].change == "added" and changes["note_task"].kind == "task"
    assert changes["rush_assess_pmc"].change == "changed"
    assert changes["rush_assess_pmc"].details == (
        "name: PMC assessment of the rush order → PMC assesses",
    )
    script = changes["mark_rush_open"]
    assert script.change == "changed" and script.details[0].startswith("script:")
    assert len(changes) == 3
    removed = modeling.diff_versions(ProcessVersion(xml=new), ProcessVersion(xml=xml))
    assert [(c.element_id, c.change) for c in removed if c.change == "removed"] == [
        ("note_task", "removed")
    ]

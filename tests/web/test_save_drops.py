"""Saving never drops elements silently, on the server: a save from the modeler names what the
owner removed knowingly; anything else with an id that the new diagram lacks refuses the save,
in the reader's language, storing nothing."""

import re

from app.core.processes import drops, modeling
from app.core.processes import versions as processes
from app.core.processes.models import ProcessDraft
from app.extensions import db

PID = "rush_order"


def owner(make_user):
    return make_user(None, is_process_owner=True)


def stored() -> str:
    return processes.latest_version(PID).xml


def without(xml: str, element_id: str) -> str:
    """The diagram without the element of that id (and its body), as a tool that lost it."""
    pattern = rf'<(bpmn(?:di)?:\w+) [^>]*\bid="{re.escape(element_id)}"[^>]*?(/>|>.*?</\1>)'
    out, n = re.subn(pattern, "", xml, count=1, flags=re.S)
    assert n == 1, element_id
    return out


def a_task_and_its_flows(xml: str) -> tuple[str, list[str]]:
    """The first user task, the sequence flows that touch it and all their drawings removed."""
    task = re.search(r'<bpmn:userTask id="([^"]+)"', xml).group(1)
    flows = re.findall(
        rf'<bpmn:sequenceFlow id="([^"]+)"[^>]*(?:sourceRef|targetRef)="{task}"', xml
    )
    out = without(xml, task)
    for flow in flows:
        out = without(out, flow)
    for element in (task, *flows):
        shape = re.search(rf'<bpmndi:BPMN\w+ id="([^"]+)" bpmnElement="{element}"', out)
        if shape:
            out = without(out, shape.group(1))
    return out, [task, *flows]


def draft_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(ProcessDraft))


def test_a_deletion_the_modeler_sends_is_saved(client, login, make_user):
    login(owner(make_user))
    client.post("/language", data={"lang": "en"})
    xml, deleted = a_task_and_its_flows(stored())
    # The modeler sends the task and its flows; their drawings go with them.
    saved = client.post(f"/processes/{PID}/draft", json={"xml": xml, "removed": deleted[:1]})
    assert saved.status_code == 400, "the flows were not named"
    assert draft_count() == 0
    saved = client.post(f"/processes/{PID}/draft", json={"xml": xml, "removed": deleted})
    assert saved.status_code == 200 and saved.get_json()["saved"] is True
    assert modeling.draft_of(PID).xml == xml


def test_an_element_that_disappears_unnamed_refuses_the_save_in_both_languages(
    client, login, make_user
):
    login(owner(make_user))
    client.post("/language", data={"lang": "en"})
    xml, deleted = a_task_and_its_flows(stored())
    refused = client.post(f"/processes/{PID}/draft", json={"xml": xml})
    assert refused.status_code == 400
    error = refused.get_json()["error"]
    assert error.startswith("Nothing was saved: the diagram would lose elements you did not delete")
    for element_id in deleted:
        assert element_id in error, (element_id, error)
    assert "BPMNShape" not in error and "BPMNEdge" not in error  # drawings go with elements
    assert draft_count() == 0
    published = client.post(f"/processes/{PID}/publish", json={"xml": xml, "removed": []})
    assert published.status_code == 400 and processes.latest_version(PID).number == 1
    client.post("/language", data={"lang": "zh_CN"})
    refused = client.post(f"/processes/{PID}/draft", json={"xml": xml})
    assert refused.status_code == 400 and "未保存" in refused.get_json()["error"]
    assert draft_count() == 0


def test_a_lost_ref_attribute_refuses_unless_confirmed(client, login, make_user):
    login(owner(make_user))
    client.post("/language", data={"lang": "en"})
    xml = stored()
    flow = re.search(r'<bpmn:sequenceFlow id="([^"]+)" sourceRef="([^"]+)"', xml)
    lacking = xml.replace(f'sourceRef="{flow.group(2)}"', "", 1)
    refused = client.post(f"/processes/{PID}/draft", json={"xml": lacking})
    assert refused.status_code == 400
    assert f"sequenceFlow {flow.group(1)} (sourceRef)" in refused.get_json()["error"]
    confirmed = [f"{flow.group(1)}@sourceRef"]
    saved = client.post(f"/processes/{PID}/draft", json={"xml": lacking, "removed": confirmed})
    assert saved.status_code == 200
    # Pointing a reference elsewhere is an edit, not a loss.
    moved = xml.replace(f'sourceRef="{flow.group(2)}"', 'sourceRef="Elsewhere"', 1)
    token = saved.get_json()["token"]
    again = client.post(f"/processes/{PID}/draft", json={"xml": moved, "token": token})
    assert again.status_code == 200, again.get_json()


def test_a_damaged_removed_list_is_refused(client, login, make_user):
    login(owner(make_user))
    client.post("/language", data={"lang": "en"})
    for bad in ("Task_1", [1, 2], ["x" * 601], [""], {"id": "x"}):
        answer = client.post(f"/processes/{PID}/draft", json={"xml": stored(), "removed": bad})
        assert answer.status_code == 400, bad
        assert "list of removed elements is damaged" in answer.get_json()["error"]
    assert draft_count() == 0


def test_what_the_rules_account_for():
    xml, deleted = a_task_and_its_flows(stored())
    assert drops.lost(stored(), xml, set(deleted)) == []
    lost = drops.lost(stored(), xml, set())
    task, *flows = deleted
    assert sorted(lost) == sorted([f"userTask {task}", *(f"sequenceFlow {f}" for f in flows)])
    assert drops.lost(stored(), "<not-bpmn", set()) == []

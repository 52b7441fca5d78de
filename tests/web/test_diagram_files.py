"""Diagram files from other tools opened in the modeler: a new process's draft from an upload,
a file opened into an existing process's draft, refusals, the report page and publishing."""

import io
import json
from functools import partial
from pathlib import Path

from app.core.audit.models import AuditEvent
from app.core.processes import diagram_files, modeling
from app.core.processes import versions as processes
from app.core.processes.models import ProcessDraft, ProcessVersion
from app.core.users.models import User
from app.engine.documents import parse_bpmn
from app.extensions import db
from tests.diagram_samples import goods_check
from tests.races import results, run_together

ROOT = Path(__file__).resolve().parents[2]
BPMN_NS = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def owner(make_user):
    return make_user(None, is_process_owner=True)


def english(client):
    client.post("/language", data={"lang": "en"})


def upload(client, url, text, name="goods.bpmn", json=False, **fields):
    data = {"file": (io.BytesIO(text.encode("utf-8") if isinstance(text, str) else text), name)}
    headers = {"Accept": "application/json"} if json else {}
    return client.post(
        url, data={**data, **fields}, content_type="multipart/form-data", headers=headers
    )


def drafts() -> list[ProcessDraft]:
    return list(db.session.scalars(db.select(ProcessDraft).order_by(ProcessDraft.process_id)))


def process_ids(xml: str) -> list[str]:
    root = parse_bpmn(xml.encode("utf-8"))
    return [p.get("id") for p in root.iter(f"{BPMN_NS}process")]


def test_a_file_becomes_a_new_process_draft_under_its_own_key(client, login, make_user):
    login(owner(make_user))
    english(client)
    answer = upload(client, "/processes/new", goods_check())
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/processes/Process_goods_check/edit")
    (draft,) = drafts()
    assert draft.process_id == "Process_goods_check" and draft.base_version_id is None
    assert process_ids(draft.xml) == ["Process_goods_check"]
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "process.open_file"))
    said = json.loads(event.data)
    assert (said["process"], said["file"], said["new"]) == (
        "Process_goods_check",
        "goods.bpmn",
        True,
    )

    listing = client.get("/processes").get_data(as_text=True)
    assert "data-new-processes" in listing and 'data-process="Process_goods_check"' in listing
    editor = client.get("/processes/Process_goods_check/edit").get_data(as_text=True)
    assert "Goods check" in editor and "new, not published yet" in editor
    assert 'data-open-url="/processes/Process_goods_check/import"' in editor
    assert client.get("/processes/Process_goods_check/modeler.bpmn").get_data(as_text=True) == (
        draft.xml
    )
    # Nothing is published yet: the process page is the modeler.
    detail = client.get("/processes/Process_goods_check")
    assert detail.status_code == 302 and detail.headers["Location"].endswith("/edit")
    assert client.get("/processes/Process_goods_check/report").status_code == 200


def test_the_same_file_twice_gets_a_second_key_and_keys_never_take_a_published_one(
    client, login, make_user
):
    login(owner(make_user))
    english(client)
    upload(client, "/processes/new", goods_check())
    second = upload(client, "/processes/new", goods_check(), json=True)
    assert second.status_code == 200
    assert second.get_json()["process"] == "Process_goods_check_2"
    # A file whose process id is a published process's gets a key of its own.
    upload(client, "/processes/new", goods_check("rush_order"))
    assert [d.process_id for d in drafts()] == [
        "Process_goods_check",
        "Process_goods_check_2",
        "rush_order_2",
    ]
    assert process_ids(modeling.draft_of("rush_order_2").xml) == ["rush_order_2"]
    assert modeling.draft_of("rush_order") is None
    # Keys are letters, digits and _; one that would be a page of its own ("new") is not used.
    upload(client, "/processes/new", goods_check("new"))
    upload(client, "/processes/new", goods_check("9 to 5 check"))
    assert {"new_2", "process_9_to_5_check"} <= {d.process_id for d in drafts()}


def test_two_owners_opening_one_file_at_once_get_two_keys(app, make_user):
    user = owner(make_user)
    db.session.commit()

    def open_it(user_id):
        actor = db.session.get(User, user_id)
        data = goods_check().encode("utf-8")
        return diagram_files.new_process(actor, "goods.bpmn", data).draft.process_id

    keys = results(run_together(app, [partial(open_it, user.id), partial(open_it, user.id)]))
    assert sorted(keys) == ["Process_goods_check", "Process_goods_check_2"]
    db.session.expire_all()
    assert [d.process_id for d in drafts()] == sorted(keys)


def test_bad_files_are_refused_in_the_readers_language_and_change_nothing(
    client, login, make_user, monkeypatch
):
    login(owner(make_user))
    english(client)
    # A small limit: the test client would spool a real 2 MB body to a file it never closes.
    monkeypatch.setattr(diagram_files, "MAX_FILE_BYTES", 2 * 2**20 // 1024)
    too_big = goods_check() + " " * (2 * 2**20 // 1024)
    no_process = goods_check().split("<bpmn:process ")[0] + "</bpmn:definitions>"
    cases = [
        (too_big, "larger than the limit of 2 KB"),
        ("", "Choose a .bpmn file"),  # no file chosen: the browser sends an empty part
        ("   \n", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not"),
        ("name,qty\nbolt,3\n", "not"),
        ("<html><body>hi</body></html>", "BPMN"),
        (no_process, "holds no process"),
        (goods_check().split("<bpmndi:BPMNDiagram")[0] + "</bpmn:definitions>", "no drawing"),
    ]
    for text, said in cases:
        name = "" if text == "" else "goods.bpmn"
        answer = upload(client, "/processes/new", text, name=name, json=True)
        assert answer.status_code == 400, (text[:20], answer.get_data(as_text=True))
        assert said in answer.get_json()["error"], (said, answer.get_json())
    long_name = upload(client, "/processes/new", goods_check(), name="a" * 252 + ".bpmn", json=True)
    assert "longer than 255 characters" in long_name.get_json()["error"]
    page = upload(client, "/processes/new", no_process)
    assert page.status_code == 302 and page.headers["Location"].endswith("/processes/new")
    shown = client.get("/processes/new").get_data(as_text=True)
    assert "holds no process" in shown
    assert drafts() == []
    client.post("/language", data={"lang": "zh_CN"})
    answer = upload(client, "/processes/new", no_process, json=True)
    assert answer.status_code == 400 and "holds no process" not in answer.get_json()["error"]
    assert drafts() == []


def test_a_file_opened_into_a_process_takes_its_key_and_the_edit_token_guards_it(
    client, login, make_user
):
    login(owner(make_user))
    english(client)
    token = modeling.edit_token("rush_order")
    answer = upload(client, "/processes/rush_order/import", goods_check(), json=True, token=token)
    assert answer.get_json() == {"url": "/processes/rush_order/edit", "process": "rush_order"}
    draft = modeling.draft_of("rush_order")
    assert process_ids(draft.xml) == ["rush_order"]
    assert draft.base_version_id == processes.latest_version("rush_order").id
    assert 'processRef="rush_order"' in draft.xml
    # The token of before the file was opened no longer fits: another save came in between.
    stale = upload(client, "/processes/rush_order/import", goods_check(), json=True, token=token)
    assert stale.status_code == 409
    missing = upload(client, "/processes/no_such/import", goods_check(), json=True)
    assert missing.status_code == 404
    assert [d.process_id for d in drafts()] == ["rush_order"]


def test_a_new_process_is_published_from_its_draft_and_then_has_versions(client, login, make_user):
    login(owner(make_user))
    english(client)
    upload(client, "/processes/new", goods_check(lane="warehouse"))
    draft = modeling.draft_of("Process_goods_check")
    token = modeling.edit_token("Process_goods_check")
    answer = client.post(
        "/processes/Process_goods_check/publish", json={"xml": draft.xml, "token": token}
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["url"] == "/processes/Process_goods_check"
    version = processes.latest_version("Process_goods_check")
    assert (version.number, version.file_name) == (1, "Process_goods_check.bpmn")
    assert modeling.draft_of("Process_goods_check") is None
    assert client.get("/processes/Process_goods_check").status_code == 200


def test_discarding_a_new_process_draft_leaves_nothing(client, login, make_user):
    login(owner(make_user))
    english(client)
    upload(client, "/processes/new", goods_check())
    answer = client.post("/processes/Process_goods_check/draft/discard")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/processes")
    assert drafts() == []
    count = db.select(db.func.count()).select_from(ProcessVersion)
    assert db.session.scalar(count.where(ProcessVersion.process_id == "Process_goods_check")) == 0
    assert client.get("/processes/Process_goods_check/edit").status_code == 404


def test_the_report_page_lists_items_by_status_with_links_into_the_modeler(
    client, login, make_user
):
    login(owner(make_user))
    english(client)
    upload(client, "/processes/new", goods_check())
    draft = modeling.draft_of("Process_goods_check")
    draft.report = (
        '[{"status": "owner", "element": "Lane_reviewers", "message": "Pick a department"},'
        ' {"status": "mapped", "element": null, "message": "Mapped the form"}]'
    )
    db.session.commit()
    page = client.get("/processes/Process_goods_check/report").get_data(as_text=True)
    assert page.index("Needs your decision") < page.index("Mapped automatically")
    assert "/processes/Process_goods_check/edit?select=Lane_reviewers" in page
    editor = client.get("/processes/Process_goods_check/edit").get_data(as_text=True)
    assert 'data-select-element="Lane_reviewers"' in editor


def test_an_owner_answers_the_report_and_the_draft_gets_the_choice(client, login, make_user):
    login(owner(make_user))
    english(client)
    upload(client, "/processes/new", goods_check())
    editor = client.get("/processes/Process_goods_check/edit").get_data(as_text=True)
    assert "data-report-answer" in editor and '<option value="warehouse">Warehouse</option>' in (
        editor
    )

    def answer(value, element="Lane_reviewers", field="department"):
        token = modeling.edit_token("Process_goods_check")
        data = {"element": element, "field": field, "value": value, "token": token}
        return client.post("/processes/Process_goods_check/answer", data=data)

    # Only what the report offers: another value, element or field is refused, nothing changes.
    before = modeling.draft_of("Process_goods_check").xml
    for asked, said in (
        ({"value": "no_such_department"}, "Pick one of the choices"),
        ({"value": "warehouse", "element": "Task_check"}, "asks nothing of this kind"),
        ({"value": "warehouse", "field": "form"}, "asks nothing of this kind"),
    ):
        assert answer(**asked).status_code == 302
        assert said in client.get("/processes/Process_goods_check/edit").get_data(as_text=True)
    assert modeling.draft_of("Process_goods_check").xml == before

    done = answer("warehouse")
    assert done.headers["Location"].endswith(
        "/processes/Process_goods_check/edit?select=Lane_reviewers"
    )
    draft = modeling.draft_of("Process_goods_check")
    assert 'id="Lane_reviewers" name="Warehouse"' in draft.xml
    (item,) = [i for i in diagram_files.report_of(draft) if i["element"] == "Lane_reviewers"]
    assert item["answer"] == "warehouse"
    page = client.get("/processes/Process_goods_check/report").get_data(as_text=True)
    assert 'data-answered="warehouse"' in page and "Answered: Warehouse" in page
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "process.answer"))
    assert json.loads(event.data)["value"] == "warehouse"
    # The draft now validates: publishing it makes version 1.
    published = client.post(
        "/processes/Process_goods_check/publish",
        json={"xml": draft.xml, "token": modeling.edit_token("Process_goods_check")},
    )
    assert published.status_code == 200, published.get_json()
    # A stale token (the page was opened before another save) is refused.
    upload(client, "/processes/new", goods_check())
    token = modeling.edit_token("Process_goods_check_2")
    client.post(
        "/processes/Process_goods_check_2/draft", json={"xml": goods_check(), "token": token}
    )
    stale = {"element": "Lane_reviewers", "field": "department", "value": "sales", "token": token}
    client.post("/processes/Process_goods_check_2/answer", data=stale)
    assert 'Lane_reviewers" name="Sales"' not in modeling.draft_of("Process_goods_check_2").xml


def test_an_owner_binds_a_service_task_to_a_connector_from_the_report(client, login, make_user):
    login(owner(make_user))
    english(client)
    text = (ROOT / "tests/bpmn_corpus/camunda8/credit_limit.bpmn").read_text(encoding="utf-8")
    upload(client, "/processes/new", text, name="credit_limit.bpmn")
    url = "/processes/credit_limit_8132"
    (item,) = [
        i
        for i in diagram_files.report_of(modeling.draft_of("credit_limit_8132"))
        if i["element"] == "Activity_5444024"
    ]
    assert item["field"] == "connector" and sorted(item["choices"]) == ["http", "notify"]
    editor = client.get(f"{url}/edit").get_data(as_text=True)
    assert '<option value="notify">Connector: send a notification</option>' in editor
    token = modeling.edit_token("credit_limit_8132")
    data = {"element": "Activity_5444024", "field": "connector", "value": "notify"}
    client.post(f"{url}/answer", data={**data, "token": token})
    draft = modeling.draft_of("credit_limit_8132")
    task = next(
        t
        for t in parse_bpmn(draft.xml.encode()).iter(f"{BPMN_NS}serviceTask")
        if t.get("id") == "Activity_5444024"
    )
    (operator,) = task.iter("{http://spiffworkflow.org/bpmn/schema/1.0/core}serviceTaskOperator")
    assert operator.get("id") == "notify"
    page = client.get(f"{url}/report").get_data(as_text=True)
    assert "Answered: Connector: send a notification" in page
    # A value the report does not offer is refused and changes nothing.
    client.post(f"{url}/answer", data={**data, "value": "ftp", "token": token})
    assert modeling.draft_of("credit_limit_8132").xml == draft.xml


def test_an_owner_replaces_a_repeating_start_timer_from_the_report(client, login, make_user):
    login(owner(make_user))
    english(client)
    text = (ROOT / "tests/bpmn_corpus/spiff/sample_release.bpmn").read_text(encoding="utf-8")
    upload(client, "/processes/new", text, name="sample_release.bpmn")
    url, start = "/processes/sample_release_5595", "Event_4095928"
    editor = client.get(f"{url}/edit").get_data(as_text=True)
    assert '<option value="none">A plain start (no timer)</option>' in editor
    token = modeling.edit_token("sample_release_5595")
    data = {"element": start, "field": "timer", "value": "none", "token": token}
    client.post(f"{url}/answer", data=data)
    root = parse_bpmn(modeling.draft_of("sample_release_5595").xml.encode())
    event = next(e for e in root.iter(f"{BPMN_NS}startEvent") if e.get("id") == start)
    assert event.find(f"{BPMN_NS}timerEventDefinition") is None
    page = client.get(f"{url}/report").get_data(as_text=True)
    assert "Answered: A plain start (no timer)" in page

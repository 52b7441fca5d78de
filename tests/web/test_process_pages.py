"""Process owners' pages: drafts, publishing through server validation, versions, diffs, forms."""

import html
import json

import flask_babel

from app.core.audit.models import AuditEvent
from app.core.processes import form_library
from app.core.processes import versions as processes
from app.core.processes.models import FormVersion, ProcessDraft, ProcessVersion
from app.extensions import db
from app.modules.orders.services import subject as order_subject
from tests.statements import counted

PID = "rush_order"


def owner(make_user):
    return make_user(None, is_process_owner=True)


def english(client):
    client.post("/language", data={"lang": "en"})


def latest_xml() -> str:
    return processes.latest_version(PID).xml


def test_only_process_owners_reach_the_pages(client, login, make_user):
    login(make_user("sales"))
    for url in ("/processes", f"/processes/{PID}", f"/processes/{PID}/edit", "/forms"):
        assert client.get(url).status_code == 403, url
    refused = client.post(f"/processes/{PID}/draft", json={"xml": latest_xml()})
    assert refused.status_code == 403 and "error" in refused.get_json()
    assert db.session.scalar(db.select(db.func.count()).select_from(ProcessDraft)) == 0
    denials = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "denied.modeling")
    ).all()
    assert len(denials) == 5


def test_owner_lists_processes_and_opens_the_modeler(client, login, make_user):
    login(owner(make_user))
    english(client)
    page = client.get("/processes").get_data(as_text=True)
    assert 'data-process="rush_order"' in page and 'data-process="order_lifecycle"' in page
    editor = client.get(f"/processes/{PID}/edit").get_data(as_text=True)
    start = editor.index('class="og-modeler-config">') + len('class="og-modeler-config">')
    config = json.loads(editor[start : editor.index("</script>", start)])
    pmc = {"key": "pmc", "name": "PMC", "aliases": ["PMC", "计划部(PMC)"]}
    assert pmc in config["departments"]  # aliases: every lane name publishing accepts
    assert "rush_approval" in config["forms"] and config["csrf_token"]
    assert config["messages"]["publish_blocked"] == "Fix the lint errors before publishing."
    xml = client.get(f"/processes/{PID}/modeler.bpmn")
    assert xml.mimetype == "application/xml" and 'id="rush_order"' in xml.get_data(as_text=True)


def test_a_broken_draft_is_saved_but_not_published(client, login, make_user):
    login(owner(make_user))
    english(client)
    broken = latest_xml().replace('value="rush_assessment"', 'value="no_such_form"')
    saved = client.post(f"/processes/{PID}/draft", json={"xml": broken})
    assert saved.status_code == 200 and saved.get_json()["saved"] is True
    refused = client.post(f"/processes/{PID}/publish", json={"xml": broken})
    assert refused.status_code == 422
    messages = [p["message"] for p in refused.get_json()["problems"]]
    assert any("no_such_form" in m for m in messages), messages
    assert processes.latest_version(PID).number == 1
    draft = db.session.scalar(db.select(ProcessDraft))
    assert "no_such_form" in draft.xml  # the work is kept
    assert "no_such_form" in client.get(f"/processes/{PID}/modeler.bpmn").get_data(as_text=True)
    detail = client.get(f"/processes/{PID}").get_data(as_text=True)
    assert "data-draft" in detail
    client.post(f"/processes/{PID}/draft/discard")
    assert db.session.scalar(db.select(db.func.count()).select_from(ProcessDraft)) == 0
    assert "no_such_form" not in client.get(f"/processes/{PID}/modeler.bpmn").get_data(as_text=True)


def test_publishing_stores_a_version_and_the_diff_lists_the_change(client, login, make_user):
    user = owner(make_user)
    login(user)
    english(client)
    changed = latest_xml().replace('name="PMC assessment of the rush order"', 'name="PMC assesses"')
    changed = changed.replace('value="PT8H"', 'value="PT4H"', 1)
    assert changed != latest_xml()
    done = client.post(f"/processes/{PID}/publish", json={"xml": changed})
    body = done.get_json()
    assert done.status_code == 200 and body["published"] and body["version"] == 2, body
    new = processes.latest_version(PID)
    assert new.created_by_id == user.id
    assert db.session.scalar(db.select(db.func.count()).select_from(ProcessDraft)) == 0
    versions = client.get(f"/processes/{PID}").get_data(as_text=True)
    assert 'data-version="2"' in versions and user.display_name in versions
    diff = client.get(f"/processes/{PID}/diff?a=1&b=2").get_data(as_text=True)
    assert 'data-element="rush_assess_pmc" data-change="changed"' in diff
    assert 'Time limit: <span class="raw-value" title="PT8H">8 h</span> → ' in diff
    assert '<span class="raw-value" title="PT4H">4 h</span>' in diff
    assert "Name: PMC assessment of the rush order → PMC assesses" in diff
    assert '<span title="userTask">User task</span>' in diff
    client.post("/language", data={"lang": "zh_CN"})
    flask_babel.refresh()
    diff = client.get(f"/processes/{PID}/diff?a=1&b=2").get_data(as_text=True)
    assert '期限：<span class="raw-value" title="PT8H">8 小时</span> → ' in diff
    assert "名称：PMC assessment of the rush order → PMC assesses" in diff
    assert '<span title="userTask">用户任务</span>' in diff
    assert "property due" not in diff and "PT8H →" not in diff
    again = client.post(f"/processes/{PID}/publish", json={"xml": changed}).get_json()
    assert again["published"] and again["created"] is False and again["version"] == 2


def test_the_process_id_cannot_be_changed_and_bad_requests_are_refused(client, login, make_user):
    login(owner(make_user))
    english(client)
    renamed = latest_xml().replace('id="rush_order"', 'id="other_process"')
    refused = client.post(f"/processes/{PID}/publish", json={"xml": renamed})
    assert refused.status_code == 422
    assert "it must stay rush_order" in refused.get_json()["problems"][0]["message"]
    empty = client.post(f"/processes/{PID}/draft", json={"nothing": 1})
    assert (
        empty.status_code == 400 and empty.get_json()["error"] == "The request carried no diagram."
    )
    garbage = client.post(f"/processes/{PID}/publish", json={"xml": "<not-bpmn"})
    assert garbage.status_code == 422 and garbage.get_json()["problems"]
    assert client.get("/processes/nope").status_code == 404
    assert client.post("/processes/nope/draft", json={"xml": "<x/>"}).status_code == 404
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(ProcessVersion)
            .where(ProcessVersion.process_id == "other_process")
        )
        == 0
    )


def users_one_process_at_a_time(name):
    """What the form editor showed as a form's users, read process by process."""
    users = []
    for pid in sorted(db.session.scalars(db.select(ProcessVersion.process_id).distinct())):
        latest = processes.latest_version(pid)
        pinned = next((f for f in latest.forms if f.name == name), None)
        if pinned is not None:
            users.append((latest, pinned))
    return users


def test_the_forms_list_reads_the_same_few_statements_however_many_forms(client, login, make_user):
    """Each form's newest version and its users, as asked form by form, in three reads."""
    login(owner(make_user))
    expected = [
        (processes.latest_form(name), users_one_process_at_a_time(name))
        for name in form_library.form_names()
    ]
    assert form_library.library_rows() == expected
    assert [form_library.used_by(form.name) for form, _users in expected] == [
        users for _form, users in expected
    ]
    assert any(used for _form, used in expected)  # the comparison covers pinned users
    with counted() as before:
        assert client.get("/forms").status_code == 200
    starter = form_library.starter_text().encode("utf-8")
    for n in range(5):
        processes.deploy_form(
            f"extra_form_{n}", starter.replace(b"New form", f"F{n}".encode()), None
        )
    db.session.commit()
    with counted() as after:
        listing = client.get("/forms").get_data(as_text=True)
    assert 'data-form="extra_form_4"' in listing
    assert after.statements == before.statements


def test_forms_are_checked_previewed_and_published(client, login, make_user):
    login(owner(make_user))
    english(client)
    listing = client.get("/forms").get_data(as_text=True)
    assert 'data-form="rush_approval"' in listing
    page = client.get("/forms/rush_approval").get_data(as_text=True)
    assert "Publish a new version" in page and 'name="decision"' in page  # the preview
    current = processes.latest_form("rush_approval")
    bad_json = client.post("/forms/rush_approval", data={"content": "{", "action": "publish"})
    assert bad_json.status_code == 400 and "This is not valid JSON" in bad_json.get_data(
        as_text=True
    )
    doc = json.loads(current.content)
    doc["type"] = "array"
    bad_schema = client.post(
        "/forms/rush_approval", data={"content": json.dumps(doc), "action": "publish"}
    )
    assert bad_schema.status_code == 400
    assert 'The top-level "type" must be "object".' in html.unescape(
        bad_schema.get_data(as_text=True)
    )
    doc = json.loads(current.content)
    doc["x-ui"]["fields"]["notes"]["label"]["en"] = "Remarks for the planner"
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    preview = client.post("/forms/rush_approval", data={"content": text, "action": "preview"})
    assert "Remarks for the planner" in preview.get_data(as_text=True)
    assert processes.latest_form("rush_approval").number == current.number
    client.post("/forms/rush_approval", data={"content": text, "action": "publish"})
    newest = processes.latest_form("rush_approval")
    assert newest.number == current.number + 1
    # The published process version keeps the form version it was published with.
    pinned = processes.pinned_form(processes.latest_version(PID), "rush_approval")
    assert pinned.id == current.id
    created = client.get("/forms/new?name=quality_hold", follow_redirects=True)
    assert created.request.path == "/forms/quality_hold"
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(FormVersion)
            .where(FormVersion.name == "quality_hold")
        )
        == 0
    )
    assert client.get("/forms/new?name=Bad Name", follow_redirects=True).request.path == "/forms"


def test_a_save_on_top_of_someone_elses_save_is_refused(client, login, make_user):
    from app.core.processes import modeling

    login(owner(make_user))
    english(client)
    opened = modeling.edit_token(PID)
    first = client.post(f"/processes/{PID}/draft", json={"xml": latest_xml(), "token": opened})
    assert first.status_code == 200
    mine = first.get_json()["token"]
    assert mine != opened
    # A second owner still has the page from before the first save.
    stale = client.post(f"/processes/{PID}/draft", json={"xml": "<changed/>", "token": opened})
    assert stale.status_code == 409 and "Someone else saved" in stale.get_json()["error"]
    assert "<changed/>" not in db.session.scalar(db.select(ProcessDraft.xml))
    assert (
        client.post(
            f"/processes/{PID}/draft", json={"xml": latest_xml(), "token": mine}
        ).status_code
        == 200
    )


def test_running_orders_are_dry_run_migrated_and_reverted_from_the_pages(
    client, login, make_user, make_order
):
    from app.core.processes.models import InstanceMigration
    from app.core.tasks.models import ProcessInstance

    order = make_order()  # its lifecycle waits at the first step, on version 1
    login(owner(make_user))
    english(client)
    lifecycle = processes.latest_version("order_lifecycle")
    xml = lifecycle.xml.replace('name="due" value="P2D"', 'name="due" value="P3D"', 1)
    assert xml != lifecycle.xml
    published = client.post("/processes/order_lifecycle/publish", json={"xml": xml}).get_json()
    assert published["version"] == 2, published
    detail = client.get("/processes/order_lifecycle").get_data(as_text=True)
    assert "<li>v1: 1</li>" in detail and "Dry run" in detail
    listing = client.get("/processes").get_data(as_text=True)
    row = listing[listing.index('data-process="order_lifecycle"') :].split("</tr>")[0]
    assert "<td>v2</td>" in row and '<span class="status status-awaiting_customer">1</span>' in row
    dry = client.post("/processes/order_lifecycle/migrations", data={"mode": "dry_run"})
    assert dry.status_code == 302
    page = client.get(dry.headers["Location"]).get_data(as_text=True)
    assert 'data-outcome="eligible"' in page
    instance = db.session.scalar(
        db.select(ProcessInstance).where(order_subject.about_order(ProcessInstance, order.id))
    )
    assert instance.process_version_id == lifecycle.id  # a dry run changes nothing
    applied = client.post("/processes/order_lifecycle/migrations", data={"mode": "apply"})
    page = client.get(applied.headers["Location"]).get_data(as_text=True)
    assert 'data-outcome="migrated"' in page and "Revert" in page
    db.session.expire_all()
    assert db.session.get(ProcessInstance, instance.id).version.number == 2
    item = db.session.scalar(
        db.select(InstanceMigration).where(InstanceMigration.outcome == "migrated")
    )
    client.post(f"/processes/migrations/{item.id}/revert")
    db.session.expire_all()
    assert db.session.get(ProcessInstance, instance.id).version.number == 1
    again = client.post(f"/processes/migrations/{item.id}/revert")
    assert again.status_code == 409


def test_the_viewers_get_names_in_the_readers_language_and_the_download_stays_raw(
    client, login, make_user, make_order
):
    login(owner(make_user))
    zh = client.get(f"/processes/{PID}/versions/1.bpmn?labels=reader").get_data(as_text=True)
    assert 'name="PMC 评估插单"' in zh and 'name="生产部"' in zh
    assert 'name="PMC assessment of the rush order"' not in zh
    raw = client.get(f"/processes/{PID}/versions/1.bpmn").get_data(as_text=True)
    assert raw == latest_xml()
    english(client)
    flask_babel.refresh()
    en = client.get(f"/processes/{PID}/versions/1.bpmn?labels=reader").get_data(as_text=True)
    assert 'name="PMC assessment of the rush order"' in en and 'name="Production"' in en
    assert '<bpmn:lane id="Lane_production" name="production">' not in en

    order = make_order()
    diagram = client.get(f"/orders/{order.id}/diagram.bpmn")
    assert diagram.status_code == 200 and diagram.mimetype == "application/xml"
    body = diagram.get_data(as_text=True)
    assert 'name="Sales"' in body and 'name="Confirm order details"' in body


def test_a_forms_editor_reads_its_users_in_the_same_statements_however_many_processes(
    client, login, make_user
):
    """The "Used by" line of a form's editor: one read of the newest process versions."""
    login(owner(make_user))
    name = processes.latest_version(PID).forms[0].name
    users_before = len(users_one_process_at_a_time(name))
    english(client)
    with counted() as before:
        page = client.get(f"/forms/{name}")
    assert page.status_code == 200 and "Used by" in page.get_data(as_text=True)
    latest = processes.latest_version(PID)
    xml, decisions = latest.xml, json.loads(latest.decisions or "{}")
    dmn_files = {file: text.encode() for file, text in decisions.items()}
    for n in range(4):
        copy = xml.replace(f'id="{PID}"', f'id="copy_{n}"').replace(
            f'processRef="{PID}"', f'processRef="copy_{n}"'
        )
        copied = processes.deploy_process(f"copy_{n}.bpmn", copy.encode(), None, dmn_files)
        assert copied.version, copied.problems
    db.session.commit()
    assert len(users_one_process_at_a_time(name)) == users_before + 4
    assert form_library.used_by(name) == users_one_process_at_a_time(name)
    with counted() as after:
        assert client.get(f"/forms/{name}").status_code == 200
    assert after.statements == before.statements

"""Converting another tool's diagram on the server (POST /processes/convert): the report in
the reader's language, with this OrderGate's departments and forms; bad input refused plainly."""

import re

import flask_babel

from app.core.audit.models import AuditEvent
from app.core.processes import conversion
from app.core.processes.models import ProcessDraft, ProcessVersion
from app.engine import convert as engine_convert
from app.extensions import db
from tests.bpmn_corpus.harness import CORPUS

FIELDS = re.compile(r"%\((\w+)\)s")


def owner(make_user):
    return make_user(None, is_process_owner=True)


def _counts():
    return [
        db.session.scalar(db.select(db.func.count()).select_from(m))
        for m in (ProcessVersion, ProcessDraft)
    ]


def test_every_report_key_is_said_in_both_languages(app):
    assert set(conversion.SENTENCES) == set(engine_convert.MESSAGES)
    for key, sentence in conversion.SENTENCES.items():
        with app.test_request_context():
            with flask_babel.force_locale("en"):
                english = str(sentence)
            with flask_babel.force_locale("zh_CN"):
                chinese = str(sentence)
        assert chinese != english and re.search(r"[\u4e00-\u9fff]", chinese), key
        assert sorted(FIELDS.findall(chinese)) == sorted(FIELDS.findall(english)), key
    for status in engine_convert.STATUSES:
        assert status in conversion.STATUS_WORDS


def test_a_camunda_diagram_is_converted_with_the_report_in_chinese(client, login, make_user):
    login(owner(make_user))
    before = _counts()
    data = (CORPUS / "camunda7" / "return_authorization.bpmn").read_text(encoding="utf-8")
    client.post("/language", data={"lang": "zh_CN"})
    answer = client.post("/processes/convert", json={"xml": data})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert "spiffworkflow:property" in body["xml"] or 'name="due"' in body["xml"]
    statuses = [i["status"] for i in body["items"]]
    assert statuses == sorted(statuses, key=["owner", "check", "mapped", "kept"].index)
    assert body["counts"]["mapped"] == statuses.count("mapped") > 0
    due = next(i for i in body["items"] if i["field"] == "due" and i["status"] == "mapped")
    assert due["value"] == "P1D" and "截止" in due["message"], due
    condition = next(i for i in body["items"] if i["field"] == "condition")
    assert condition["value"] == "decision == 'approve'" and re.search(
        r"[\u4e00-\u9fff]", condition["message"]
    )
    assert all(re.search(r"[\u4e00-\u9fff]", i["message"]) for i in body["items"])
    # the departments and forms offered are this OrderGate's
    forms = next(i for i in body["items"] if i["field"] == "form")
    assert "order_intake" in forms["choices"]
    client.post("/language", data={"lang": "en"})
    english = client.post("/processes/convert", json={"xml": data}).get_json()
    due = next(i for i in english["items"] if i["field"] == "due" and i["status"] == "mapped")
    assert due["message"].startswith(
        "The due date '${dateTime().plusDays(1).toDate()}' of user task"
    )
    assert _counts() == before  # converting stores nothing


def test_bad_input_is_refused_plainly(client, login, make_user):
    login(owner(make_user))
    client.post("/language", data={"lang": "en"})
    before = _counts()
    for body, fragment in (
        ({}, "no diagram"),
        ({"xml": ""}, "no diagram"),
        ({"xml": "<html><body/></html>"}, "not a BPMN 2.0 file"),
        ({"xml": "<bpmn:definitions"}, "not well-formed XML"),
        ({"xml": "x" * (2 * 1024 * 1024 + 1)}, "larger than 2 MB"),
    ):
        answer = client.post("/processes/convert", json=body)
        assert answer.status_code == 400, body
        assert fragment in answer.get_json()["error"], answer.get_json()
    assert _counts() == before


def test_only_process_owners_convert(client, login, make_user):
    login(make_user("sales"))
    data = (CORPUS / "bpmnio" / "order_approval.bpmn").read_text(encoding="utf-8")
    answer = client.post("/processes/convert", json={"xml": data})
    assert answer.status_code == 403
    denied = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "denied.modeling").order_by(AuditEvent.id)
    ).all()
    assert denied and "convert" in denied[-1].data

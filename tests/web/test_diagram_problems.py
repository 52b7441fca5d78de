"""The engine's diagram problems in the reader's language: every key has a sentence and a
Chinese translation, and a refused publish says its problems in the page's language."""

import re

import flask_babel
import pytest

from app.core.processes import diagram_problems
from app.core.processes import versions as processes
from app.engine import problems, validation
from app.engine.problems import MESSAGES, said

PID = "rush_order"
FIELDS = re.compile(r"%\((\w+)\)s")


def owner(make_user):
    return make_user(None, is_process_owner=True)


def test_every_problem_key_the_engine_has_is_said_in_both_languages(app):
    assert set(diagram_problems.SENTENCES) == set(MESSAGES)
    for key in MESSAGES:
        english = str(diagram_problems.SENTENCES[key]._args[0])
        with app.test_request_context(), flask_babel.force_locale("zh_CN"):
            chinese = str(diagram_problems.SENTENCES[key])
        assert chinese != english and re.search(r"[\u4e00-\u9fff]", chinese), key
        assert sorted(FIELDS.findall(chinese)) == sorted(FIELDS.findall(english)), key


def test_the_engine_uses_only_registered_keys():
    """Every said("…") in the engine names a registered key; every key is used somewhere."""
    used = set()
    for path in __import__("pathlib").Path(problems.__file__).parent.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'said\(\s*"(\w+)"', text))
        for side in re.findall(r'said\(f"flow_(no|bad)_\{side\}"', text):
            used |= {f"flow_{side}_source", f"flow_{side}_target"}
    assert used <= set(MESSAGES), used - set(MESSAGES)
    assert set(MESSAGES) <= used, set(MESSAGES) - used
    with pytest.raises(KeyError):
        said("no_such_key")


def _say(app, locale, message):
    with app.test_request_context(), flask_babel.force_locale(locale):
        return diagram_problems.text(message)


def test_messages_in_both_languages(app):
    gateway = said("gateway_no_outgoing", kind="exclusiveGateway", id="Gateway_1")
    assert (
        str(gateway)
        == "Exclusive gateway 'Gateway_1' has no outgoing flow; connect it to the next step."
    )
    assert _say(app, "en", gateway) == str(gateway)
    assert _say(app, "zh_CN", gateway) == "排他网关“Gateway_1” 没有流出的连线；请把它连接到下一步。"
    flow = said("flow_no_condition", kind="exclusiveGateway", id="Gw", flow="Flow_9")
    assert _say(app, "en", flow) == str(flow)
    zh = _say(app, "zh_CN", flow)
    assert "“Flow_9”" in zh and "排他网关“Gw”" in zh and "默认连线" in zh
    build = said("build_failed", detail="Expected a condition")
    assert _say(app, "en", build) == "SpiffWorkflow cannot build the process: Expected a condition."
    assert _say(app, "zh_CN", build) == "SpiffWorkflow 无法构建该流程：Expected a condition。"
    assert _say(app, "zh_CN", "A plain English problem") == "A plain English problem"


def test_real_problems_keep_their_english_text_and_are_said_in_chinese(app):
    xml = processes.latest_version(PID).xml.replace('isExecutable="true"', 'isExecutable="false"')
    found = validation.validate_bpmn(xml.encode(), processes.db_catalog())
    keyed = [p for p in found if getattr(p.message, "key", None) == "not_executable"]
    assert keyed and str(keyed[0].message).startswith("No process is marked executable")
    assert _say(app, "zh_CN", keyed[0].message).startswith("没有流程被标记为可执行")


def _publish_broken(client, lang):
    client.post("/language", data={"lang": lang})
    xml = processes.latest_version(PID).xml
    source = re.search(r'<bpmn:sequenceFlow id="([^"]+)" sourceRef="([^"]+)"', xml)
    broken = xml.replace(f'sourceRef="{source.group(2)}"', 'sourceRef="Nowhere_1"', 1)
    refused = client.post(f"/processes/{PID}/publish", json={"xml": broken})
    assert refused.status_code == 422
    return source.group(1), [p["message"] for p in refused.get_json()["problems"]]


def test_a_refused_publish_says_its_problems_in_the_page_language(client, login, make_user):
    login(owner(make_user))
    flow, messages = _publish_broken(client, "zh_CN")
    expected = f"连线 “{flow}” 的起点 “Nowhere_1” 不是本流程中的元素；请重新连接。"
    assert expected in messages, messages
    flow, messages = _publish_broken(client, "en")
    expected = (
        f"Sequence flow '{flow}' starts at 'Nowhere_1', which is not an element of this "
        "process; reconnect it."
    )
    assert expected in messages, messages
    assert processes.latest_version(PID).number == 1


def test_notes_and_lists_inside_a_problem_are_said_too(app):
    note = said("note_camunda_form", form="approve.form")
    problem = said("no_form", kind="userTask", id="Review", note=note)
    assert str(problem) == (
        "User task 'Review' has no form; add the spiffworkflow property 'form' naming one "
        "(OrderGate does not read its Camunda form 'approve.form')."
    )
    assert _say(app, "en", problem) == str(problem)
    assert _say(app, "zh_CN", problem) == (
        "用户任务“Review” 没有表单；请添加 spiffworkflow 属性“form”，填写表单名称"
        "（OrderGate 不读取它的 Camunda 表单 “approve.form”）。"
    )
    empty = said(
        "unknown_role", kind="userTask", id="Review", role="boss", known=said("none_defined")
    )
    assert str(empty).endswith("use one of: (none defined yet).")
    assert _say(app, "en", empty) == str(empty)
    assert _say(app, "zh_CN", empty).endswith(
        "要求的角色 “boss” 不存在；请使用以下之一：（尚未定义）。"
    )

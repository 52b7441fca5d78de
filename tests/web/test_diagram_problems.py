"""The engine's diagram problems in the reader's language: every key has a sentence and a
Chinese translation, and a refused publish says its problems in the page's language."""

import re
from pathlib import Path

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


def _template(app, locale, sentence):
    with app.test_request_context(), flask_babel.force_locale(locale):
        return sentence() if callable(sentence) else str(sentence)


def test_every_problem_key_the_engine_has_is_said_in_both_languages(app):
    assert set(diagram_problems.SENTENCES) == set(MESSAGES)
    for key, sentence in diagram_problems.SENTENCES.items():
        english, chinese = (_template(app, locale, sentence) for locale in ("en", "zh_CN"))
        if key in ("owner",):  # only the element, said by its kind's own translation
            continue
        assert chinese != english and re.search(r"[\u4e00-\u9fff]", chinese), key
        assert sorted(FIELDS.findall(chinese)) == sorted(FIELDS.findall(english)), key


def test_the_engine_uses_only_registered_keys():
    """Every said("…") in the engine names a registered key; every key is used somewhere."""
    said_keys, literals = set(), set()
    for path in Path(problems.__file__).parent.glob("*.py"):
        if path.name == "problems.py":
            continue
        text = path.read_text(encoding="utf-8")
        said_keys |= set(re.findall(r'said\(\s*"(\w+)"', text))
        literals |= set(re.findall(r'"(\w+)"', text))
        for side in re.findall(r'said\(f"flow_(no|bad)_\{side\}"', text):
            literals |= {f"flow_{side}_source", f"flow_{side}_target"}
    assert said_keys <= set(MESSAGES), said_keys - set(MESSAGES)
    assert set(MESSAGES) <= literals, set(MESSAGES) - literals
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
    assert (
        _say(app, "zh_CN", gateway) == "排他网关“Gateway_1” 没有流出的顺序流；请把它连接到下一步。"
    )
    flow = said("flow_no_condition", kind="exclusiveGateway", id="Gw", flow="Flow_9")
    assert _say(app, "en", flow) == str(flow)
    zh = _say(app, "zh_CN", flow)
    assert "“Flow_9”" in zh and "排他网关“Gw”" in zh and "默认顺序流" in zh
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
    expected = f"顺序流 “{flow}” 的起点 “Nowhere_1” 不是本流程中的元素；请重新连接。"
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


def test_expression_problems_name_the_part_and_its_owner_in_both_languages(app):
    owner = said("owner", kind="sequenceFlow", id="Flow_1")
    juel = said("foreign_juel", expr="${amount > 5}")
    problem = said("expr_refused", what=said("what_condition"), owner=owner, detail=juel)
    assert str(problem) == (
        "The condition of sequence flow 'Flow_1' was refused: '${amount > 5}' is a Camunda 7 "
        "(JUEL) expression; OrderGate evaluates Python, so write it as a Python expression "
        "without ${ }."
    )
    assert _say(app, "en", problem) == str(problem)
    assert _say(app, "zh_CN", problem) == (
        "顺序流“Flow_1”的条件被拒绝：“${amount > 5}” 是 Camunda 7（JUEL）表达式；"
        "OrderGate 计算的是 Python，请改写为不带 ${ } 的 Python 表达式。"
    )
    table = said("table_no_rules", owner=said("owner_table", id="Discount"))
    assert _say(app, "en", table) == str(table)
    assert _say(app, "zh_CN", table).startswith("决策表 “Discount”（DMN）没有规则")


def test_a_diagram_with_an_empty_condition_is_refused_in_chinese(app):
    xml = processes.latest_version(PID).xml
    flow = re.search(r'<bpmn:sequenceFlow id="([^"]+)" sourceRef="[^"]+" targetRef="[^"]+" />', xml)
    condition = '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"> '
    empty = flow.group(0).replace(
        " />", f">{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )
    found = validation.validate_bpmn(
        xml.replace(flow.group(0), empty).encode(), processes.db_catalog()
    )
    messages = [_say(app, "zh_CN", p.message) for p in found]
    assert f"顺序流“{flow.group(1)}”的条件为空；请填写或删除。" in messages, messages


def test_names_and_values_from_the_file_are_quoted_as_written(app):
    for problem in (
        said("property_no_value", kind="userTask", id="T", name="due"),
        said(
            "escalate_bad_value",
            kind="boundaryEvent",
            id="B",
            name="escalate",
            value="x",
            known="a, b",
        ),
        said("call_unknown", kind="callActivity", id="C", called="other"),
    ):
        assert _say(app, "en", problem) == str(problem)
        assert re.search(r"“(due|x|other)”", _say(app, "zh_CN", problem)), problem.key


def test_unsupported_elements_and_events_in_both_languages(app):
    xml = processes.latest_version(PID).xml
    task = re.search(r'<bpmn:userTask id="([^"]+)"', xml)
    broken = xml.replace(task.group(0), f'<bpmn:serviceTask id="{task.group(1)}"', 1)
    broken = broken.replace("</bpmn:userTask>", "</bpmn:serviceTask>", 1)
    found = validation.validate_bpmn(broken.encode(), processes.db_catalog())
    # A service task runs only through a connector of the registry (app/engine/connectors.py).
    service = [p.message for p in found if getattr(p.message, "key", "") == "connector_missing"]
    assert service, [str(p.message) for p in found]
    assert str(service[0]) == (
        f"Service task '{task.group(1)}' calls no connector; add a "
        "spiffworkflow:serviceTaskOperator naming one of: http, notify."
    )
    assert _say(app, "en", service[0]) == str(service[0])
    assert _say(app, "zh_CN", service[0]) == (
        f"服务任务“{task.group(1)}” 没有调用连接器；请添加 spiffworkflow:serviceTaskOperator，"
        "指定以下之一：http, notify。"
    )
    link = said(
        "unsupported_event",
        kind="boundaryEvent",
        id="B1",
        article="a",
        event="link",
        hint=said("hint_boundary_event"),
    )
    assert _say(app, "en", link) == str(link)
    assert _say(app, "zh_CN", link) == (
        "边界事件“B1” 是链接事件，不受支持；请改用定时器、消息、信号、错误或升级边界事件。"
    )
    waits = said(
        "waits_for_nothing",
        kind="intermediateCatchEvent",
        id="W",
        choices="a message or a timer",
        allowed=["message", "timer"],
    )
    assert _say(app, "en", waits) == str(waits)
    assert "消息或定时器事件定义" in _say(app, "zh_CN", waits)
    cycle = said("start_timer_repeats", kind="startEvent", id="S")
    assert _say(app, "en", cycle) == str(cycle)
    assert _say(app, "zh_CN", cycle).startswith("开始事件“S” 带有重复定时器")
    assert "边界定时器事件或中间定时器事件" in _say(app, "zh_CN", cycle)


def test_a_file_that_is_not_a_diagram_is_refused_in_both_languages(app):
    (problem,) = validation.validate_bpmn(b"hello", processes.db_catalog())
    assert problem.message.key == "doc_not_xml"
    assert _say(app, "en", problem.message) == str(problem.message)
    assert str(problem.message).startswith("The BPMN file is not XML: it starts with 'h'")
    assert _say(app, "zh_CN", problem.message) == (
        "BPMN 文件不是 XML：它以 “h” 开头，而不是“<”；请上传建模器保存的 .bpmn 文件。"
    )

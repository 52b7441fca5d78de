"""Converting other tools' diagrams (app/engine/convert/, foreign_expressions.py): one test
per mapping, what needs the owner, and that nothing is dropped."""

from __future__ import annotations

import pytest
from lxml import etree

from app.engine.convert import Answer, answer, convert
from app.engine.convert.timer_events import timer_value
from app.engine.convert.user_tasks import due_duration
from app.engine.documents import BPMN_NS, DocumentRejected, spiff_properties
from app.engine.foreign_expressions import NotTranslated, script_to_python, translate
from app.engine.validation import Catalog, validate_bpmn

DEPARTMENTS = [
    ("sales", "Sales", "销售部"),
    ("finance", "Finance", "财务部"),
    ("quality", "Quality", "品质部"),
    ("management", "Management", "管理层"),
    ("purchasing", "Purchasing", "采购部"),
]
FORMS = ["order_intake", "return_inspection", "review_quality", "rush_approval"]


def make_catalog() -> Catalog:
    """What validation checks the converted diagrams against: the same departments and forms."""
    aliases = {name.lower(): key for key, *names in DEPARTMENTS for name in (key, *names)}
    return Catalog(departments=aliases, forms=set(FORMS), roles={"head", "member"})


NS = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
    'xmlns:acme="http://acme.example/ext"'
)


def doc(body: str, lanes: str = "", executable: str = "true") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions {NS} id="d" '
        'targetNamespace="x">\n'
        f'<bpmn:process id="p" name="P" isExecutable="{executable}">{lanes}\n{body}\n'
        "</bpmn:process>\n</bpmn:definitions>\n"
    ).encode()


def lane(name: str, *refs: str, lane_id: str = "lane_1") -> str:
    nodes = "".join(f"<bpmn:flowNodeRef>{r}</bpmn:flowNodeRef>" for r in refs)
    return (
        f'<bpmn:laneSet id="ls"><bpmn:lane id="{lane_id}" name="{name}">{nodes}</bpmn:lane>'
        "</bpmn:laneSet>"
    )


def chain(*middle: str, ids: list[str]) -> str:
    nodes = ["start", *ids, "end"]
    flows = "".join(
        f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}" />'
        for i, (a, b) in enumerate(zip(nodes, nodes[1:], strict=False))
    )
    return '<bpmn:startEvent id="start" />' + "".join(middle) + '<bpmn:endEvent id="end" />' + flows


def run(data: bytes):
    return convert(data, DEPARTMENTS, FORMS)


def node(xml: bytes, element_id: str) -> etree._Element:
    root = etree.fromstring(xml)
    return next(n for n in root.iter() if isinstance(n.tag, str) and n.get("id") == element_id)


def items_for(result, element_id: str, status: str | None = None) -> list:
    return [i for i in result.items if i.element_id == element_id and status in (None, i.status)]


# --- expressions ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "python"),
    [
        ("${amount > 10000}", "amount > 10000"),
        ("#{amount >= 5}", "amount >= 5"),
        (
            "${amount gt 10000 and decision eq 'approve'}",
            "amount > 10000 and decision == 'approve'",
        ),
        ("${!approved}", "not approved"),
        ("${(amount > 5000) || urgent}", "amount > 5000 or urgent"),
        ("${not (a or b)}", "not (a or b)"),
        ("${a && (b || c)}", "a and (b or c)"),
        ('${execution.getVariable("amount") > 100}', "amount > 100"),
        ("${order.amount <= 5}", "order['amount'] <= 5"),
        ("${x == null}", "x is None"),
        ('${status != "open"}', "status != 'open'"),
        ("${amount * 1.13 > 500}", "amount * 1.13 > 500"),
        ("${a - (b - c) > 0}", "a - (b - c) > 0"),
        ('=amount > 10000 and decision = "approve"', "amount > 10000 and decision == 'approve'"),
        ("=not(approved)", "not approved"),
        ("=reservationId != null", "reservationId is not None"),
        ("=-amount + 3 < 0", "-amount + 3 < 0"),
        ("=approved = true", "approved == True"),
    ],
)
def test_juel_and_feel_become_python(text: str, python: str) -> None:
    assert translate(text) == python


@pytest.mark.parametrize(
    "text",
    [
        "${orderService.isVip(customer)}",
        "=count(items) > 2",
        "${a < b < c}",
        "${empty items}",
        "=amount in [1..5]",
        "${x > }",
        "${x > null}",
        "${__class__ == 1}",
        "amount > 5",  # Python already: not JUEL or FEEL
    ],
)
def test_what_has_no_sure_python_meaning_is_not_translated(text: str) -> None:
    with pytest.raises(NotTranslated):
        translate(text)


def test_set_variable_scripts_become_python() -> None:
    script = (
        '// note\nexecution.setVariable("approved", true);\nexecution.setVariable("n", amount * 2)'
    )
    assert script_to_python(script) == "approved = True\nn = amount * 2"
    with pytest.raises(NotTranslated):
        script_to_python('var x = 1;\nexecution.setVariable("y", x)')


@pytest.mark.parametrize(
    ("text", "duration"),
    [
        ("${dateTime().plusDays(2).toDate()}", "P2D"),
        ("${dateTime().plusHours(8).toDate()}", "PT8H"),
        ("${dateTime().plusDays(1).plusHours(4).toDate()}", "P1DT4H"),
        ('=now() + duration("P3D")', "P3D"),
        ('=today() + duration("PT4H")', "PT4H"),
        ("PT8H", "PT8H"),
        ("2026-12-31T17:00:00", None),  # a fixed date: no duration
        ("${dueDate}", None),
        ("P99Y", None),  # beyond the due-time limits
    ],
)
def test_due_dates_become_durations(text: str, duration: str | None) -> None:
    assert due_duration(text) == duration


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('=duration("P2D")', "P2D"),
        ('=date and time("2026-10-08T09:00:00")', "2026-10-08T09:00:00"),
        ('=cycle(duration("PT1H"))', "R/PT1H"),
        ('"PT4H"', "PT4H"),
        ("PT4H", "PT4H"),
        ("=someVariable", None),
        ("${timer}", None),
    ],
)
def test_timer_expressions_become_iso_values(text: str, value: str | None) -> None:
    assert timer_value(text) == value


# --- diagrams ------------------------------------------------------------------------------------
def flow_with(condition: str) -> bytes:
    body = (
        '<bpmn:startEvent id="start" /><bpmn:exclusiveGateway id="gw" default="f_b" />'
        '<bpmn:endEvent id="a" /><bpmn:endEvent id="b" />'
        '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="gw" />'
        '<bpmn:sequenceFlow id="f_a" name="big" sourceRef="gw" targetRef="a">'
        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}'
        "</bpmn:conditionExpression></bpmn:sequenceFlow>"
        '<bpmn:sequenceFlow id="f_b" sourceRef="gw" targetRef="b" />'
    )
    return doc(body)


def test_a_juel_condition_is_converted_and_reported() -> None:
    result = run(flow_with("${amount &gt; 10000 &amp;&amp; !blocked}"))
    assert node(result.xml, "f_a")[0].text == "amount > 10000 and not blocked"
    (item,) = items_for(result, "f_a")
    assert (item.status, item.field, item.value) == (
        "mapped",
        "condition",
        node(result.xml, "f_a")[0].text,
    )
    assert "JUEL" in item.message and item.message.key == "condition_mapped"
    assert validate_bpmn(result.xml, make_catalog()) == []


def test_an_untranslatable_condition_is_kept_and_asked() -> None:
    text = "${orderService.isVip(customer)}"
    result = run(flow_with(text))
    assert node(result.xml, "f_a")[0].text == text
    (item,) = items_for(result, "f_a")
    assert item.status == "owner" and item.field == "condition" and text in item.message


def test_a_condition_in_words_is_asked() -> None:
    result = run(flow_with("Amount greater than 10000"))
    assert [i.status for i in items_for(result, "f_a")] == ["owner"]


def test_a_gateway_flow_without_condition_is_asked() -> None:
    body = doc(
        '<bpmn:startEvent id="start" /><bpmn:exclusiveGateway id="gw" />'
        '<bpmn:endEvent id="a" /><bpmn:endEvent id="b" />'
        '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="gw" />'
        '<bpmn:sequenceFlow id="f_a" name="yes" sourceRef="gw" targetRef="a" />'
        '<bpmn:sequenceFlow id="f_b" name="no" sourceRef="gw" targetRef="b" />'
    )
    result = run(body)
    assert {(i.element_id, i.status, i.message.key) for i in result.items} == {
        ("f_a", "owner", "condition_missing"),
        ("f_b", "owner", "condition_missing"),
    }
    picked = answer(
        result.xml,
        [Answer("f_a", "condition", "approved"), Answer("f_b", "condition", "not approved")],
        DEPARTMENTS,
    )
    assert node(picked, "f_a")[0].text == "approved"
    assert validate_bpmn(picked, make_catalog()) == []


def camunda_task(attributes: str, extensions: str = "", task_id: str = "t1") -> str:
    ext = f"<bpmn:extensionElements>{extensions}</bpmn:extensionElements>" if extensions else ""
    return (
        f'<bpmn:userTask id="{task_id}" name="Check the return" {attributes}>{ext}</bpmn:userTask>'
    )


def test_camunda_form_due_and_group_become_form_due_and_lane() -> None:
    task = camunda_task(
        'camunda:candidateGroups="qa, quality-team" camunda:formKey="embedded:app:forms/'
        'return-inspection.html" camunda:dueDate="${dateTime().plusDays(2).toDate()}"'
    )
    result = run(doc(chain(task, ids=["t1"])))
    props = spiff_properties(node(result.xml, "t1"))
    assert props == {"form": "return_inspection", "due": "P2D"}
    root = etree.fromstring(result.xml)
    lanes = root.findall(f".//{{{BPMN_NS}}}lane")
    assert [(ln.get("name"), [r.text for r in ln]) for ln in lanes] == [("Quality", ["t1"])]
    by_field = {i.field: i for i in items_for(result, "t1") if i.field}
    assert (by_field["form"].status, by_field["form"].value) == ("check", "return_inspection")
    assert (by_field["due"].status, by_field["due"].value) == ("mapped", "P2D")
    assert (by_field["department"].status, by_field["department"].value) == ("check", "quality")
    assert validate_bpmn(result.xml, make_catalog()) == []


def test_zeebe_assignment_form_and_schedule() -> None:
    ext = (
        '<zeebe:formDefinition formId="order-intake" />'
        '<zeebe:assignmentDefinition candidateGroups="sales" />'
        '<zeebe:taskSchedule dueDate="=now() + duration(&quot;PT8H&quot;)" />'
    )
    result = run(doc(chain(camunda_task("", ext), ids=["t1"])))
    assert spiff_properties(node(result.xml, "t1")) == {"form": "order_intake", "due": "PT8H"}
    assert [i.value for i in items_for(result, "t1") if i.field == "department"] == ["sales"]
    # every zeebe element was read: none is listed as kept
    assert not items_for(result, "t1", "kept")


def test_no_matching_form_department_or_due_asks_the_owner_with_choices() -> None:
    task = camunda_task(
        'camunda:assignee="${initiator}" camunda:formKey="leave-request" '
        'camunda:dueDate="2026-12-31T17:00:00"'
    )
    result = run(doc(chain(task, ids=["t1"])))
    asked = {i.field: i for i in items_for(result, "t1", "owner")}
    assert set(asked) == {"department", "form", "due"}
    assert asked["department"].choices == tuple(d[0] for d in DEPARTMENTS)
    assert sorted(asked["form"].choices) == sorted(FORMS)
    assert asked["due"].choices[0] == "P1D"
    assert "leave-request" in asked["form"].message and "2026-12-31" in asked["due"].message
    picked = answer(
        result.xml, [Answer("t1", f, i.choices[0]) for f, i in asked.items()], DEPARTMENTS
    )
    assert validate_bpmn(picked, make_catalog()) == []


def test_a_lane_named_after_a_group_is_renamed_to_its_department() -> None:
    task = camunda_task('camunda:candidateGroups="finance-team"')
    result = run(doc(chain(task, ids=["t1"]), lanes=lane("Finance Team", "t1")))
    assert node(result.xml, "lane_1").get("name") == "Finance"
    (item,) = items_for(result, "lane_1")
    assert (item.status, item.value, item.field) == ("check", "finance", "department")


def test_a_chinese_lane_keeps_chinese() -> None:
    result = run(doc(chain(camunda_task(""), ids=["t1"]), lanes=lane("销售", "t1")))
    assert node(result.xml, "lane_1").get("name") == "销售部"


def test_an_unknown_lane_is_asked_and_answered() -> None:
    result = run(doc(chain(camunda_task(""), ids=["t1"]), lanes=lane("Employee", "t1")))
    (item,) = items_for(result, "lane_1")
    assert item.status == "owner" and item.message.key == "lane_unknown"
    picked = answer(result.xml, [Answer("lane_1", "department", "sales")], DEPARTMENTS)
    assert node(picked, "lane_1").get("name") == "Sales"


def test_a_department_lane_is_left_alone() -> None:
    result = run(doc(chain(camunda_task(""), ids=["t1"]), lanes=lane("sales", "t1")))
    assert not items_for(result, "lane_1")


def test_scripts_in_groovy_and_feel_become_python() -> None:
    groovy = (
        '<bpmn:scriptTask id="s1" scriptFormat="groovy"><bpmn:script>'
        'execution.setVariable("late", true)</bpmn:script></bpmn:scriptTask>'
    )
    feel = (
        '<bpmn:scriptTask id="s2"><bpmn:extensionElements><zeebe:script expression="=amount * 2" '
        'resultVariable="total" /></bpmn:extensionElements></bpmn:scriptTask>'
    )
    result = run(doc(chain(groovy, feel, ids=["s1", "s2"])))
    assert node(result.xml, "s1").get("scriptFormat") == "python"
    assert node(result.xml, "s1").find(f"{{{BPMN_NS}}}script").text == "late = True"
    assert node(result.xml, "s2").find(f"{{{BPMN_NS}}}script").text == "total = amount * 2"
    assert [i.status for i in result.items] == ["mapped", "mapped"]
    assert validate_bpmn(result.xml, make_catalog()) == []


def test_a_script_that_cannot_be_translated_is_asked() -> None:
    js = (
        '<bpmn:scriptTask id="s1" scriptFormat="javascript"><bpmn:script>'
        "var x = Math.max(1, 2);</bpmn:script></bpmn:scriptTask>"
    )
    result = run(doc(chain(js, ids=["s1"])))
    assert [(i.status, i.message.key) for i in result.items] == [("owner", "script_untranslated")]
    assert "Math.max" in node(result.xml, "s1").find(f"{{{BPMN_NS}}}script").text


def test_a_feel_timer_is_converted() -> None:
    timer = (
        '<bpmn:intermediateCatchEvent id="w"><bpmn:timerEventDefinition id="td">'
        '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">=duration("PT4H")</bpmn:timeDuration>'
        "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
    )
    result = run(doc(chain(timer, ids=["w"])))
    assert node(result.xml, "td")[0].text == "PT4H"
    assert [(i.element_id, i.status, i.value) for i in result.items] == [("w", "mapped", "PT4H")]


def test_an_empty_timer_is_asked() -> None:
    timer = (
        '<bpmn:intermediateCatchEvent id="w"><bpmn:timerEventDefinition id="td" />'
        "</bpmn:intermediateCatchEvent>"
    )
    result = run(doc(chain(timer, ids=["w"])))
    assert [(i.element_id, i.status, i.message.key) for i in result.items] == [
        ("w", "owner", "timer_empty")
    ]


def test_a_service_task_names_its_implementation() -> None:
    svc = '<bpmn:serviceTask id="s1" name="Post" camunda:class="com.acme.Post" />'
    result = run(doc(chain(svc, ids=["s1"])))
    (item,) = result.items
    assert item.status == "owner" and 'camunda:class="com.acme.Post"' in item.message


def test_a_plain_task_is_asked_what_it_is() -> None:
    result = run(
        doc(chain('<bpmn:task id="t1" name="Pack" />', ids=["t1"]), lanes=lane("sales", "t1"))
    )
    (item,) = result.items
    assert (item.status, item.field, item.choices) == ("owner", "kind", ("manualTask", "userTask"))
    picked = answer(result.xml, [Answer("t1", "kind", "manualTask")], DEPARTMENTS)
    assert etree.QName(node(picked, "t1")).localname == "manualTask"
    assert validate_bpmn(picked, make_catalog()) == []


def test_a_non_executable_diagram_gets_its_largest_process_executable() -> None:
    data = (
        f'<bpmn:definitions {NS} id="d" targetNamespace="x">'
        '<bpmn:process id="small" isExecutable="false"><bpmn:startEvent id="s0" /></bpmn:process>'
        '<bpmn:process id="big" isExecutable="false">'
        + chain('<bpmn:manualTask id="m" />', ids=["m"])
        .replace('id="start"', 'id="s1"')
        .replace('sourceRef="start"', 'sourceRef="s1"')
        + "</bpmn:process></bpmn:definitions>"
    ).encode()
    result = run(data)
    assert node(result.xml, "big").get("isExecutable") == "true"
    assert node(result.xml, "small").get("isExecutable") == "false"
    assert [(i.element_id, i.status) for i in result.items if i.kind == "process"] == [
        ("big", "mapped"),
        ("small", "kept"),
    ]


def test_vendor_attributes_and_extensions_not_read_are_listed_and_kept() -> None:
    task = camunda_task(
        'camunda:asyncBefore="true" camunda:candidateGroups="sales"',
        '<camunda:taskListener event="create" class="X" /><acme:audit id="a1" />',
    )
    result = run(doc(chain(task, ids=["t1"]), lanes=lane("Sales", "t1")))
    (kept,) = items_for(result, "t1", "kept")
    assert kept.message.params["names"] == [
        "camunda:asyncBefore",
        "camunda:candidateGroups",
        "camunda:taskListener",
        "acme:audit",
    ]
    converted = node(result.xml, "t1")
    assert converted.get("{http://camunda.org/schema/1.0/bpmn}asyncBefore") == "true"
    assert converted.find(".//{http://acme.example/ext}audit") is not None


def test_an_untouched_diagram_comes_back_byte_for_byte() -> None:
    data = doc(chain('<bpmn:manualTask id="m" />', ids=["m"]), lanes=lane("sales", "m"))
    result = run(data)
    assert result.xml == data and result.items == []


def test_not_bpmn_is_refused() -> None:
    with pytest.raises(DocumentRejected):
        run(b"<html></html>")


def test_a_new_lane_gets_an_id_of_its_own() -> None:
    task = camunda_task('camunda:candidateGroups="sales"')
    taken = '<bpmn:textAnnotation id="Lane_sales" />'
    result = run(doc(chain(task, ids=["t1"]) + taken))
    root = etree.fromstring(result.xml)
    (made,) = root.findall(f".//{{{BPMN_NS}}}lane")
    assert made.get("id") == "Lane_sales_2"


def test_a_repeating_start_timer_is_asked_and_can_be_removed() -> None:
    start = (
        '<bpmn:startEvent id="start" name="Every Monday"><bpmn:timerEventDefinition id="td">'
        '<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">R/2026-01-05T09:00:00/P7D'
        "</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>"
    )
    body = chain('<bpmn:manualTask id="m" />', ids=["m"]).replace(
        '<bpmn:startEvent id="start" />', start
    )
    result = run(doc(body, lanes=lane("sales", "m")))
    (item,) = result.items
    assert (item.element_id, item.status, item.field, item.choices) == (
        "start",
        "owner",
        "timer",
        ("none",),
    )
    assert "'R/2026-01-05T09:00:00/P7D'" in item.message
    quoted = run(doc(body.replace("R/2026", '"R/2026').replace("P7D<", 'P7D"<'),
                     lanes=lane("sales", "m")))  # fmt: skip
    assert "'R/2026-01-05T09:00:00/P7D'" in quoted.items[0].message
    plain = answer(result.xml, [Answer("start", "timer", "none")], DEPARTMENTS)
    assert not len(node(plain, "start")) and validate_bpmn(plain, make_catalog()) == []


def test_spiff_arena_dot_reads_become_dictionary_reads() -> None:
    script = (
        '<bpmn:scriptTask id="s1" scriptFormat="python"><bpmn:script>'
        "matched = po.total == invoice.total  # three-way\nwhen = datetime.now()"
        "</bpmn:script></bpmn:scriptTask>"
    )
    result = run(doc(chain(script, ids=["s1"])))
    text = node(result.xml, "s1").find(f"{{{BPMN_NS}}}script").text
    assert text == "matched = po['total'] == invoice['total']  # three-way\nwhen = datetime.now()"
    (item,) = result.items
    assert (item.status, item.message.key) == ("mapped", "dict_access")
    flow = run(flow_with("order.amount &gt; 5"))
    assert node(flow.xml, "f_a")[0].text == "order['amount'] > 5"
    untouched = run(flow_with("amount &gt; 5"))
    assert untouched.items == []


def test_a_drawing_with_garbage_coordinates_still_gets_its_lane() -> None:
    task = camunda_task('camunda:candidateGroups="sales"')
    drawing = (
        '<bpmndi:BPMNDiagram id="dg"><bpmndi:BPMNPlane id="pl" bpmnElement="p">'
        '<bpmndi:BPMNShape id="t1_di" bpmnElement="t1"><dc:Bounds x="abc" y="nan" width="1e999" '
        'height="80" /></bpmndi:BPMNShape><bpmndi:BPMNShape id="s_di" bpmnElement="start" />'
        "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>"
    )
    data = doc(chain(task, ids=["t1"])).replace(
        b"</bpmn:definitions>", drawing.encode() + b"</bpmn:definitions>"
    )
    data = data.replace(
        b"<bpmn:definitions ",
        b'<bpmn:definitions xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        b'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" ',
    )
    result = run(data)
    root = etree.fromstring(result.xml)
    shapes = {
        s.get("bpmnElement")
        for s in root.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape")
    }
    lane_id = root.find(f".//{{{BPMN_NS}}}lane").get("id")
    assert lane_id in shapes


ZEEBE_TASK = (
    '<bpmn:serviceTask id="s1" name="{name}"><bpmn:extensionElements>'
    '<zeebe:taskDefinition type="{kind}" /></bpmn:extensionElements></bpmn:serviceTask>'
)


@pytest.mark.parametrize(
    ("svc", "first"),
    [
        (ZEEBE_TASK.format(name="Tell sales", kind="send-mail"), "notify"),
        (ZEEBE_TASK.format(name="Tell sales", kind="io.acme:notification:1"), "notify"),
        (ZEEBE_TASK.format(name="Post order", kind="io.camunda:http-json:1"), "http"),
        ('<bpmn:serviceTask id="s1" name="Post" camunda:class="com.acme.RestCall" />', "http"),
        ('<bpmn:serviceTask id="s1" name="Book" camunda:class="com.acme.Book" />', "notify"),
    ],
)
def test_a_service_task_is_offered_the_connectors_best_first(svc: str, first: str) -> None:
    (item,) = run(doc(chain(svc, ids=["s1"]))).items
    assert (item.status, item.field) == ("owner", "connector")
    assert item.choices[0] == first
    assert sorted(item.choices) == ["http", "notify"]


@pytest.mark.parametrize(
    ("connector", "params"), [("notify", ["to", "text"]), ("http", ["endpoint"])]
)
def test_picking_a_connector_writes_the_operator_with_its_parameters(
    connector: str, params: list[str]
) -> None:
    svc = ZEEBE_TASK.format(name="Update the ERP", kind="apply")
    result = run(doc(chain(svc, ids=["s1"])))
    before = [p.message.key for p in validate_bpmn(result.xml, make_catalog())]
    assert before == ["connector_missing"]
    picked = answer(result.xml, [Answer("s1", "connector", connector)], DEPARTMENTS)
    spiff = "http://spiffworkflow.org/bpmn/schema/1.0/core"
    (operator,) = node(picked, "s1").iter(f"{{{spiff}}}serviceTaskOperator")
    assert operator.get("id") == connector
    written = [p.get("id") for p in operator.iter(f"{{{spiff}}}parameter")]
    assert written == params
    assert all(p.get("value") == "" for p in operator.iter(f"{{{spiff}}}parameter"))
    # The connector is bound; what is left for the owner is the parameters' values.
    problems = validate_bpmn(picked, make_catalog())
    assert problems and "connector_missing" not in [p.message.key for p in problems]
    again = run(picked)
    assert "connector" not in [i.field for i in again.items]


def test_a_repeating_start_timer_is_answered_by_a_plain_start() -> None:
    start = (
        '<bpmn:startEvent id="start"><bpmn:timerEventDefinition>'
        "<bpmn:timeCycle>R/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>"
    )
    body = chain(ids=[]).replace('<bpmn:startEvent id="start" />', start, 1)
    result = run(doc(body))
    (item,) = [i for i in result.items if i.field == "timer"]
    assert (item.status, item.choices) == ("owner", ("none",))
    assert [p.message.key for p in validate_bpmn(result.xml, make_catalog())] == [
        "start_timer_repeats"
    ]
    picked = answer(result.xml, [Answer("start", "timer", "none")], DEPARTMENTS)
    assert validate_bpmn(picked, make_catalog()) == []


def test_a_task_its_tool_says_mails_is_mapped_to_notify_its_lane() -> None:
    svc = ZEEBE_TASK.format(name="Tell sales", kind="send-mail")
    result = run(doc(chain(svc, ids=["s1"]), lanes=lane("Sales", "start", "s1", "end")))
    (item,) = [i for i in result.items if i.field == "connector"]
    picked = answer(result.xml, [Answer("s1", "connector", item.choices[0])], DEPARTMENTS)
    spiff = "http://spiffworkflow.org/bpmn/schema/1.0/core"
    written = {
        p.get("id"): p.get("value") for p in node(picked, "s1").iter(f"{{{spiff}}}parameter")
    }
    assert written == {"to": "'sales'", "text": "'Tell sales'"}
    assert validate_bpmn(picked, make_catalog()) == []

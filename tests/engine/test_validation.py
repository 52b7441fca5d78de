"""validate_bpmn: one test per problem the contract lists; each checks its message and line."""

from __future__ import annotations

from builders import (
    diagram,
    fixture_bytes,
    flow,
    linear,
    order_review_bytes,
    script_task,
    user_task,
)

from app.engine.validation import Catalog, Problem, validate_bpmn


def only(problems: list[Problem]) -> Problem:
    """The single problem reported (the test diagrams each carry exactly one defect)."""
    assert len(problems) == 1, problems
    return problems[0]


def timer_event(text: str, kind: str = "timeDuration") -> str:
    return (
        '<bpmn:intermediateCatchEvent id="wait" name="Wait">\n'
        '<bpmn:timerEventDefinition id="wait_timer">\n'
        f'<bpmn:{kind} xsi:type="bpmn:tFormalExpression">{text}</bpmn:{kind}>\n'
        "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
    )


def test_shipped_diagrams_are_valid(catalog: Catalog) -> None:
    assert validate_bpmn(order_review_bytes(), catalog) == []
    for name in ("rework_loop.bpmn", "timer_wait.bpmn", "message_wait.bpmn"):
        assert validate_bpmn(fixture_bytes(name), catalog) == [], name
    decision = [fixture_bytes("route.dmn")]
    assert validate_bpmn(fixture_bytes("route_decision.bpmn"), catalog, decision) == []


def test_empty_file(catalog: Catalog) -> None:
    assert "empty" in only(validate_bpmn(b"  \n", catalog)).message


def test_file_over_two_megabytes(catalog: Catalog) -> None:
    data = diagram(linear(ids=[])) + b"<!--" + b"x" * (2 * 1024 * 1024) + b"-->"
    assert "the limit is 2 MB" in only(validate_bpmn(data, catalog)).message


def test_malformed_xml_reports_its_line(catalog: Catalog) -> None:
    problem = only(validate_bpmn(b'<?xml version="1.0"?>\n<a>\n<b>\n</a>\n', catalog))
    assert "not well-formed XML" in problem.message
    assert problem.line == 4


def test_not_bpmn(catalog: Catalog) -> None:
    problem = only(validate_bpmn(b"<html><body>hello</body></html>", catalog))
    assert "not a BPMN 2.0 file" in problem.message


def test_doctype_and_entities_are_refused_before_parsing(catalog: Catalog) -> None:
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n<lolz>&lol2;</lolz>'
    )
    problem = only(validate_bpmn(bomb, catalog))
    assert "DOCTYPE or ENTITY declaration" in problem.message
    assert problem.line == 2
    external = b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>'
    assert "DOCTYPE" in only(validate_bpmn(external, catalog)).message


def test_nesting_too_deep(catalog: Catalog) -> None:
    deep = b"<bpmn:documentation>" * 80 + b"</bpmn:documentation>" * 80
    data = diagram(linear(ids=[])).replace(b"</bpmn:process>", deep + b"</bpmn:process>")
    assert "levels deep" in only(validate_bpmn(data, catalog)).message


def test_schema_violation_names_the_element(catalog: Catalog) -> None:
    task = user_task("review").replace(
        "<bpmn:extensionElements>", "<bpmn:incoming>f0</bpmn:incoming>\n<bpmn:extensionElements>"
    )
    data = diagram(linear(task, ids=["review"]), lane_nodes=["review"])
    problem = only(validate_bpmn(data, catalog))
    assert "does not follow the BPMN 2.0 schema" in problem.message
    assert "bpmn:extensionElements" in problem.message


def test_no_executable_process(catalog: Catalog) -> None:
    data = diagram(linear(ids=[]), executable="false")
    problem = only(validate_bpmn(data, catalog))
    assert 'No process is marked executable; set isExecutable="true"' in problem.message
    assert problem.element_id == "proc"


def test_no_start_event(catalog: Catalog) -> None:
    body = '<bpmn:endEvent id="end" name="End" />'
    problem = only(validate_bpmn(diagram(body), catalog))
    assert problem.message == "Process 'proc' has no start event; add one."


def test_duplicate_ids(catalog: Catalog) -> None:
    body = linear(ids=[]) + '\n<bpmn:textAnnotation id="start" />'
    problem = only(validate_bpmn(diagram(body), catalog))
    assert "The id 'start' is used twice (first on line 5)" in problem.message
    assert problem.line == 8


def test_sequence_flow_with_unknown_target(catalog: Catalog) -> None:
    body = linear(ids=[]) + "\n" + flow("f_bad", "start", "nowhere")
    problem = only(validate_bpmn(diagram(body), catalog))
    assert "Sequence flow 'f_bad' ends at 'nowhere', which is not an element" in problem.message
    assert problem.element_id == "f_bad"


def test_gateway_without_outgoing_flow(catalog: Catalog) -> None:
    body = (
        '<bpmn:startEvent id="start" name="Start" />\n'
        '<bpmn:parallelGateway id="split" name="Split" />\n' + flow("f0", "start", "split")
    )
    problem = only(validate_bpmn(diagram(body), catalog))
    assert problem.message == (
        "Parallel gateway 'split' has no outgoing flow; connect it to the next step."
    )


def test_exclusive_gateway_flow_without_condition_or_default(catalog: Catalog) -> None:
    body = (
        '<bpmn:startEvent id="start" name="Start" />\n'
        '<bpmn:exclusiveGateway id="choose" name="Choose" />\n'
        '<bpmn:endEvent id="a" name="A" />\n<bpmn:endEvent id="b" name="B" />\n'
        + flow("f0", "start", "choose")
        + "\n"
        + flow("to_a", "choose", "a", "amount &gt; 10")
        + "\n"
        + flow("to_b", "choose", "b")
    )
    problem = only(validate_bpmn(diagram(body), catalog))
    assert "Sequence flow 'to_b' leaves exclusive gateway 'choose' without a condition" in (
        problem.message
    )
    fixed = diagram(body.replace('id="choose" name="Choose"', 'id="choose" default="to_b"'))
    assert validate_bpmn(fixed, catalog) == []


def test_unreachable_element(catalog: Catalog) -> None:
    body = linear(ids=[]) + '\n<bpmn:endEvent id="orphan" name="Orphan" />'
    problem = only(validate_bpmn(diagram(body), catalog))
    assert problem.message == (
        "End event 'orphan' cannot be reached from a start event; connect it or delete it."
    )
    assert problem.line == 8


def test_unsupported_elements_are_named(catalog: Catalog) -> None:
    cases = {
        '<bpmn:complexGateway id="cx" name="Complex" />': "Complex gateway 'cx' is not supported",
        '<bpmn:transaction id="tx" name="Tx" />': "Transaction 'tx' is not supported",
        '<bpmn:intermediateCatchEvent id="lnk" name="Link"><bpmn:linkEventDefinition '
        'name="l" /></bpmn:intermediateCatchEvent>': "Intermediate catch event 'lnk' is a link "
        "event",
        '<bpmn:boundaryEvent id="cc" attachedToRef="start"><bpmn:compensateEventDefinition />'
        "</bpmn:boundaryEvent>": "Boundary event 'cc' is a compensation event",
    }
    for element, expected in cases.items():
        node_id = element.split('id="')[1].split('"')[0]
        problems = validate_bpmn(diagram(linear(element, ids=[node_id])), catalog)
        assert any(expected in p.message and p.element_id == node_id for p in problems), problems


def test_user_task_lane_must_be_a_department(catalog: Catalog) -> None:
    task = user_task("review")
    outside = only(validate_bpmn(diagram(linear(task, ids=["review"])), catalog))
    assert outside.message == (
        "User task 'review' is not in any lane; put it in the lane of the department that does it."
    )
    wrong = diagram(linear(task, ids=["review"]), lane="Marketing", lane_nodes=["review"])
    problem = only(validate_bpmn(wrong, catalog))
    assert "is in the lane 'Marketing', which is not a department" in problem.message
    assert problem.element_id == "review"
    display = diagram(linear(task, ids=["review"]), lane="SALES DEPARTMENT", lane_nodes=["review"])
    assert validate_bpmn(display, catalog) == []


def test_user_task_form_must_exist(catalog: Catalog) -> None:
    task = user_task("review", form="no_such_form")
    problem = only(
        validate_bpmn(diagram(linear(task, ids=["review"]), lane_nodes=["review"]), catalog)
    )
    assert (
        "User task 'review' uses the form 'no_such_form', which does not exist" in problem.message
    )
    bare = user_task("review").replace('<spiffworkflow:property name="form" value="work" />', "")
    missing = only(
        validate_bpmn(diagram(linear(bare, ids=["review"]), lane_nodes=["review"]), catalog)
    )
    assert missing.message.startswith("User task 'review' has no form;")


def test_user_task_role_must_exist(catalog: Catalog) -> None:
    extra = '<spiffworkflow:property name="role" value="emperor" />'
    task = user_task("review", extra=extra)
    problem = only(
        validate_bpmn(diagram(linear(task, ids=["review"]), lane_nodes=["review"]), catalog)
    )
    assert "User task 'review' requires the role 'emperor', which does not exist" in problem.message


def test_user_task_due_must_be_a_duration(catalog: Catalog) -> None:
    task = user_task("review", due="8 hours")
    problem = only(
        validate_bpmn(diagram(linear(task, ids=["review"]), lane_nodes=["review"]), catalog)
    )
    assert "has the due time '8 hours': '8 hours' is not an ISO 8601 duration" in problem.message


def test_user_task_needs_a_due_time(catalog: Catalog) -> None:
    for due in (None, "", "  "):
        task = user_task("review", due=due)
        problem = only(
            validate_bpmn(diagram(linear(task, ids=["review"]), lane_nodes=["review"]), catalog)
        )
        assert problem.message == (
            "User task 'review' has no due time; add the spiffworkflow property 'due' with a "
            "duration such as PT8H or P2D."
        )
        assert (problem.line, problem.element_id) == (6, "review")


def test_timers_accept_bare_iso_values(catalog: Catalog) -> None:
    for text, kind in [
        ("PT4H", "timeDuration"),
        ("'P2D'", "timeDuration"),
        ("2030-03-01T09:00:00+08:00", "timeDate"),
        ("R3/PT1H", "timeCycle"),
    ]:
        assert validate_bpmn(diagram(linear(timer_event(text, kind), ids=["wait"])), catalog) == []


def test_bad_timers(catalog: Catalog) -> None:
    cases = [
        ("PT4X", "timeDuration", "'PT4X' is not an ISO 8601 duration"),
        ("2030-13-45T09:00", "timeDate", "is not an ISO 8601 date and time"),
        ("R3/every hour", "timeCycle", "is not an ISO 8601 date and time"),
        ("P1W2D", "timeDuration", "mixes weeks with other units"),
        ("open('/etc/passwd')", "timeDuration", "'open' is not available"),
    ]
    for text, kind, expected in cases:
        data = diagram(linear(timer_event(text, kind), ids=["wait"]))
        problem = only(validate_bpmn(data, catalog))
        assert "The timer of intermediate catch event 'wait' is invalid" in problem.message
        assert expected in problem.message, problem.message
        assert problem.line == 8 and problem.element_id == "wait"  # the bpmn:timeDuration line


def _gateway_with(condition: str) -> bytes:
    body = (
        '<bpmn:startEvent id="start" name="Start" />\n'
        '<bpmn:exclusiveGateway id="choose" name="Choose" default="to_b" />\n'
        '<bpmn:endEvent id="a" name="A" />\n<bpmn:endEvent id="b" name="B" />\n'
        + flow("f0", "start", "choose")
        + "\n"
        + flow("to_a", "choose", "a", condition)
        + "\n"
        + flow("to_b", "choose", "b")
    )
    return diagram(body)


def test_escapes_in_conditions_are_refused(catalog: Catalog) -> None:
    for condition, expected in [
        ("__import__('os').system('id')", '"__import__" is an invalid variable name'),
        ("().__class__.__base__.__subclasses__()", '"__class__" is an invalid attribute name'),
        ("getattr(order, 'x')", "'getattr' is not available"),
    ]:
        problem = only(validate_bpmn(_gateway_with(condition), catalog))
        assert problem.message.startswith("The condition of sequence flow 'to_a' was refused:")
        assert expected in problem.message
        assert problem.element_id == "to_a"


def _script_task(script: str) -> bytes:
    return diagram(linear(script_task(script), ids=["calc"]))


def test_scripts_refused_by_the_restricted_checker(catalog: Catalog) -> None:
    for script, expected in [
        ("while True: pass", "'while' loops are not allowed"),
        ("import os", "imports are not allowed"),
        ("x = ().__class__.__base__.__subclasses__()", '"__subclasses__" is an invalid attribute'),
        ("total = open('/etc/passwd')", "'open' is not available"),
    ]:
        problem = only(validate_bpmn(_script_task(script), catalog))
        assert problem.message.startswith("The script of script task 'calc' was refused:")
        assert expected in problem.message
    assert validate_bpmn(_script_task("total = sum([1, 2, 3])"), catalog) == []


def test_decision_table_cells_are_checked(catalog: Catalog) -> None:
    dmn = fixture_bytes("route.dmn").replace(b'"freight"', b"__import__('os')")
    problems = validate_bpmn(fixture_bytes("route_decision.bpmn"), catalog, [dmn])
    problem = only(problems)
    assert "The rule 'rule_bulk' output of decision table 'route_table' (DMN) was refused" in (
        problem.message
    )


def test_spiffworkflow_parser_errors_become_problems(catalog: Catalog) -> None:
    # Passes our own checks, but SpiffWorkflow refuses to call a non-executable process.
    called = b'<bpmn:process id="helper" isExecutable="false"><bpmn:startEvent id="h_start" />'
    called += b"</bpmn:process>"
    call = '<bpmn:callActivity id="call" name="Call helper" calledElement="helper" />'
    data = diagram(linear(call, ids=["call"])).replace(
        b"</bpmn:definitions>", called + b"</bpmn:definitions>"
    )
    problem = only(validate_bpmn(data, catalog))
    assert problem.message.startswith("SpiffWorkflow cannot build the process:")
    assert "helper" in problem.message


def test_validation_never_raises(catalog: Catalog) -> None:
    for data in [b"\x00\xff\xfe", b"<a>" * 10, "<not bytes>".encode("utf-16")]:
        problems = validate_bpmn(data, catalog)
        assert problems and all(isinstance(p, Problem) for p in problems)

"""Refusals that were too strict (issue 15): each diagram here runs, or its one problem is said
once, at the element it is about."""

from __future__ import annotations

import pytest
from builders import NAMESPACES, diagram, flow, linear, user_task

from app.engine.validation import Catalog, validate_bpmn

CAMUNDA = 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'


def _with(namespace: str, data: bytes) -> bytes:
    return data.replace(NAMESPACES.encode(), f"{NAMESPACES} {namespace}".encode(), 1)


def test_ids_inside_vendor_extensions_are_not_bpmn_ids(catalog: Catalog) -> None:
    # Camunda gives its input/output and listener elements ids of their own; two tasks may carry
    # the same vendor id without clashing with each other or with BPMN ids.
    vendor = (
        "<bpmn:extensionElements><camunda:inputOutput>"
        '<camunda:inputParameter id="review" name="x">1</camunda:inputParameter>'
        "</camunda:inputOutput></bpmn:extensionElements>"
    )
    task = user_task("review").replace("<bpmn:extensionElements>", vendor[:24], 1)
    task = task.replace(
        "</spiffworkflow:properties></bpmn:extensionElements>",
        "</spiffworkflow:properties>" + vendor[24:],
    )
    data = _with(CAMUNDA, diagram(linear(task, ids=["review"]), lane_nodes=["review"]))
    assert b'camunda:inputParameter id="review"' in data
    assert validate_bpmn(data, catalog) == []


def test_a_deprecated_spiffworkflow_placement_is_not_a_refusal(catalog: Catalog) -> None:
    # spiff-arena diagrams keep messageVariable on the message; SpiffWorkflow only warns.
    top = (
        '<bpmn:message id="m_confirm" name="confirm"><bpmn:extensionElements>'
        "<spiffworkflow:messageVariable>confirmation</spiffworkflow:messageVariable>"
        "</bpmn:extensionElements></bpmn:message>"
    )
    wait = (
        '<bpmn:intermediateCatchEvent id="wait" name="Wait">'
        '<bpmn:messageEventDefinition id="wait_def" messageRef="m_confirm" />'
        "</bpmn:intermediateCatchEvent>"
    )
    data = diagram(linear(wait, ids=["wait"]), top=top)
    assert validate_bpmn(data, catalog) == []


def _two_pools(documented: str) -> bytes:
    """An executable process and a documentation-only pool holding `documented`."""
    executable = diagram(linear(ids=[])).decode()
    other = (
        f'<bpmn:process id="customer" name="Customer" isExecutable="false">{documented}'
        "</bpmn:process>"
    )
    return executable.replace("</bpmn:definitions>", other + "</bpmn:definitions>").encode()


def test_a_pool_that_never_runs_is_not_checked_as_if_it_ran(catalog: Catalog) -> None:
    documented = (
        '<bpmn:startEvent id="c_start" />'
        '<bpmn:userTask id="c_sign" name="Sign" />'  # no lane, no form, no due
        '<bpmn:serviceTask id="c_pay" name="Pay" />'
        '<bpmn:intermediateCatchEvent id="c_wait"><bpmn:timerEventDefinition>'
        "<bpmn:timeDuration>soon</bpmn:timeDuration></bpmn:timerEventDefinition>"
        "</bpmn:intermediateCatchEvent>"
        '<bpmn:sequenceFlow id="c_f"  sourceRef="c_start" targetRef="c_sign">'
        "<bpmn:conditionExpression>${ok}</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )
    assert validate_bpmn(_two_pools(documented), catalog) == []


def test_a_called_process_is_checked_even_if_not_executable(catalog: Catalog) -> None:
    body = (
        '<bpmn:startEvent id="start" /><bpmn:callActivity id="call" calledElement="inner" />'
        '<bpmn:endEvent id="end" />' + flow("f0", "start", "call") + flow("f1", "call", "end")
    )
    inner = (
        '<bpmn:startEvent id="i_start" /><bpmn:serviceTask id="i_pay" />'
        '<bpmn:endEvent id="i_end" />'
        + flow("i0", "i_start", "i_pay")
        + flow("i1", "i_pay", "i_end")
    )
    data = diagram(body).replace(
        b"</bpmn:definitions>",
        f'<bpmn:process id="inner" isExecutable="false">{inner}</bpmn:process>'
        "</bpmn:definitions>".encode(),
    )
    problems = validate_bpmn(data, catalog)
    assert [p.element_id for p in problems] == ["i_pay"]


def test_a_top_level_timer_definition_is_not_blamed_on_the_document(catalog: Catalog) -> None:
    # bpmn:definitions may hold reusable event definitions; one nobody uses never runs.
    top = '<bpmn:timerEventDefinition id="shared_timer" />'
    assert validate_bpmn(diagram(linear(ids=[]), top=top), catalog) == []


@pytest.mark.parametrize("kind", ["endEvent", "intermediateThrowEvent"])
def test_a_timer_where_it_cannot_be_gets_one_message(catalog: Catalog, kind: str) -> None:
    # Not "cannot be a timer event" and then what is wrong with the timer's value.
    event = (
        f'<bpmn:{kind} id="event" name="Event"><bpmn:timerEventDefinition id="t">'
        f"<bpmn:timeDuration>soon</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:{kind}>"
    )
    if kind == "endEvent":
        body = '<bpmn:startEvent id="start" />' + event + flow("f0", "start", "event")
    else:
        body = linear(event, ids=["event"])
    problems = validate_bpmn(diagram(body), catalog)
    assert [(p.message.key, p.element_id) for p in problems] == [("wrong_event", "event")]


def test_a_business_rule_task_without_a_decision_says_what_is_missing(catalog: Catalog) -> None:
    task = '<bpmn:businessRuleTask id="route" name="Route" />'
    problems = validate_bpmn(diagram(linear(task, ids=["route"])), catalog)
    assert [p.message.key for p in problems] == ["decision_missing"], problems
    assert "''" not in problems[0].message
    assert "calledDecisionId" in problems[0].message


def test_a_plain_task_outside_any_lane_is_refused(catalog: Catalog) -> None:
    # SpiffWorkflow waits for someone to complete a bpmn:task; without a lane nobody could.
    task = '<bpmn:task id="pack" name="Pack" />'
    problems = validate_bpmn(diagram(linear(task, ids=["pack"])), catalog)
    assert [(p.message.key, p.element_id) for p in problems] == [("plain_task_not_in_lane", "pack")]
    assert validate_bpmn(diagram(linear(task, ids=["pack"]), lane_nodes=["pack"]), catalog) == []


def test_a_user_task_outside_any_lane_is_refused(catalog: Catalog) -> None:
    problems = validate_bpmn(diagram(linear(user_task("sign"), ids=["sign"])), catalog)
    assert [(p.message.key, p.element_id) for p in problems] == [("not_in_lane", "sign")]


@pytest.mark.parametrize(
    ("kind", "text", "refused"),
    [
        ("timeCycle", "R/2026-01-05T09:00:00/P7D", True),
        ("timeCycle", "R3/PT1H", True),
        ("timeDuration", "PT1H", False),
        ("timeDate", "2026-01-05T09:00:00", False),
    ],
)
def test_a_repeating_start_timer_is_refused(
    catalog: Catalog, kind: str, text: str, refused: bool
) -> None:
    # In an instance a cycle on the start event adds a path at every firing and never ends.
    start = (
        '<bpmn:startEvent id="start" name="Start"><bpmn:timerEventDefinition>'
        f"<bpmn:{kind}>{text}</bpmn:{kind}></bpmn:timerEventDefinition></bpmn:startEvent>"
    )
    body = linear(ids=[]).replace('<bpmn:startEvent id="start" name="Start" />', start, 1)
    problems = validate_bpmn(diagram(body), catalog)
    expected = [("start_timer_repeats", "start")] if refused else []
    assert [(p.message.key, p.element_id) for p in problems] == expected
    if refused:
        assert "boundary" in problems[0].message and "intermediate" in problems[0].message

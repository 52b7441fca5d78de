"""Diagrams made by other tools (fixtures/foreign/, see its README): each either validates, or is
refused with specific messages naming the element (kind and id) and what to do — never with a
traceback, and every problem on the line of the element it names."""

from __future__ import annotations

import pytest
from lxml import etree

from app.engine.validation import Catalog, Problem, validate_bpmn
from tests.engine.builders import FIXTURES, make_catalog

FOREIGN = FIXTURES / "foreign"
NOT_EXECUTABLE = 'No process is marked executable; set isExecutable="true"'
NO_LANE = "is not in any lane; put it in the lane of the department that does it"
NO_FORM = "has no form; add the spiffworkflow property 'form' naming one"
PLAIN_NO_LANE = "is not in any lane, but a plain task waits for someone to mark it done"
NOT_DEPARTMENT = "which is not a department"
NO_DUE = "has no due time; add the spiffworkflow property 'due' with a duration such as PT8H"

# file -> every problem expected: (element id, fragment of its message).
EXPECTED: dict[str, list[tuple[str | None, str]]] = {
    # Camunda Modeler 5, Camunda 7 platform: collaboration, lanes, camunda:* attributes, DI.
    "camunda7_order_approval.bpmn": [
        ("Activity_check_order", f"User task 'Activity_check_order' {NO_FORM} (OrderGate does "
         "not read its Camunda form 'embedded:app:forms/check-order.html')"),
        ("Activity_check_order", f"User task 'Activity_check_order' {NO_DUE} or P2D."),
        ("Activity_approve", "User task 'Activity_approve' is in the lane 'Back office', which is "
         "not a department"),
        ("Activity_approve", f"{NO_FORM} (OrderGate does not read its Camunda form fields in "
         "camunda:formData)"),
        ("Activity_approve", f"{NO_DUE} or P2D (OrderGate does not read camunda:dueDate)"),
        ("Activity_notify", "Service task 'Activity_notify' calls no connector"),
        ("Activity_book", "The script of script task 'Activity_book' is written in groovy; "
         "OrderGate runs Python only"),
        ("Flow_big", "'${amount > 10000}' is a Camunda 7 (JUEL) expression"),
        ("Flow_small", "'${amount <= 10000}' is a Camunda 7 (JUEL) expression"),
    ],
    # The same tool's output once the OrderGate properties were added: imports and validates.
    "camunda7_edited_for_ordergate.bpmn": [],
    # Camunda Modeler 5, Camunda 8 (Zeebe): zeebe:* extensions, FEEL, no lanes.
    "camunda8_order_fulfilment.bpmn": [
        ("Task_reserve_stock", "Service task 'Task_reserve_stock' calls no connector"),
        ("Task_review_order", f"User task 'Task_review_order' {NO_LANE} (OrderGate assigns work "
         "by lane, not by Camunda assignees or candidate groups)"),
        ("Task_review_order", f"{NO_FORM} (OrderGate does not read its Camunda form "
         "'review-order-form')"),
        ("Task_review_order", f"{NO_DUE} or P2D (OrderGate does not read zeebe:taskSchedule)"),
        ("Task_arrange_backorder", f"User task 'Task_arrange_backorder' {NO_LANE}."),
        ("Task_arrange_backorder", f"{NO_FORM} (OrderGate does not read its Camunda form "
         "'camunda-forms:bpmn:userTaskForm_2k1m9v')"),
        ("Task_arrange_backorder", NO_DUE),
        ("Flow_in_stock", "'=reservationId != null' is a FEEL expression (Camunda 8)"),
    ],
    # MIWG A.1.0 kind: a sequence of plain tasks (Latin-1, "semantic:" prefix, DI).
    # Its plain tasks would wait in an inbox nobody sees: they need lanes.
    "miwg_a1_sequence.bpmn": [
        ("WFP-6-0", NOT_EXECUTABLE),
        *[(f"_{t}", f"Task '_{t}' {PLAIN_NO_LANE}") for t in (
            "ec59e164-68b4-4f94-98de-ffb1c58a84af", "820c21c0-45f3-473b-813f-06381cc637cd",
            "e70a6fcb-913c-4a7b-a65d-e83adc73d69c")],
    ],
    # MIWG A.2.0 kind: exclusive and parallel gateways, labelled conditions (default namespace).
    "miwg_a2_gateways.bpmn": [
        ("sid-a2-process", NOT_EXECUTABLE),
        ("sid-f3", "'Condition 1' is not a Python expression"),
        *[(f"sid-task{n}", f"Task 'sid-task{n}' {PLAIN_NO_LANE}") for n in range(1, 7)],
        # With no process executable, every one is checked as if it were the one to run.
        ("sid-f5", "Sequence flow 'sid-f5' leaves exclusive gateway 'sid-split' without a "
         "condition and is not its default flow"),
    ],
    # MIWG A.3.0 kind: boundary and intermediate events (message and escalation boundaries run).
    "miwg_a3_events.bpmn": [
        ("WFP-6-3", NOT_EXECUTABLE),
        ("_a3-collapsed", "Sub process '_a3-collapsed' has no start event; add one."),
        *[(f"_a3-task{n}", f"Task '_a3-task{n}' {PLAIN_NO_LANE}") for n in range(1, 5)],
        ("_a3-wait", "'tomorrow at noon' is neither an ISO 8601 date"),
        ("_a3-link", "Intermediate throw event '_a3-link' is a link event, which is not "
         "supported"),
        ("_a3-boundary-message", "Boundary event '_a3-boundary-message' does not name a message"),
    ],
    # MIWG A.4.0 kind: two pools, lanes, message flows ("bpmn2:" prefix).
    "miwg_a4_collaboration.bpmn": [
        ("_a4-process1", NOT_EXECUTABLE),
        *[(f"_a4-task{n}", f"Task '_a4-task{n}' is in the lane 'Lane {(n + 1) // 2}', "
           f"{NOT_DEPARTMENT}") for n in range(1, 5)],
    ],
    # MIWG B.1.0 kind: data objects and stores, annotation, group, call activity, subprocesses,
    # event subprocess, signal / escalation / compensation events, complex gateway.
    "miwg_b1_conformance.bpmn": [
        ("_b1-store", "Data store '_b1-store' is not supported"),
        ("_b1-task1", f"Task '_b1-task1' is in the lane 'Lane 1', {NOT_DEPARTMENT}"),
        ("_b1-undo", f"Task '_b1-undo' is in the lane 'Lane 2', {NOT_DEPARTMENT}"),
        ("_b1-sub-task", f"Task '_b1-sub-task' {PLAIN_NO_LANE}"),
        ("_b1-called-task", f"Task '_b1-called-task' {PLAIN_NO_LANE}"),
        ("_b1-main", NOT_EXECUTABLE),
        ("_b1-store-ref", "Data store reference '_b1-store-ref' is not supported"),
        ("_b1-start", "Start event '_b1-start' cannot be a signal event; use a message or a "
         "timer event instead."),
        ("_b1-compensate", "Boundary event '_b1-compensate' is a compensation event, which is "
         "not supported"),
        ("_b1-complex", "Complex gateway '_b1-complex' is not supported"),
        ("_b1-end", "End event '_b1-end' cannot be a signal event; use an error or an "
         "escalation or a message or a terminate event instead."),
        ("_b1-event-sub", "Event subprocess '_b1-event-sub' is not supported"),
    ],
    # MIWG B.2.0 kind (exported executable): task types, loop markers, io specification,
    # conditional start, terminate end, transaction, ad-hoc subprocess, XPath condition.
    "miwg_b2_conformance.bpmn": [
        ("_b2-start-conditional", "Process '_b2-process' has 2 start events"),
        ("_b2-start-conditional", "Start event '_b2-start-conditional' is a conditional event"),
        *[(t, f"User task '{t}' {m}") for t in ("_b2-user-mi", "_b2-user-loop", "_b2-user-io")
          for m in (NO_LANE, NO_FORM, NO_DUE)],
        ("_b2-user-mi", "The multi-instance marker of user task '_b2-user-mi' needs either a "
         "collection"),
        ("_b2-user-loop", "The standard loop characteristics in user task '_b2-user-loop' is "
         "not supported"),
        ("_b2-service", "Service task '_b2-service' calls no connector"),
        ("_b2-user-io", "The io specification in user task '_b2-user-io' is not supported"),
        (None, "does not follow the BPMN 2.0 schema: Element 'bpmn:callActivity', attribute "
         "'calledElement'"),
        ("_b2-call", "Call activity '_b2-call' calls the process '', which is neither in this "
         "file nor published"),
        ("_b2-transaction", "Transaction '_b2-transaction' is not supported"),
        ("_b2-adhoc", "Ad hoc sub process '_b2-adhoc' is not supported"),
        ("_b2-sub-mi", "Sub process '_b2-sub-mi' is multi-instance, which only user and manual "
         "tasks may be"),
        ("_b2-f6", "Sequence flow '_b2-f6' leaves inclusive gateway '_b2-inclusive' without a "
         "condition"),
        ("_b2-f8", "The condition of sequence flow '_b2-f8' is written in "
         "http://www.w3.org/1999/XPath; OrderGate runs Python only"),
    ],
}  # fmt: skip

# The MIWG reference models are not executable; marked executable, this is what remains.
MADE_EXECUTABLE: dict[str, list[tuple[str | None, str]]] = {
    "miwg_a1_sequence.bpmn": [
        e for e in EXPECTED["miwg_a1_sequence.bpmn"] if e[1] != NOT_EXECUTABLE
    ],
    "miwg_a2_gateways.bpmn": [
        e for e in EXPECTED["miwg_a2_gateways.bpmn"] if e[1] != NOT_EXECUTABLE
    ],
    "miwg_a3_events.bpmn": [
        e for e in EXPECTED["miwg_a3_events.bpmn"] if e[1] != NOT_EXECUTABLE
    ],
    "miwg_a4_collaboration.bpmn": [
        e for e in EXPECTED["miwg_a4_collaboration.bpmn"] if e[1] != NOT_EXECUTABLE
    ],
    "miwg_b1_conformance.bpmn": [
        e for e in EXPECTED["miwg_b1_conformance.bpmn"] if e[1] != NOT_EXECUTABLE
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return make_catalog()


def test_every_fixture_has_expectations() -> None:
    assert sorted(p.name for p in FOREIGN.glob("*.bpmn")) == sorted(EXPECTED)


def _extent(root: etree._Element, element_id: str) -> tuple[int, int]:
    """First and last source line of the element with that id."""
    node = next(n for n in root.iter() if isinstance(n.tag, str) and n.get("id") == element_id)
    lines = [n.sourceline for n in node.iter() if n.sourceline]
    return node.sourceline, max(lines)


def check(data: bytes, problems: list[Problem], expected: list[tuple[str | None, str]]) -> None:
    """Exactly the expected problems, each on a line inside the element it names."""
    assert all(isinstance(p, Problem) for p in problems)
    assert not any("could not be checked" in p.message for p in problems), problems
    assert not any("Traceback" in p.message for p in problems), problems
    assert len(problems) == len(expected), [(p.element_id, p.message) for p in problems]
    root = etree.fromstring(data)
    remaining = list(problems)
    for element_id, fragment in expected:
        found = [p for p in remaining if p.element_id == element_id and fragment in p.message]
        assert found, (element_id, fragment, [(p.element_id, p.message) for p in remaining])
        remaining.remove(found[0])
        assert found[0].line > 0, found[0]
        if element_id:
            first, last = _extent(root, element_id)
            assert first <= found[0].line <= last, (found[0], first, last)


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=str)
def test_foreign_diagram(name: str, catalog: Catalog) -> None:
    data = (FOREIGN / name).read_bytes()
    check(data, validate_bpmn(data, catalog), EXPECTED[name])


@pytest.mark.parametrize("name", sorted(MADE_EXECUTABLE), ids=str)
def test_foreign_diagram_made_executable(name: str, catalog: Catalog) -> None:
    data = (FOREIGN / name).read_bytes().replace(b'isExecutable="false"', b'isExecutable="true"')
    check(data, validate_bpmn(data, catalog), MADE_EXECUTABLE[name])


def test_the_camunda_diagram_with_ordergate_properties_runs(catalog: Catalog) -> None:
    from app.engine import runner
    from app.engine.specs import load_definition

    definition = load_definition((FOREIGN / "camunda7_edited_for_ordergate.bpmn").read_bytes())
    assert {t.spec_name: (t.lane, t.form, t.due) for t in definition.user_tasks.values()} == {
        "Activity_confirm": ("sales", "order_intake", "PT8H"),
        "Activity_inspect": ("Quality", "review_quality", "P1DT4H"),
    }
    started = runner.start(definition, {})
    assert [t.spec_name for t in started.ready] == ["Activity_confirm"] and not started.error

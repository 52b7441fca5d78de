"""validate_bpmn and multi-instance markers: accepted on human tasks, checked like expressions."""

from __future__ import annotations

import pytest
from builders import diagram, linear, multi_instance, script_task

from app.engine.validation import Catalog, Problem, validate_bpmn

COLLECTION = '<bpmn:inputDataItem id="line" name="Line" />'


def marker_with(first: str = "", middle: str = "", last: str = "") -> str:
    """Loop over `lines` with item `line`, plus elements in the order the schema wants."""
    return f"{first}<bpmn:loopDataInputRef>lines</bpmn:loopDataInputRef>{middle}{COLLECTION}{last}"


def problems_of(task: str, catalog: Catalog) -> list[Problem]:
    return validate_bpmn(
        diagram(linear(task, ids=["check_line"]), lane_nodes=["check_line"]), catalog
    )


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    assert problems[0].element_id == "check_line"
    return problems[0]


@pytest.mark.parametrize(
    "marker",
    [
        "",  # over `lines`, item `line`
        "<bpmn:loopCardinality>order['line_count'] + 1</bpmn:loopCardinality>",
        "<bpmn:loopDataInputRef>lines</bpmn:loopDataInputRef>"
        "<bpmn:loopDataOutputRef>results</bpmn:loopDataOutputRef>"
        f'{COLLECTION}<bpmn:outputDataItem id="result" name="Result" />'
        "<bpmn:completionCondition>check_line.get('stop', False)</bpmn:completionCondition>",
    ],
)
def test_multi_instance_user_tasks_are_accepted(catalog: Catalog, marker: str) -> None:
    for sequential in (False, True):
        task = multi_instance(marker=marker, sequential=sequential, post_script="result = 1")
        assert problems_of(task, catalog) == []


@pytest.mark.parametrize(
    ("collection", "expected"),
    [
        ("__import__('os')", '"__import__" is an invalid variable name'),
        ("open", "'open' is not available"),
        ("_secret", '"_secret" is an invalid variable name because it starts with "_"'),
        ("lines[0]", "The collection 'lines[0]' of user task 'check_line' must be the name of"),
    ],
)
def test_a_forbidden_collection_is_refused(
    catalog: Catalog, collection: str, expected: str
) -> None:
    marker = f"<bpmn:loopDataInputRef>{collection}</bpmn:loopDataInputRef>{COLLECTION}"
    problems = problems_of(multi_instance(marker=marker), catalog)
    # The schema also wants a QName there; ours says what to do about it.
    ours = [p for p in problems if "schema" not in p.message]
    problem = only(ours)
    assert expected in problem.message, problem.message


def test_forbidden_cardinality_and_completion_condition_are_refused(catalog: Catalog) -> None:
    marker = "<bpmn:loopCardinality>len(open('/etc/passwd').read())</bpmn:loopCardinality>"
    problem = only(problems_of(multi_instance(marker=marker), catalog))
    assert problem.message.startswith("The loop cardinality of user task 'check_line' was refused:")
    assert "'open' is not available" in problem.message
    condition = "<bpmn:completionCondition>().__class__.__base__</bpmn:completionCondition>"
    problem = only(problems_of(multi_instance(marker=marker_with(last=condition)), catalog))
    assert problem.message.startswith(
        "The completion condition of user task 'check_line' was refused:"
    )
    assert '"__class__" is an invalid attribute name' in problem.message


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        (COLLECTION, "needs either a collection (loop input) or a cardinality, not both"),
        (
            marker_with(first="<bpmn:loopCardinality>3</bpmn:loopCardinality>"),
            "needs either a collection (loop input) or a cardinality",
        ),
        (
            marker_with(middle="<bpmn:loopDataOutputRef>results</bpmn:loopDataOutputRef>"),
            "needs both an output collection and an output item, or neither",
        ),
        (
            "<bpmn:loopDataInputRef>line</bpmn:loopDataInputRef>" + COLLECTION,
            "The input item of user task 'check_line' has the name of its collection",
        ),
        (
            marker_with(last='<bpmn:outputDataItem id="_out" />'),
            "needs both an output collection and an output item",
        ),
    ],
)
def test_malformed_markers_are_explained(catalog: Catalog, marker: str, expected: str) -> None:
    problems = problems_of(multi_instance(marker=marker), catalog)
    assert problems and all(p.element_id == "check_line" for p in problems), problems
    assert any(expected in p.message for p in problems), problems


def test_only_human_tasks_may_be_multi_instance(catalog: Catalog) -> None:
    marker = f"<bpmn:multiInstanceLoopCharacteristics>{marker_with()}"
    task = script_task("total = 1", "check_line").replace(
        "<bpmn:script>", marker + "</bpmn:multiInstanceLoopCharacteristics><bpmn:script>"
    )
    problem = only(problems_of(task, catalog))
    assert problem.message == (
        "Script task 'check_line' is multi-instance, which only user and manual tasks may be; "
        "model the repetition with gateways."
    )


def test_standard_loops_and_complex_behaviour_stay_refused(catalog: Catalog) -> None:
    loop = multi_instance().replace(
        "multiInstanceLoopCharacteristics", "standardLoopCharacteristics"
    )
    loop = loop.replace("<bpmn:loopDataInputRef>lines</bpmn:loopDataInputRef>", "").replace(
        COLLECTION, ""
    )
    problem = only(problems_of(loop, catalog))
    assert "standard loop characteristics in user task 'check_line' is not supported" in (
        problem.message
    )
    assert "model the loop with an exclusive gateway" in problem.message
    complex_behaviour = multi_instance(
        marker=marker_with(last='<bpmn:complexBehaviorDefinition id="cb" />')
    )
    problem = validate_bpmn(
        diagram(linear(complex_behaviour, ids=["check_line"]), lane_nodes=["check_line"]),
        catalog,
    )
    assert any("Complex behavior definition 'cb' is not supported" in p.message for p in problem)

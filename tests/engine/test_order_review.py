"""workflows/order_review.bpmn through the runner: happy path, rejection loop, cancellation."""

from __future__ import annotations

import pytest
from builders import order_review_bytes

from app.engine import runner
from app.engine.errors import TaskNotReady
from app.engine.runner import StepResult
from app.engine.specs import ProcessDefinition, load_definition

REVIEWS = ["review_engineering", "review_production", "review_quality", "review_warehouse"]


@pytest.fixture(scope="module")
def defn() -> ProcessDefinition:
    return load_definition(order_review_bytes())


def names(result: StepResult) -> list[str]:
    return [task.spec_name for task in result.ready]


def submit(defn: ProcessDefinition, result: StepResult, spec_name: str, form: dict) -> StepResult:
    """Complete the ready task of this spec the way the service does: data under its id."""
    task = next(t for t in result.ready if t.spec_name == spec_name)
    after = runner.complete(defn, result.state, task.task_id, {spec_name: form})
    assert after.error is None, after.error
    return after


def through_reviews(defn: ProcessDefinition, result: StepResult, decisions: dict) -> StepResult:
    result = submit(defn, result, "pmc_dispatch", {"meeting": "Mon 10:00"})
    assert sorted(names(result)) == sorted(REVIEWS)
    for review in REVIEWS:
        form = {"decision": decisions.get(review, "approve"), "comments": "", "conditions": ""}
        result = submit(defn, result, review, form)
    assert names(result) == ["pmc_consolidate"]
    return submit(defn, result, "pmc_consolidate", {"summary": "see reviews"})


def test_definition_describes_the_human_tasks(defn: ProcessDefinition) -> None:
    assert defn.process_id == "order_review" and defn.name == "Order review"
    assert len(defn.xml_hash) == 64
    consolidate = defn.user_tasks["pmc_consolidate"]
    assert (consolidate.lane, consolidate.form, consolidate.role, consolidate.due) == (
        "pmc",
        "pmc_consolidate",
        "head",
        "PT8H",
    )
    for review in REVIEWS:
        info = defn.user_tasks[review]
        assert (info.lane, info.form, info.due) == (review.split("_")[1], review, "PT24H")
    assert defn.forms == {
        "order_intake", "pmc_dispatch", "pmc_consolidate", "sales_revise", *REVIEWS,
    }  # fmt: skip
    assert load_definition(order_review_bytes()) is defn  # cached per content hash


def test_happy_path_completes_at_review_passed(defn: ProcessDefinition) -> None:
    result = runner.start(defn, {"order_id": 7})
    assert names(result) == ["confirm_order"]
    first = result.ready[0]
    assert (first.name, first.lane, first.form, first.due) == (
        "Confirm order details",
        "sales",
        "order_intake",
        "PT8H",
    )
    result = submit(defn, result, "confirm_order", {"quantity": 100})
    assert names(result) == ["pmc_dispatch"]
    result = through_reviews(defn, result, {"review_quality": "approve_with_conditions"})
    assert result.completed and result.ready == [] and result.error is None
    assert result.data["review_quality"]["decision"] == "approve_with_conditions"
    assert result.data["order_id"] == 7
    assert result.data["order_status"] == "review_passed"  # the order follows this


def test_a_rejection_goes_back_through_sales_and_dispatch(defn: ProcessDefinition) -> None:
    result = submit(defn, runner.start(defn, {"order_id": 8}), "confirm_order", {})
    result = through_reviews(defn, result, {"review_engineering": "reject"})
    assert names(result) == ["sales_revise"] and not result.completed
    assert result.data["order_status"] == "rejected"
    assert (result.ready[0].lane, result.ready[0].form) == ("sales", "sales_revise")
    result = submit(defn, result, "sales_revise", {"action": "resubmit", "changes": "thicker"})
    assert names(result) == ["pmc_dispatch"]
    assert result.data["order_status"] == "in_review"
    result = through_reviews(defn, result, {})
    assert result.completed


def test_cancel_after_rejection_ends_the_process(defn: ProcessDefinition) -> None:
    result = submit(defn, runner.start(defn, {"order_id": 9}), "confirm_order", {})
    result = through_reviews(defn, result, {"review_warehouse": "reject"})
    result = submit(defn, result, "sales_revise", {"action": "cancel"})
    assert result.completed and result.data["sales_revise"]["action"] == "cancel"
    assert result.data["order_status"] == "cancelled"


def test_a_task_cannot_be_completed_twice(defn: ProcessDefinition) -> None:
    started = runner.start(defn, {})
    task_id = started.ready[0].task_id
    done = runner.complete(defn, started.state, task_id, {"confirm_order": {}})
    with pytest.raises(TaskNotReady):
        runner.complete(defn, done.state, task_id, {"confirm_order": {}})
    with pytest.raises(TaskNotReady):
        runner.complete(defn, done.state, "not-a-uuid", {})


def test_second_round_sees_the_fresh_reviews_not_last_rounds(defn: ProcessDefinition) -> None:
    # Each parallel branch carries a copy of last round's reviews; the join must keep only what
    # each branch changed, or a stale "reject" from a later-finishing branch would win.
    result = submit(defn, runner.start(defn, {}), "confirm_order", {})
    result = through_reviews(defn, result, {"review_engineering": "reject"})
    result = submit(defn, result, "sales_revise", {"action": "resubmit"})
    result = submit(defn, result, "pmc_dispatch", {})
    for review in REVIEWS:  # engineering finishes first, the stale copies after it
        result = submit(defn, result, review, {"decision": "approve"})
    consolidate = result.ready[0]
    assert consolidate.spec_name == "pmc_consolidate"
    assert {r: consolidate.data[r] for r in REVIEWS} == {
        r: {"decision": "approve"} for r in REVIEWS
    }

"""workflows/quotation_approval.bpmn (+ quotation_rules.dmn) through the runner
(docs/QUOTATIONS.md): the sales head approves a flagged quotation, the general manager too
when its lowest margin is below 5 %; either may reject it."""

from __future__ import annotations

import pytest
from builders import ROOT, workflow_bytes

from app.engine import runner
from app.engine.runner import StepResult
from app.engine.specs import ProcessDefinition, load_definition
from app.engine.validation import Catalog, validate_bpmn

APPROVE = {"decision": "approve"}
REJECT = {"decision": "reject", "reason": "Too cheap for this customer"}


@pytest.fixture(scope="module")
def defn() -> ProcessDefinition:
    return load_definition(
        workflow_bytes("quotation_approval.bpmn"), [workflow_bytes("quotation_rules.dmn")]
    )


def names(result: StepResult) -> list[str]:
    return sorted(task.spec_name for task in result.ready)


def submit(defn, result: StepResult, spec_name: str, form: dict) -> StepResult:
    task = next(t for t in result.ready if t.spec_name == spec_name)
    after = runner.complete(defn, result.state, task.task_id, {spec_name: form})
    assert after.error is None, after.error
    return after


def started(defn, margin: float) -> StepResult:
    data = {"quotation_id": 3, "quotation": {"id": 3, "lowest_margin_pct": margin}}
    return runner.start(defn, data)


def test_definition_matches_the_contract(defn: ProcessDefinition) -> None:
    tasks = {name: (i.lane, i.role, i.form, i.due) for name, i in defn.user_tasks.items()}
    assert tasks == {
        "quotation_approval_sales": ("sales", "head", "quotation_approval", "PT8H"),
        "quotation_approval_gm": ("management", "head", "quotation_approval", "PT8H"),
    }
    forms = {path.stem for path in (ROOT / "forms").glob("*.json")}
    departments = ["sales", "management"]
    catalog = Catalog({key: key for key in departments}, forms, {"head", "member"})
    bpmn, dmn = workflow_bytes("quotation_approval.bpmn"), workflow_bytes("quotation_rules.dmn")
    assert validate_bpmn(bpmn, catalog, [dmn]) == []


@pytest.mark.parametrize("margin", [5.0, 5.01, 14.99])
def test_the_sales_head_alone_at_5_percent_or_more(defn, margin) -> None:
    result = started(defn, margin)
    assert names(result) == ["quotation_approval_sales"] and result.data["needs_gm"] is False
    result = submit(defn, result, "quotation_approval_sales", APPROVE)
    assert result.completed and result.data["quotation_outcome"] == "approved"


@pytest.mark.parametrize("margin", [4.99, 0.0, -100.0])
def test_the_general_manager_too_below_5_percent(defn, margin) -> None:
    result = submit(defn, started(defn, margin), "quotation_approval_sales", APPROVE)
    assert names(result) == ["quotation_approval_gm"] and "quotation_outcome" not in result.data
    result = submit(defn, result, "quotation_approval_gm", APPROVE)
    assert result.completed and result.data["quotation_outcome"] == "approved"


def test_either_approver_may_reject(defn) -> None:
    result = submit(defn, started(defn, 10.0), "quotation_approval_sales", REJECT)
    assert result.completed and result.data["quotation_outcome"] == "rejected"
    result = submit(defn, started(defn, 1.0), "quotation_approval_sales", APPROVE)
    result = submit(defn, result, "quotation_approval_gm", REJECT)
    assert result.completed and result.data["quotation_outcome"] == "rejected"

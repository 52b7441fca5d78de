"""workflows/order_closeout.bpmn (+ closeout_rules.dmn) through the runner (docs/CLOSEOUT.md):
costing, the finance head's approval, the general manager's below the threshold, send-backs."""

from __future__ import annotations

import pytest
from builders import ROOT, workflow_bytes

from app.engine import runner
from app.engine.runner import StepResult
from app.engine.specs import ProcessDefinition, load_definition
from app.engine.validation import Catalog, validate_bpmn

DEPARTMENTS = ["sales", "pmc", "production", "warehouse", "finance", "management"]
APPROVE = {"decision": "approve"}
SEND_BACK = {"decision": "reject", "reason": "Material looks too low"}


@pytest.fixture(scope="module")
def defn() -> ProcessDefinition:
    return load_definition(
        workflow_bytes("order_closeout.bpmn"), [workflow_bytes("closeout_rules.dmn")]
    )


def names(result: StepResult) -> list[str]:
    return sorted(task.spec_name for task in result.ready)


def submit(defn, result: StepResult, spec_name: str, form: dict, **extra) -> StepResult:
    task = next(t for t in result.ready if t.spec_name == spec_name)
    after = runner.complete(defn, result.state, task.task_id, {spec_name: form, **extra})
    assert after.error is None, after.error
    return after


def costed(defn, margin_pct: float) -> StepResult:
    start = runner.start(defn, {"order_id": 7, "order": {"id": 7, "number": "SO-2026-00007"}})
    assert names(start) == ["closeout_costing"]
    assert start.data["closeout_outcome"] == "open"
    return submit(defn, start, "closeout_costing", {}, closeout={"margin_pct": margin_pct})


def test_definition_matches_the_contract(defn: ProcessDefinition) -> None:
    tasks = {
        name: (info.lane, info.role, info.form, info.due) for name, info in defn.user_tasks.items()
    }
    assert tasks == {
        "closeout_costing": ("finance", None, "closeout_costing", "PT16H"),
        "closeout_approval_finance": ("finance", "head", "closeout_approval", "PT8H"),
        "closeout_approval_gm": ("management", "head", "closeout_approval", "PT8H"),
    }
    assert all((ROOT / "forms" / f"{form}.json").exists() for form in defn.forms)
    forms = {path.stem for path in (ROOT / "forms").glob("*.json")}
    catalog = Catalog({key: key for key in DEPARTMENTS}, forms, {"head", "member"})
    bpmn, dmn = workflow_bytes("order_closeout.bpmn"), workflow_bytes("closeout_rules.dmn")
    assert validate_bpmn(bpmn, catalog, [dmn]) == []


@pytest.mark.parametrize("margin", [15.0, 15.01, 40.0])
def test_at_or_above_the_threshold_the_finance_head_closes_alone(defn, margin) -> None:
    result = costed(defn, margin)
    assert names(result) == ["closeout_approval_finance"]
    assert result.data["needs_gm"] is False
    closed = submit(defn, result, "closeout_approval_finance", APPROVE)
    assert closed.completed and closed.ready == []
    assert closed.data["order_status"] == "closed"
    assert closed.data["closeout_outcome"] == "closed"


@pytest.mark.parametrize("margin", [14.99, 0.0, -100.0])
def test_below_the_threshold_the_general_manager_approves_too(defn, margin) -> None:
    result = costed(defn, margin)
    assert result.data["needs_gm"] is True
    at_gm = submit(defn, result, "closeout_approval_finance", APPROVE)
    assert names(at_gm) == ["closeout_approval_gm"]
    assert "order_status" not in at_gm.data
    closed = submit(defn, at_gm, "closeout_approval_gm", APPROVE)
    assert closed.completed and closed.data["order_status"] == "closed"


def test_a_send_back_returns_to_costing_and_decides_again(defn) -> None:
    result = costed(defn, 30.0)
    back = submit(defn, result, "closeout_approval_finance", SEND_BACK)
    assert names(back) == ["closeout_costing"] and not back.completed
    again = submit(defn, back, "closeout_costing", {}, closeout={"margin_pct": 10.0})
    at_gm = submit(defn, again, "closeout_approval_finance", APPROVE)
    assert names(at_gm) == ["closeout_approval_gm"]
    back_from_gm = submit(defn, at_gm, "closeout_approval_gm", SEND_BACK)
    assert names(back_from_gm) == ["closeout_costing"]
    assert "order_status" not in back_from_gm.data

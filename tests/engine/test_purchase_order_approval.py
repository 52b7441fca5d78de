"""workflows/purchase_order_approval.bpmn (+ purchase_rules.dmn) through the runner: the total
decides the approval level at its boundaries (docs/PURCHASING.md)."""

from __future__ import annotations

import pytest
from builders import ROOT, workflow_bytes

from app.engine import runner
from app.engine.runner import StepResult
from app.engine.specs import ProcessDefinition, load_definition
from app.engine.validation import Catalog, validate_bpmn

DEPARTMENTS = ["purchasing", "management"]


@pytest.fixture(scope="module")
def defn() -> ProcessDefinition:
    return load_definition(
        workflow_bytes("purchase_order_approval.bpmn"), [workflow_bytes("purchase_rules.dmn")]
    )


def start(defn: ProcessDefinition, total: float) -> StepResult:
    data = {"purchase_order": {"id": 7, "number": "PO-2026-00007", "total": total}}
    result = runner.start(defn, data)
    assert result.error is None, result.error
    return result


def decide(defn: ProcessDefinition, result: StepResult, step: str, decision: str) -> StepResult:
    task = next(t for t in result.ready if t.spec_name == step)
    form = {"decision": decision, "reason": "Too dear" if decision == "reject" else ""}
    after = runner.complete(defn, result.state, task.task_id, {step: form})
    assert after.error is None, after.error
    return after


def test_the_model_validates_with_its_decision_table() -> None:
    forms = {p.stem for p in (ROOT / "forms").glob("*.json")}
    catalog = Catalog({key: key for key in DEPARTMENTS}, forms, {"head", "member"})
    bpmn = workflow_bytes("purchase_order_approval.bpmn")
    assert validate_bpmn(bpmn, catalog, [workflow_bytes("purchase_rules.dmn")]) == []


@pytest.mark.parametrize("total", [0, 12.5, 50000])
def test_up_to_50000_nobody_approves(defn: ProcessDefinition, total: float) -> None:
    result = start(defn, total)
    assert result.completed and result.data["po_outcome"] == "approved"


@pytest.mark.parametrize("total", [50000.01, 200000])
def test_above_50000_the_purchasing_head_decides(defn: ProcessDefinition, total: float) -> None:
    result = start(defn, total)
    assert [t.spec_name for t in result.ready] == ["po_approval_head"]
    approved = decide(defn, result, "po_approval_head", "approve")
    assert approved.completed and approved.data["po_outcome"] == "approved"
    rejected = decide(defn, start(defn, total), "po_approval_head", "reject")
    assert rejected.completed and rejected.data["po_outcome"] == "rejected"


def test_above_200000_the_general_manager_decides_after_the_head(defn: ProcessDefinition) -> None:
    result = decide(defn, start(defn, 200000.01), "po_approval_head", "approve")
    assert [t.spec_name for t in result.ready] == ["po_approval_gm"]
    approved = decide(defn, result, "po_approval_gm", "approve")
    assert approved.data["po_outcome"] == "approved"
    rejected = decide(defn, result, "po_approval_gm", "reject")
    assert rejected.data["po_outcome"] == "rejected"

"""workflows/order_return.bpmn (+ return_rules.dmn) through the runner (docs/RETURNS.md)."""

from __future__ import annotations

import pytest
from builders import ROOT, workflow_bytes

from app.engine import runner
from app.engine.runner import StepResult
from app.engine.specs import ProcessDefinition, load_definition
from app.engine.validation import Catalog, validate_bpmn

DEMO_DEPARTMENTS = [
    "sales", "pmc", "engineering", "production", "quality", "warehouse", "purchasing", "finance",
    "management",
]  # fmt: skip
ACCEPT = {"decision": "approve", "reason": "Cracks confirmed"}
APPROVE = {"decision": "approve"}
REJECT = {"decision": "reject", "reason": "Misuse"}


@pytest.fixture(scope="module")
def defn() -> ProcessDefinition:
    return load_definition(
        workflow_bytes("order_return.bpmn"), [workflow_bytes("return_rules.dmn")]
    )


def start(
    defn: ProcessDefinition,
    amount: float,
    outcome: str = "refund",
    currency: str = "CNY",
    amount_cny: float | None | str = "same",
) -> StepResult:
    data = {
        "order_id": 7,
        "order": {"id": 7, "number": "SO-2026-00007", "customer": "ACME", "status": "delivered"},
        "return_request": {"id": 1, "amount": amount, "currency": currency,
                           "amount_cny": amount if amount_cny == "same" else amount_cny,
                           "requested_outcome": outcome},
    }  # fmt: skip
    return runner.start(defn, data)


def names(result: StepResult) -> list[str]:
    return sorted(task.spec_name for task in result.ready)


def submit(defn: ProcessDefinition, result: StepResult, spec_name: str, form: dict) -> StepResult:
    task = next(t for t in result.ready if t.spec_name == spec_name)
    after = runner.complete(defn, result.state, task.task_id, {spec_name: form})
    assert after.error is None, after.error
    return after


def test_definition_matches_the_contract(defn: ProcessDefinition) -> None:
    assert defn.process_id == "order_return"
    tasks = {
        name: (info.lane, info.role, info.form, info.due) for name, info in defn.user_tasks.items()
    }
    assert tasks == {
        "return_inspection": ("quality", None, "return_inspection", "PT24H"),
        "return_approval_sales": ("sales", "head", "return_approval", "PT8H"),
        "return_approval_gm": ("management", "head", "return_approval", "PT8H"),
        "refund_payment": ("finance", None, "refund_payment", "PT24H"),
    }
    assert all((ROOT / "forms" / f"{form}.json").exists() for form in defn.forms)


def test_validates_with_the_demo_departments_and_its_decision() -> None:
    forms = {path.stem for path in (ROOT / "forms").glob("*.json")}
    catalog = Catalog({key: key for key in DEMO_DEPARTMENTS}, forms, {"head", "member"})
    bpmn, dmn = workflow_bytes("order_return.bpmn"), workflow_bytes("return_rules.dmn")
    assert validate_bpmn(bpmn, catalog, [dmn]) == []
    assert validate_bpmn(bpmn, catalog) != []  # the decision table is required


@pytest.mark.parametrize(("amount", "gm"), [(10000.0, False), (10000.01, True)])
def test_the_general_manager_approves_above_the_amount(defn, amount, gm) -> None:
    result = start(defn, amount)
    assert names(result) == ["return_inspection"] and result.data["return_outcome"] == "pending"
    result = submit(
        defn, submit(defn, result, "return_inspection", ACCEPT), "return_approval_sales", APPROVE
    )
    if gm:
        assert names(result) == ["return_approval_gm"]
        result = submit(defn, result, "return_approval_gm", APPROVE)
    assert names(result) == ["refund_payment"] and result.data["return_outcome"] == "refund_due"
    result = submit(defn, result, "refund_payment", {"paid": True, "payment_reference": "B-1"})
    assert result.completed and result.data["return_outcome"] == "refunded"


@pytest.mark.parametrize(
    ("amount", "amount_cny", "gm"),
    [(1500.0, 10650.0, True), (1400.0, 9940.0, False), (100.0, None, True)],
    ids=["usd-over-in-cny", "usd-within-in-cny", "rate-unknown"],
)
def test_the_limit_is_in_cny_whatever_the_order_currency(defn, amount, amount_cny, gm) -> None:
    """USD 1,500 at 7.1 is CNY 10,650: over the limit though 1,500 is not; no rate: the GM."""
    result = start(defn, amount, currency="USD", amount_cny=amount_cny)
    result = submit(
        defn, submit(defn, result, "return_inspection", ACCEPT), "return_approval_sales", APPROVE
    )
    assert result.data["needs_gm"] is gm
    assert names(result) == (["return_approval_gm"] if gm else ["refund_payment"])


@pytest.mark.parametrize(
    "step", ["return_inspection", "return_approval_sales", "return_approval_gm"]
)
def test_any_step_may_reject(defn, step) -> None:
    result = start(defn, 20000.0, "exchange")
    for done in ("return_inspection", "return_approval_sales", "return_approval_gm"):
        if done == step:
            result = submit(defn, result, done, REJECT)
            break
        result = submit(defn, result, done, ACCEPT if done == "return_inspection" else APPROVE)
    assert result.completed and result.ready == []
    assert result.data["return_outcome"] == "rejected"


def test_an_approved_exchange_ends_without_finance(defn) -> None:
    result = start(defn, 50.0, "exchange")
    result = submit(defn, result, "return_inspection", ACCEPT)
    result = submit(defn, result, "return_approval_sales", APPROVE)
    assert result.completed and result.data["return_outcome"] == "exchange"

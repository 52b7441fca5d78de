"""workflows/change_request.bpmn (+ change_rules.dmn) through the runner (CHANGE_CONTRACT)."""

from __future__ import annotations

import pytest
from builders import ROOT, workflow_bytes

from app.engine import runner
from app.engine.errors import MessageNotWaiting
from app.engine.runner import StepResult
from app.engine.specs import ProcessDefinition, load_definition
from app.engine.validation import Catalog, validate_bpmn

DEMO_DEPARTMENTS = [
    "sales", "pmc", "engineering", "production", "quality", "warehouse", "purchasing", "finance",
    "management",
]  # fmt: skip
REVIEW_LANES = {
    "change_review_pmc": "pmc", "change_review_production": "production",
    "change_review_engineering": "engineering", "change_review_warehouse": "warehouse",
    "change_review_quality": "quality",
}  # fmt: skip
APPROVE = {"decision": "approve"}
REJECT = {"decision": "reject", "reason": "Too late in the schedule"}


@pytest.fixture(scope="module")
def defn() -> ProcessDefinition:
    return load_definition(
        workflow_bytes("change_request.bpmn"), [workflow_bytes("change_rules.dmn")]
    )


def start_data(order_id: int = 42, **change: object) -> dict:
    """The start data the service passes; `change` overrides the flags and figures."""
    flags = {"quantity": False, "delivery_date": False, "process": False, "packaging": False,
             "lines": False}  # fmt: skip
    return {
        "order_id": order_id,
        "order": {"id": order_id, "number": f"SO-2026-{order_id:05d}", "customer": "ACME",
                  "status": "released"},
        "change": {"id": 7, "raised_by": "sales", **flags, "value_delta": 100.0,
                   "value_delta_pct": 2.0, "date_shift_days": 0, **change},
    }  # fmt: skip


def names(result: StepResult) -> list[str]:
    return sorted(task.spec_name for task in result.ready)


def submit(defn: ProcessDefinition, result: StepResult, spec_name: str, form: dict) -> StepResult:
    """Complete the ready task of this spec the way the service does: data under its id."""
    task = next(t for t in result.ready if t.spec_name == spec_name)
    after = runner.complete(defn, result.state, task.task_id, {spec_name: form})
    assert after.error is None, after.error
    return after


def review_all(defn: ProcessDefinition, result: StepResult) -> StepResult:
    """Every open department review agrees (no delivery impact)."""
    while any(t.spec_name.startswith("change_review_") for t in result.ready):
        spec = next(t.spec_name for t in result.ready if t.spec_name.startswith("change_review_"))
        result = submit(defn, result, spec, {"opinion": "approve", "delivery_impact_days": 0})
    return result


def confirmed(defn: ProcessDefinition, result: StepResult, order_id: int = 42) -> StepResult:
    after = runner.send_message(defn, result.state, "order_confirmed", {"by": "Ms Li"},
                                {"order_id": order_id})  # fmt: skip
    assert after.error is None, after.error
    return after


def at_manager(defn: ProcessDefinition, **change: object) -> StepResult:
    """Started and through the reviews: the raiser's manager has the change."""
    result = review_all(defn, runner.start(defn, start_data(**change)))
    assert len(result.ready) == 1 and result.ready[0].spec_name.startswith("manager_approval_")
    return result


def test_definition_matches_the_contract(defn: ProcessDefinition) -> None:
    assert (defn.process_id, defn.name) == ("change_request", "Change request")
    lanes = {name: info.lane for name, info in defn.user_tasks.items()}
    assert lanes == {
        **REVIEW_LANES, **{f"manager_approval_{key}": key for key in DEMO_DEPARTMENTS},
        "gm_approval": "management", "send_confirmation": "sales",
    }  # fmt: skip
    for name, info in defn.user_tasks.items():
        assert info.due == ("PT8H" if name == "send_confirmation" else "PT24H"), name
        if name.startswith("change_review_"):
            assert (info.form, info.role) == ("change_review", None)
        elif name != "send_confirmation":
            assert (info.form, info.role) == ("change_approval", "head")
    assert defn.forms == {"change_review", "change_approval", "send_confirmation"}
    assert all((ROOT / "forms" / f"{form}.json").exists() for form in defn.forms)


def test_validates_with_the_demo_departments_and_its_decision() -> None:
    forms = {path.stem for path in (ROOT / "forms").glob("*.json")}
    catalog = Catalog({key: key for key in DEMO_DEPARTMENTS}, forms, {"head", "member"})
    bpmn, dmn = workflow_bytes("change_request.bpmn"), workflow_bytes("change_rules.dmn")
    assert validate_bpmn(bpmn, catalog, [dmn]) == []
    missing = validate_bpmn(bpmn, catalog)
    assert [p.element_id for p in missing] == ["approval_level"]


@pytest.mark.parametrize(
    ("change", "reviews"),
    [
        ({"quantity": True, "delivery_date": True},
         ["change_review_pmc", "change_review_production", "change_review_warehouse"]),
        ({"delivery_date": True}, ["change_review_pmc", "change_review_production"]),
        ({"packaging": True}, ["change_review_quality", "change_review_warehouse"]),
        ({"process": True},
         ["change_review_engineering", "change_review_production", "change_review_quality"]),
        ({"lines": True},
         ["change_review_engineering", "change_review_pmc", "change_review_production",
          "change_review_warehouse"]),
    ],
)  # fmt: skip
def test_the_affected_departments_review(
    defn: ProcessDefinition, change: dict, reviews: list[str]
) -> None:
    result = runner.start(defn, start_data(**change))
    assert result.data["change_outcome"] == "pending"
    assert names(result) == reviews
    assert {(t.spec_name, t.lane, t.form) for t in result.ready} == {
        (name, REVIEW_LANES[name], "change_review") for name in reviews
    }
    result = review_all(defn, result)
    assert names(result) == ["manager_approval_sales"]
    assert result.ready[0].data[reviews[0]] == {"opinion": "approve", "delivery_impact_days": 0}


def test_quantity_and_date_need_pmc_and_production(defn: ProcessDefinition) -> None:
    # The contract's example: quantity and date changed (warehouse joins for the quantity).
    result = runner.start(defn, start_data(quantity=True, delivery_date=True))
    assert {"change_review_pmc", "change_review_production"} <= set(names(result))
    result = submit(defn, result, "change_review_pmc", {"opinion": "reject", "comments": "no"})
    assert "manager_approval_sales" not in names(result)  # the join waits for every review


def test_nothing_affected_goes_straight_to_the_manager(defn: ProcessDefinition) -> None:
    result = runner.start(defn, start_data())
    assert names(result) == ["manager_approval_sales"]
    task = result.ready[0]
    assert (task.lane, task.role, task.form) == ("sales", "head", "change_approval")


def test_pmc_raised_change_goes_to_the_pmc_manager(defn: ProcessDefinition) -> None:
    result = at_manager(defn, raised_by="pmc", packaging=True)
    assert names(result) == ["manager_approval_pmc"]
    task = result.ready[0]
    assert (task.lane, task.role, task.form) == ("pmc", "head", "change_approval")
    result = submit(defn, result, "manager_approval_pmc", REJECT)
    assert result.completed and result.data["change_outcome"] == "rejected"


def test_manager_rejection_ends_the_change(defn: ProcessDefinition) -> None:
    result = at_manager(defn, quantity=True)
    result = submit(defn, result, "manager_approval_sales", REJECT)
    assert result.completed and result.ready == [] and result.error is None
    assert result.data["change_outcome"] == "rejected"
    assert "order_status" not in result.data and "needs_gm" not in result.data


@pytest.mark.parametrize("customer_first", [True, False])
def test_small_change_needs_no_gm_and_is_confirmed_again(
    defn: ProcessDefinition, customer_first: bool
) -> None:
    result = at_manager(defn, quantity=True, value_delta_pct=10.0, date_shift_days=7)
    result = submit(defn, result, "manager_approval_sales", APPROVE)
    assert result.data["needs_gm"] is False
    assert result.data["change_outcome"] == "approved"
    assert result.data["order_status"] == "awaiting_customer"
    assert names(result) == ["send_confirmation"]
    assert result.ready[0].lane == "sales" and result.ready[0].form == "send_confirmation"
    if customer_first:
        result = confirmed(defn, result)
        assert names(result) == ["send_confirmation"] and not result.completed
        result = submit(defn, result, "send_confirmation", {"sent_via": "email"})
    else:
        result = submit(defn, result, "send_confirmation", {"sent_via": "email"})
        assert result.ready == [] and not result.completed  # waiting for the customer
        result = confirmed(defn, result)
    assert result.completed and result.error is None
    assert result.data["order_status"] == "released"
    assert result.data["change_outcome"] == "approved"
    assert result.data["customer_confirmed"] == {"by": "Ms Li", "order_id": 42}


def test_confirmation_for_another_order_is_refused(defn: ProcessDefinition) -> None:
    result = submit(defn, at_manager(defn, packaging=True), "manager_approval_sales", APPROVE)
    with pytest.raises(MessageNotWaiting):
        confirmed(defn, result, order_id=43)


@pytest.mark.parametrize(
    "figures", [{"value_delta_pct": 12.0}, {"date_shift_days": 9}, {"value_delta_pct": 10.01}]
)
def test_change_over_a_limit_needs_the_general_manager(
    defn: ProcessDefinition, figures: dict
) -> None:
    result = at_manager(defn, delivery_date=True, **figures)
    result = submit(defn, result, "manager_approval_sales", APPROVE)
    assert result.data["needs_gm"] is True and result.data["change_outcome"] == "pending"
    assert names(result) == ["gm_approval"]
    task = result.ready[0]
    assert (task.lane, task.role, task.form) == ("management", "head", "change_approval")
    result = submit(defn, result, "gm_approval", REJECT)
    assert result.completed and result.data["change_outcome"] == "rejected"
    assert "order_status" not in result.data


def test_general_manager_approval_leads_to_the_customer(defn: ProcessDefinition) -> None:
    result = at_manager(defn, raised_by="pmc", quantity=True, value_delta_pct=12.5)
    result = submit(defn, result, "manager_approval_pmc", APPROVE)
    result = submit(defn, result, "gm_approval", {**APPROVE, "notes": "ok"})
    assert result.data["change_outcome"] == "approved"
    assert result.data["order_status"] == "awaiting_customer"
    assert names(result) == ["send_confirmation"]


@pytest.mark.parametrize("dept", [d for d in DEMO_DEPARTMENTS if d != "management"])
def test_the_head_of_the_raising_department_approves(defn: ProcessDefinition, dept: str) -> None:
    # Issue 4: any department raises a change; the head of that department approves it.
    result = at_manager(defn, raised_by=dept, packaging=True)
    assert names(result) == [f"manager_approval_{dept}"]
    task = result.ready[0]
    assert (task.lane, task.role, task.form) == (dept, "head", "change_approval")
    approved = submit(defn, result, f"manager_approval_{dept}", APPROVE)
    assert approved.data["needs_gm"] is False and approved.data["change_outcome"] == "approved"
    assert names(approved) == ["send_confirmation"]
    rejected = submit(defn, result, f"manager_approval_{dept}", REJECT)
    assert rejected.completed and rejected.data["change_outcome"] == "rejected"


@pytest.mark.parametrize("dept", ["engineering", "quality", "finance"])
def test_a_big_change_of_another_department_still_needs_the_gm(
    defn: ProcessDefinition, dept: str
) -> None:
    result = at_manager(defn, raised_by=dept, quantity=True, value_delta_pct=30.0)
    result = submit(defn, result, f"manager_approval_{dept}", APPROVE)
    assert result.data["needs_gm"] is True and names(result) == ["gm_approval"]


@pytest.mark.parametrize("figures", [{}, {"value_delta_pct": 40.0, "date_shift_days": 20}])
def test_a_management_change_is_decided_by_the_gm_once(
    defn: ProcessDefinition, figures: dict
) -> None:
    # The general manager heads management: they approve as the responsible manager, and the
    # GM step for big changes would only ask them again, so their approval is final.
    result = at_manager(defn, raised_by="management", delivery_date=True, **figures)
    assert names(result) == ["manager_approval_management"]
    task = result.ready[0]
    assert (task.lane, task.role, task.form) == ("management", "head", "change_approval")
    result = submit(defn, result, "manager_approval_management", APPROVE)
    assert "needs_gm" not in result.data  # the approval level is not asked
    assert result.data["change_outcome"] == "approved"
    assert result.data["order_status"] == "awaiting_customer"
    assert names(result) == ["send_confirmation"]
    result = confirmed(defn, submit(defn, result, "send_confirmation", {"sent_via": "email"}))
    assert result.completed and result.data["order_status"] == "released"


def test_a_management_change_rejected_by_the_gm_ends(defn: ProcessDefinition) -> None:
    result = at_manager(defn, raised_by="management", value_delta_pct=40.0)
    result = submit(defn, result, "manager_approval_management", REJECT)
    assert result.completed and result.data["change_outcome"] == "rejected"
    assert "order_status" not in result.data


@pytest.mark.parametrize("raised_by", ["logistics", None, ""])
def test_an_unknown_department_goes_to_the_sales_head(
    defn: ProcessDefinition, raised_by: str | None
) -> None:
    # A department without its own step (e.g. one an admin added later) still gets a
    # responsible manager: the raised_by gateway's default flow, the sales head.
    result = at_manager(defn, raised_by=raised_by, quantity=True)
    assert names(result) == ["manager_approval_sales"]
    task = result.ready[0]
    assert (task.lane, task.role) == ("sales", "head")

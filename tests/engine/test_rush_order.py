"""workflows/rush_order.bpmn (+ rush_rules.dmn) through the runner (RUSH_CONTRACT)."""

from __future__ import annotations

import pytest
from builders import ROOT, workflow_bytes
from SpiffWorkflow.util.task import TaskState

from app.engine import runner
from app.engine.runner import StepResult
from app.engine.specs import ProcessDefinition, load_definition
from app.engine.state import load_state
from app.engine.validation import Catalog, validate_bpmn

DEMO_DEPARTMENTS = [
    "sales", "pmc", "engineering", "production", "quality", "warehouse", "purchasing", "finance",
    "management",
]  # fmt: skip
APPROVE = {"decision": "approve"}
REJECT = {"decision": "reject", "reason": "The line is full that week"}
RECOMMEND = {"recommendation": "approve", "comments": "L1 has room after the changeover"}
END_EVENTS = {"rush_rejected", "rush_applied"}


@pytest.fixture(scope="module")
def defn() -> ProcessDefinition:
    return load_definition(workflow_bytes("rush_order.bpmn"), [workflow_bytes("rush_rules.dmn")])


def impact(late_orders: int = 0, max_slip_days: float = 0, **extra: object) -> dict:
    """The service's impact figures for a preview."""
    return {"late_orders": late_orders, "slipped_orders": 1 if max_slip_days else 0,
            "max_slip_days": max_slip_days, "fingerprint": "ab12", **extra}  # fmt: skip


def start_data(late_orders: int = 0, max_slip_days: float = 0, order_id: int = 42) -> dict:
    """The start data the service passes (RUSH_CONTRACT), with the given impact."""
    return {
        "order_id": order_id,
        "order": {"id": order_id, "number": f"SO-2026-{order_id:05d}", "customer": "ACME",
                  "status": "released"},
        "rush": {"id": 3, "requested_by": "sales", "required_by": "2026-12-10", "line": "L1",
                 "meets_required_date": True},
        "impact": impact(late_orders, max_slip_days),
    }  # fmt: skip


def names(result: StepResult) -> list[str]:
    return sorted(task.spec_name for task in result.ready)


def submit(
    defn: ProcessDefinition, result: StepResult, spec_name: str, form: dict, **extra: object
) -> StepResult:
    """Complete the ready task of this spec the way the service does: data under its id, plus
    any top-level data (the recomputed `impact`) passed with the completion."""
    task = next(t for t in result.ready if t.spec_name == spec_name)
    after = runner.complete(defn, result.state, task.task_id, {spec_name: form, **extra})
    assert after.error is None, after.error
    return after


def ended_at(defn: ProcessDefinition, result: StepResult) -> set[str]:
    """The end events the instance has passed."""
    workflow = load_state(defn, result.state)
    return {
        t.task_spec.bpmn_id
        for t in workflow.tasks.values()
        if t.state == TaskState.COMPLETED and getattr(t.task_spec, "bpmn_id", None) in END_EVENTS
    }


def at_production(defn: ProcessDefinition, **figures: float) -> StepResult:
    """Started with these impact figures and recommended by PMC: production has the request."""
    result = submit(defn, runner.start(defn, start_data(**figures)), "rush_assess_pmc", RECOMMEND)
    assert names(result) == ["rush_approval_production"]
    return result


def at_gm(defn: ProcessDefinition, **figures: float) -> StepResult:
    """Approved by the production manager with figures over a limit: the GM has it."""
    result = submit(defn, at_production(defn, **figures), "rush_approval_production", APPROVE)
    assert names(result) == ["rush_approval_gm"]
    return result


def assert_rejected(defn: ProcessDefinition, result: StepResult) -> None:
    assert result.completed and result.ready == [] and result.error is None
    assert result.data["rush_outcome"] == "rejected"
    assert ended_at(defn, result) == {"rush_rejected"}


def assert_approved(defn: ProcessDefinition, result: StepResult) -> None:
    assert result.completed and result.ready == [] and result.error is None
    assert result.data["rush_outcome"] == "approved"
    assert ended_at(defn, result) == {"rush_applied"}


def test_definition_matches_the_contract(defn: ProcessDefinition) -> None:
    assert (defn.process_id, defn.name) == ("rush_order", "Rush order insertion")
    tasks = {
        name: (info.lane, info.role, info.form, info.due, info.name_zh)
        for name, info in defn.user_tasks.items()
    }
    assert tasks == {
        "rush_assess_pmc": ("pmc", None, "rush_assessment", "PT8H", "PMC 评估插单"),
        "rush_approval_production":
            ("production", "head", "rush_approval", "PT8H", "生产经理审批插单"),
        "rush_approval_gm": ("management", "head", "rush_approval", "PT8H", "总经理审批插单"),
    }  # fmt: skip
    assert defn.forms == {"rush_assessment", "rush_approval"}
    assert all((ROOT / "forms" / f"{form}.json").exists() for form in defn.forms)


def test_validates_with_the_demo_departments_and_its_decision() -> None:
    forms = {path.stem for path in (ROOT / "forms").glob("*.json")}
    catalog = Catalog({key: key for key in DEMO_DEPARTMENTS}, forms, {"head", "member"})
    bpmn, dmn = workflow_bytes("rush_order.bpmn"), workflow_bytes("rush_rules.dmn")
    assert validate_bpmn(bpmn, catalog, [dmn]) == []
    missing = validate_bpmn(bpmn, catalog)
    assert [p.element_id for p in missing] == ["rush_level"]


def test_start_marks_the_request_pending_and_asks_pmc(defn: ProcessDefinition) -> None:
    result = runner.start(defn, start_data())
    assert result.error is None and not result.completed
    assert result.data["rush_outcome"] == "pending"
    assert names(result) == ["rush_assess_pmc"]
    task = result.ready[0]
    assert (task.lane, task.role, task.form, task.due) == ("pmc", None, "rush_assessment", "PT8H")
    assert task.name_zh == "PMC 评估插单"
    assert task.data["rush"]["line"] == "L1" and task.data["impact"]["late_orders"] == 0


def test_pmc_rejection_ends_the_request(defn: ProcessDefinition) -> None:
    result = runner.start(defn, start_data(late_orders=2, max_slip_days=4))
    form = {"recommendation": "reject", "reason": "Material for it arrives next week"}
    result = submit(defn, result, "rush_assess_pmc", form)
    assert_rejected(defn, result)
    assert "needs_gm" not in result.data and "rush_approval_production" not in result.data
    assert result.data["rush_assess_pmc"] == form


def test_pmc_recommendation_goes_to_the_production_head(defn: ProcessDefinition) -> None:
    result = at_production(defn)
    assert result.data["rush_outcome"] == "pending"
    task = result.ready[0]
    assert (task.lane, task.role, task.form, task.due) == (
        "production", "head", "rush_approval", "PT8H"
    )  # fmt: skip
    assert task.name_zh == "生产经理审批插单"
    assert task.data["rush_assess_pmc"] == RECOMMEND


def test_production_rejection_ends_the_request(defn: ProcessDefinition) -> None:
    result = submit(defn, at_production(defn, late_orders=1), "rush_approval_production", REJECT)
    assert_rejected(defn, result)
    assert "needs_gm" not in result.data  # the rule never ran
    assert result.data["rush_approval_production"] == REJECT


@pytest.mark.parametrize(
    "figures",
    [{"late_orders": 0, "max_slip_days": 3}, {"late_orders": 0, "max_slip_days": 0},
     {"late_orders": 0, "max_slip_days": 2.5}],
)  # fmt: skip
def test_within_the_limits_the_production_head_decides(
    defn: ProcessDefinition, figures: dict
) -> None:
    result = at_production(defn, **figures)
    result = submit(defn, result, "rush_approval_production", {**APPROVE, "notes": "ok"})
    assert result.data["needs_gm"] is False
    assert_approved(defn, result)
    assert "rush_approval_gm" not in result.data


@pytest.mark.parametrize(
    "figures",
    [{"late_orders": 1, "max_slip_days": 0}, {"late_orders": 0, "max_slip_days": 4},
     {"late_orders": 3, "max_slip_days": 6}, {"late_orders": 0, "max_slip_days": 3.5}],
)  # fmt: skip
def test_late_orders_or_a_long_slip_need_the_general_manager(
    defn: ProcessDefinition, figures: dict
) -> None:
    result = at_gm(defn, **figures)
    assert result.data["needs_gm"] is True and result.data["rush_outcome"] == "pending"
    task = result.ready[0]
    assert (task.lane, task.role, task.form, task.due) == (
        "management", "head", "rush_approval", "PT8H"
    )  # fmt: skip
    assert task.name_zh == "总经理审批插单"
    assert task.data["rush_approval_production"] == APPROVE


def test_general_manager_rejection_ends_the_request(defn: ProcessDefinition) -> None:
    result = submit(defn, at_gm(defn, late_orders=1), "rush_approval_gm", REJECT)
    assert_rejected(defn, result)
    assert result.data["rush_approval_production"] == APPROVE
    assert result.data["rush_approval_gm"] == REJECT


def test_general_manager_approval_applies_the_rush_order(defn: ProcessDefinition) -> None:
    result = submit(defn, at_gm(defn, max_slip_days=4), "rush_approval_gm", APPROVE)
    assert_approved(defn, result)
    assert result.data["needs_gm"] is True
    assert result.data["rush_approval_gm"] == APPROVE


def test_the_rule_decides_on_the_impact_passed_with_the_approval(defn: ProcessDefinition) -> None:
    # The preview at the start showed no late order; the schedule changed before the production
    # head approved, and the recomputed impact (2 late orders) comes with the completion.
    result = at_production(defn, late_orders=0, max_slip_days=1)
    recomputed = impact(2, 1, fingerprint="cd34")
    result = submit(defn, result, "rush_approval_production", APPROVE, impact=recomputed)
    assert result.data["needs_gm"] is True
    assert names(result) == ["rush_approval_gm"]
    assert result.ready[0].lane == "management" and result.ready[0].role == "head"
    assert result.ready[0].data["impact"] == recomputed
    result = submit(
        defn, result, "rush_approval_gm", APPROVE, impact=impact(2, 1, fingerprint="ef56")
    )
    assert_approved(defn, result)
    assert result.data["impact"]["fingerprint"] == "ef56"


def test_a_recomputed_impact_within_the_limits_needs_no_gm(defn: ProcessDefinition) -> None:
    # The other way round: late orders at the start, none any more when the head approves.
    result = at_production(defn, late_orders=2, max_slip_days=5)
    result = submit(defn, result, "rush_approval_production", APPROVE, impact=impact(0, 3))
    assert result.data["needs_gm"] is False
    assert_approved(defn, result)
    assert result.data["impact"]["late_orders"] == 0

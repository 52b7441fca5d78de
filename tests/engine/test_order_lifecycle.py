"""workflows/order_lifecycle.bpmn (+ intake_route.dmn) through the runner (LIFECYCLE_CONTRACT)."""

from __future__ import annotations

import pytest
from builders import ROOT, workflow_bytes

from app.engine import runner
from app.engine.errors import MessageNotWaiting
from app.engine.runner import StepResult
from app.engine.specs import ProcessDefinition, load_definition
from app.engine.validation import Catalog, validate_bpmn

REVIEWS = ["review_engineering", "review_production", "review_quality", "review_warehouse"]
DEMO_DEPARTMENTS = [
    "sales", "pmc", "engineering", "production", "quality", "warehouse", "purchasing", "finance",
    "management",
]  # fmt: skip
LINES = [
    {"line_id": 7, "position": 2, "description": "Custom bracket"},
    {"line_id": 9, "position": 4, "description": "Long hinge"},
]
MEETING = {
    "meeting_date": "2026-03-02",
    "attendees": ["sales", "pmc", "quality"],
    "decisions": "Go",
}


@pytest.fixture(scope="module")
def defn() -> ProcessDefinition:
    return load_definition(
        workflow_bytes("order_lifecycle.bpmn"), [workflow_bytes("intake_route.dmn")]
    )


def start_data(order_id: int = 42, lines: list | None = None, **order: object) -> dict:
    """The start data the service passes (contract: order_id, order, nonstandard_lines)."""
    lines = [] if lines is None else lines
    fields = {"type": "regular", "all_standard": not lines, "repeat_customer": True, **order}
    return {
        "order_id": order_id,
        "order": {"id": order_id, "number": f"SO-2026-{order_id:05d}", "customer": "ACME",
                  "line_count": 3, "non_standard_count": len(lines), **fields},
        "nonstandard_lines": lines,
    }  # fmt: skip


def names(result: StepResult) -> list[str]:
    return [task.spec_name for task in result.ready]


def submit(
    defn: ProcessDefinition, result: StepResult, spec_name: str, form: dict, **extra: object
) -> StepResult:
    """Complete the ready task of this spec the way the service does: data under its id."""
    task = next(t for t in result.ready if t.spec_name == spec_name)
    after = runner.complete(defn, result.state, task.task_id, {spec_name: form, **extra})
    assert after.error is None, after.error
    return after


def confirmed(defn: ProcessDefinition, result: StepResult, order_id: int = 42) -> StepResult:
    """The customer confirms (message correlated to the order)."""
    after = runner.send_message(defn, result.state, "order_confirmed", {"by": "Ms Li"},
                                {"order_id": order_id})  # fmt: skip
    assert after.error is None, after.error
    return after


def through_reviews(defn: ProcessDefinition, result: StepResult, decisions: dict) -> StepResult:
    result = submit(
        defn, result, "pmc_dispatch", {"review_due": "2026-03-01", "priority": "normal"}
    )
    assert sorted(names(result)) == sorted(REVIEWS)
    for review in REVIEWS:
        result = submit(defn, result, review, {"decision": decisions.get(review, "approve")})
    assert names(result) == ["pmc_consolidate"]
    return submit(defn, result, "pmc_consolidate", {"summary": "see reviews", "confirmed": True})


def test_definition_matches_the_contract(defn: ProcessDefinition) -> None:
    assert (defn.process_id, defn.name) == ("order_lifecycle", "Order lifecycle")
    lanes = {name: info.lane for name, info in defn.user_tasks.items()}
    assert lanes == {
        "confirm_order": "sales", "pmc_check": "pmc", "pmc_dispatch": "pmc",
        "review_engineering": "engineering", "review_production": "production",
        "review_quality": "quality", "review_warehouse": "warehouse", "pmc_consolidate": "pmc",
        "sales_revise": "sales", "send_confirmation": "sales", "review_meeting": "pmc",
        "standardise_item": "engineering",
    }  # fmt: skip
    assert defn.user_tasks["confirm_order"].form == "order_intake"
    assert defn.user_tasks["pmc_consolidate"].role == "head"
    assert defn.user_tasks["standardise_item"].loop_item == "line"
    assert all(
        info.form == name for name, info in defn.user_tasks.items() if name != "confirm_order"
    )
    assert all((ROOT / "forms" / f"{form}.json").exists() for form in defn.forms)


def test_validates_with_the_demo_departments_and_its_decision() -> None:
    forms = {path.stem for path in (ROOT / "forms").glob("*.json")}
    catalog = Catalog({key: key for key in DEMO_DEPARTMENTS}, forms, {"head", "member"})
    bpmn, dmn = workflow_bytes("order_lifecycle.bpmn"), workflow_bytes("intake_route.dmn")
    assert validate_bpmn(bpmn, catalog, [dmn]) == []
    missing = validate_bpmn(bpmn, catalog)
    assert [p.element_id for p in missing] == ["route_order"]
    assert "no DMN file with that decision was supplied" in missing[0].message
    assert validate_bpmn(workflow_bytes("order_review.bpmn"), catalog) == []


def test_short_path_for_a_regular_repeat_order_of_standard_products(
    defn: ProcessDefinition,
) -> None:
    result = runner.start(defn, start_data())
    assert names(result) == ["confirm_order"] and "order_status" not in result.data
    result = submit(defn, result, "confirm_order", {"order_category": "regular"})
    assert result.data["route"] == "short" and result.data["order_status"] == "in_review"
    assert names(result) == ["pmc_check"]
    result = submit(defn, result, "pmc_check", {"decision": "approve"})
    assert result.data["order_status"] == "awaiting_customer"
    assert names(result) == ["send_confirmation"]
    result = confirmed(defn, submit(defn, result, "send_confirmation", {"sent_via": "email"}))
    assert names(result) == ["review_meeting"]
    result = submit(defn, result, "review_meeting", MEETING)
    # No non-standard lines: standardisation is skipped and the order is released.
    assert result.completed and result.ready == [] and result.error is None
    assert result.data["order_status"] == "released"
    assert result.data["standardised_lines"] == []
    assert result.data["review_meeting"] == MEETING


@pytest.mark.parametrize(
    "order",
    [
        {"type": "new"},
        {"type": "non_standard", "all_standard": False},
        {"type": "new", "all_standard": True, "repeat_customer": True},
        {"type": "regular", "repeat_customer": False},
        {"type": "regular", "all_standard": False},
    ],
)
def test_full_path_for_everything_else(defn: ProcessDefinition, order: dict) -> None:
    result = submit(defn, runner.start(defn, start_data(**order)), "confirm_order", {})
    assert result.data["route"] == "full" and names(result) == ["pmc_dispatch"]
    result = through_reviews(defn, result, {"review_quality": "approve_with_conditions"})
    assert names(result) == ["send_confirmation"]
    assert result.data["order_status"] == "awaiting_customer"


@pytest.mark.parametrize(
    ("order", "route"),
    [
        ({"repeat_customer": False, "from_quotation": True}, "short"),
        ({"repeat_customer": False, "from_quotation": False}, "full"),
        ({"type": "new", "from_quotation": True}, "full"),
        ({"type": "non_standard", "all_standard": False, "from_quotation": True}, "full"),
    ],
)
def test_an_accepted_quotation_settles_only_a_regular_order_of_standard_products(
    defn: ProcessDefinition, order: dict, route: str
) -> None:
    """The intake table reads order['from_quotation']: a new customer's regular order of
    catalogue products from an accepted quotation needs PMC's check only; new and non-standard
    orders still get the cross-department review."""
    result = submit(defn, runner.start(defn, start_data(**order)), "confirm_order", {})
    assert result.data["route"] == route


def test_rejection_goes_back_through_route_order_with_fresh_answers(
    defn: ProcessDefinition,
) -> None:
    result = submit(defn, runner.start(defn, start_data(type="new")), "confirm_order", {})
    result = through_reviews(defn, result, {"review_engineering": "reject"})
    assert names(result) == ["sales_revise"] and result.data["order_status"] == "rejected"
    result = submit(defn, result, "sales_revise", {"action": "resubmit", "changes_made": "x"})
    assert names(result) == ["pmc_dispatch"] and result.data["order_status"] == "in_review"
    # Engineering approves first; the other branches still carry round 1's "reject".
    result = through_reviews(defn, result, {})
    assert names(result) == ["send_confirmation"]
    assert result.data["review_engineering"] == {"decision": "approve"}


def test_resubmitted_order_is_routed_again_on_its_refreshed_data(defn: ProcessDefinition) -> None:
    result = submit(defn, runner.start(defn, start_data()), "confirm_order", {})
    result = submit(defn, result, "pmc_check", {"decision": "reject", "comments": "price"})
    assert names(result) == ["sales_revise"] and result.data["order_status"] == "rejected"
    fresh = start_data(lines=LINES[:1], type="non_standard")
    result = submit(defn, result, "sales_revise", {"action": "resubmit", "changes_made": "x"},
                    order=fresh["order"], nonstandard_lines=fresh["nonstandard_lines"])  # fmt: skip
    assert result.data["route"] == "full" and names(result) == ["pmc_dispatch"]
    assert result.data["nonstandard_lines"] == LINES[:1]


def test_cancel_after_rejection(defn: ProcessDefinition) -> None:
    result = submit(defn, runner.start(defn, start_data()), "confirm_order", {})
    result = submit(defn, result, "pmc_check", {"decision": "reject", "comments": "no stock"})
    result = submit(defn, result, "sales_revise", {"action": "cancel", "cancel_reason": "gone"})
    assert result.completed and result.data["order_status"] == "cancelled"


def _awaiting_customer(defn: ProcessDefinition, order_id: int = 42, lines=None) -> StepResult:
    """A regular repeat order (short path) or, with lines, a non-standard one (full path)."""
    kind = "non_standard" if lines else "regular"
    result = runner.start(defn, start_data(order_id, lines=lines, type=kind))
    result = submit(defn, result, "confirm_order", {})
    if lines:
        result = through_reviews(defn, result, {})
    else:
        result = submit(defn, result, "pmc_check", {"decision": "approve"})
    assert names(result) == ["send_confirmation"]
    return result


@pytest.mark.parametrize("customer_first", [True, False])
def test_customer_may_confirm_before_or_after_sales_sends(
    defn: ProcessDefinition, customer_first: bool
) -> None:
    result = _awaiting_customer(defn)
    if customer_first:
        result = confirmed(defn, result)
        assert names(result) == ["send_confirmation"]  # still waiting for sales
        result = submit(defn, result, "send_confirmation", {"sent_via": "wechat"})
    else:
        result = submit(defn, result, "send_confirmation", {"sent_via": "wechat"})
        assert result.ready == [] and not result.completed  # waiting for the customer
        result = confirmed(defn, result)
    assert names(result) == ["review_meeting"]
    meeting = result.ready[0].data
    assert meeting["customer_confirmed"] == {"by": "Ms Li", "order_id": 42}
    assert meeting["send_confirmation"] == {"sent_via": "wechat"}
    with pytest.raises(MessageNotWaiting):  # confirmed once is enough
        confirmed(defn, result)


def test_confirmation_for_another_order_or_too_early_is_refused(defn: ProcessDefinition) -> None:
    early = runner.start(defn, start_data(42))
    with pytest.raises(MessageNotWaiting):
        confirmed(defn, early)
    waiting = _awaiting_customer(defn, 42)
    with pytest.raises(MessageNotWaiting) as info:
        confirmed(defn, waiting, order_id=43)
    assert info.value.kind == "not_waiting"
    assert names(confirmed(defn, waiting, order_id=42)) == ["send_confirmation"]


def test_standardisation_runs_once_per_non_standard_line(defn: ProcessDefinition) -> None:
    result = _awaiting_customer(defn, lines=LINES)
    result = confirmed(defn, submit(defn, result, "send_confirmation", {"sent_via": "link"}))
    result = submit(defn, result, "review_meeting", MEETING)
    assert result.data["order_status"] == "released" and not result.completed
    assert names(result) == ["standardise_item", "standardise_item"]
    assert [(t.data["line"], t.item, t.loop_index) for t in result.ready] == [
        (LINES[0], {"line": LINES[0]}, 0), (LINES[1], {"line": LINES[1]}, 1),
    ]  # fmt: skip
    assert {(t.lane, t.form) for t in result.ready} == {("engineering", "standardise_item")}
    second = {"make_standard": True, "code": "HG-100", "name": "Hinge", "standard_cost": 3.5}
    task = result.ready[1]
    result = runner.complete(defn, result.state, task.task_id, {"standardise_item": second})
    assert [t.data["line"]["line_id"] for t in result.ready] == [7]
    result = submit(defn, result, "standardise_item", {"make_standard": False, "reason": "one-off"})
    assert result.completed and result.data["order_status"] == "released"
    assert result.data["standardised_lines"] == [
        {"make_standard": False, "reason": "one-off", "line_id": 7},
        {**second, "line_id": 9},
    ]


@pytest.mark.parametrize(
    "order", [{"type": None}, {"type": "regular", "all_standard": None}, {"type": "urgent"}]
)
def test_odd_order_data_matches_no_route(defn: ProcessDefinition, order: dict) -> None:
    result = runner.start(defn, start_data(**order))
    task = result.ready[0]
    failed = runner.complete(defn, result.state, task.task_id, {"confirm_order": {}})
    assert failed.error.kind == "dmn_no_match" and failed.error.element_id == "route_order"
    assert failed.ready == [] and not failed.completed

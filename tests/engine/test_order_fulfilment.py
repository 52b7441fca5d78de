"""workflows/order_fulfilment.bpmn through the runner (docs/FULFILMENT.md): it waits for the
production_complete message of its own order, marks the order, the warehouse receives, then
it waits for shipped_in_full and delivered (docs/SHIPPING.md)."""

from __future__ import annotations

import pytest
from builders import ROOT, workflow_bytes

from app.engine import runner
from app.engine.errors import MessageNotWaiting
from app.engine.specs import ProcessDefinition, load_definition
from app.engine.validation import Catalog, validate_bpmn

DEMO_DEPARTMENTS = [
    "sales", "pmc", "engineering", "production", "quality", "warehouse", "purchasing", "finance",
    "management",
]  # fmt: skip
START = {"order_id": 42, "order": {"id": 42, "number": "SO-2026-00042", "customer": "ACME"}}


@pytest.fixture(scope="module")
def defn() -> ProcessDefinition:
    return load_definition(workflow_bytes("order_fulfilment.bpmn"))


def test_validates_with_the_demo_departments_and_its_form() -> None:
    forms = {path.stem for path in (ROOT / "forms").glob("*.json")}
    catalog = Catalog({key: key for key in DEMO_DEPARTMENTS}, forms, {"head", "member"})
    assert validate_bpmn(workflow_bytes("order_fulfilment.bpmn"), catalog) == []


def test_waits_for_its_orders_production_then_the_warehouse(defn) -> None:
    started = runner.start(defn, START)
    assert started.error is None and started.ready == [] and not started.completed
    with pytest.raises(MessageNotWaiting):
        runner.send_message(defn, started.state, "production_complete", {}, {"order_id": 7})
    made = runner.send_message(
        defn, started.state, "production_complete", {"order_id": 42}, {"order_id": 42}
    )
    assert made.error is None
    assert made.data["order_status"] == "production_complete"
    (task,) = made.ready
    assert (task.spec_name, task.lane, task.form, task.due) == (
        "receive_finished_goods", "warehouse", "goods_received", "PT8H"
    )  # fmt: skip
    done = runner.complete(
        defn, made.state, task.task_id,
        {"receive_finished_goods": {"received": "in_full", "location": "A-01"}},
    )  # fmt: skip
    # Ready to ship: it waits for the shipping pages' messages of its own order (issue 12).
    assert done.error is None and not done.completed and done.ready == []
    with pytest.raises(MessageNotWaiting):
        runner.send_message(defn, done.state, "delivered", {"order_id": 42}, {"order_id": 42})
    with pytest.raises(MessageNotWaiting):
        runner.send_message(defn, done.state, "shipped_in_full", {}, {"order_id": 7})
    shipped = runner.send_message(
        defn, done.state, "shipped_in_full", {"order_id": 42}, {"order_id": 42}
    )
    assert shipped.error is None and not shipped.completed
    assert shipped.data["order_status"] == "shipped"
    delivered = runner.send_message(
        defn, shipped.state, "delivered", {"order_id": 42}, {"order_id": 42}
    )
    assert delivered.error is None and delivered.completed
    assert delivered.data["order_status"] == "delivered"

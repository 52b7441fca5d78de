"""workflows/order_fulfilment.bpmn through the runner (docs/FULFILMENT.md): it waits for the
production_complete message of its own order, marks the order, and the warehouse receives."""

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
    assert done.error is None and done.completed

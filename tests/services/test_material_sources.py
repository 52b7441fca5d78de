"""Material statuses (issue 13): the registry asks its sources set-wise, the highest priority
answer wins, and the built-in source reads the warehouse review's newest answer."""

import json
from datetime import date

import pytest

from app.core.tasks.models import HumanTask
from app.extensions import db
from app.modules.orders.services import subject as order_subject
from app.modules.schedule.services import materials
from app.modules.schedule.services.materials import MaterialStatus
from tests.statements import counted


@pytest.fixture
def only_builtin(monkeypatch):
    """The registry as the app built it (the warehouse review), restored after the test."""
    monkeypatch.setattr(materials, "_SOURCES", dict(materials._SOURCES))
    return materials


def _warehouse_task(order) -> HumanTask:
    return db.session.scalar(
        db.select(HumanTask)
        .where(
            order_subject.about_order(HumanTask, order.id),
            HumanTask.spec_name == "review_warehouse",
            HumanTask.state == "completed",
        )
        .order_by(HumanTask.id.desc())
    )


def _answer(order, **answers) -> HumanTask:
    """Rewrite the order's warehouse review answer (as if the reviewer had given this one)."""
    task = _warehouse_task(order)
    task.data = json.dumps({"decision": "approve", **answers})
    db.session.commit()
    return task


def test_the_builtin_source_is_registered_at_the_lowest_priority(app):
    assert ("warehouse_review", materials.WAREHOUSE_PRIORITY) in materials.sources()


def test_the_warehouse_review_gives_ready_expected_or_unknown(make_released_order, only_builtin):
    stocked, short, dateless = (make_released_order() for _ in range(3))
    _answer(stocked, materials_status="in_stock")
    task = _answer(short, materials_status="to_purchase", material_ready_date="2027-03-10")
    _answer(dateless, materials_status="partial")
    found = materials.statuses([stocked.id, short.id, dateless.id, 999_999])
    assert found[stocked.id].state == materials.READY
    assert found[short.id] == MaterialStatus(
        materials.EXPECTED,
        materials.WAREHOUSE_BASIS["to_purchase"],
        date(2027, 3, 10),
        source="warehouse_review",
    )
    assert found[short.id].detail == ("tasks.detail", {"task_id": task.id})
    assert found[dateless.id].state == materials.UNKNOWN
    assert found[dateless.id].basis == materials.WAREHOUSE_NO_DATE
    assert found[999_999] == MaterialStatus.unknown(materials.NO_SOURCE)
    assert found[short.id].not_before(date(2027, 3, 9)) == date(2027, 3, 10)
    assert found[short.id].not_before(date(2027, 3, 10)) is None
    assert found[stocked.id].not_before(date(2027, 3, 1)) is None


def test_a_later_warehouse_review_round_supersedes_the_earlier(released_order, only_builtin):
    first = _answer(
        released_order, materials_status="to_purchase", material_ready_date="2027-04-01"
    )
    later = HumanTask(
        instance_id=first.instance_id,
        task_id="review_warehouse_again",
        spec_name="review_warehouse",
        name="Warehouse review",
        state="completed",
        subject_type=first.subject_type,
        subject_key=first.subject_key,
        data=json.dumps({"decision": "approve", "materials_status": "in_stock"}),
    )
    db.session.add(later)
    db.session.commit()
    assert materials.statuses([released_order.id])[released_order.id].state == materials.READY


def test_the_highest_priority_answer_wins_and_lower_sources_see_only_the_rest(
    make_released_order, only_builtin
):
    a, b = make_released_order(), make_released_order()
    _answer(a, materials_status="to_purchase", material_ready_date="2027-03-10")
    _answer(b, materials_status="to_purchase", material_ready_date="2027-03-12")
    asked = []

    def purchasing(order_ids):
        asked.append(sorted(order_ids))
        return {a.id: MaterialStatus.expected_by(date(2027, 3, 20), "PO-1")}

    def low(order_ids):
        asked.append(("low", sorted(order_ids)))
        return {}

    materials.register_material_source(purchasing, 100, name="purchasing")
    materials.register_material_source(low, -5, name="low")
    materials.register_material_source(purchasing, 100, name="purchasing")  # again: replaces
    assert [name for name, _ in materials.sources()] == ["purchasing", "warehouse_review", "low"]
    found = materials.statuses([a.id, b.id])
    assert found[a.id].expected == date(2027, 3, 20) and found[a.id].source == "purchasing"
    assert found[b.id].expected == date(2027, 3, 12) and found[b.id].source == "warehouse_review"
    assert asked == [sorted([a.id, b.id])]  # everything answered before "low" was needed


def test_a_status_must_be_consistent():
    with pytest.raises(ValueError):
        MaterialStatus(materials.EXPECTED, "x")
    with pytest.raises(ValueError):
        MaterialStatus(materials.READY, "x", date(2027, 3, 1))
    with pytest.raises(ValueError):
        MaterialStatus("soon", "x")


def test_the_warehouse_source_is_one_statement_for_many_orders(plan_world, only_builtin):
    ids = [plan_world.order(f"SO-M-{n}", 1, "2027-04-01").id for n in range(5)]
    db.session.expire_all()
    with counted() as few:
        materials.warehouse_review(ids[:1])
    with counted() as many:
        materials.warehouse_review(ids)
    assert few.statements == many.statements == 1

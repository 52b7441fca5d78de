"""The stored plan (issue 14): every write to a plan input moves the input version on at commit,
so the plan a page reads afterwards is the one computed afresh; writes to anything else leave the
version (and the stored plan) as they were."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.core import clock
from app.core.calendar.models import CalendarDay
from app.core.notifications import services as notifications
from app.core.tasks.models import HumanTask
from app.extensions import db
from app.modules.orders.models import OrderLine, ProductLineRate
from app.modules.orders.services import subject as order_subject
from app.modules.purchasing.models import Component, Requirement
from app.modules.schedule.models import PlanSnapshot
from app.modules.schedule.services import inputs, materials, plan, stored, writing
from tests.statements import counted


def _digest(state) -> tuple:
    """Everything a page shows of the plan, as plain values."""
    return (
        state.fingerprint,
        [
            (job.order_id, job.line, job.position, job.start, job.finish)
            for job in state.schedule.jobs
        ],
        [(u.order_id, u.number, str(u.message)) for u in state.unplanned],
        [str(problem) for problem in state.problems],
        sorted(
            (oid, m.status.state, m.status.expected, str(m.status.basis))
            for oid, m in state.materials.items()
        ),
        list(state.orders),
        sorted(state.line_rows),
    )


def _stored_now():
    """The plan a page reads now (stored or memoised, else computed and stored)."""
    db.session.rollback()
    db.session.expire_all()
    return plan.current()


def _fresh():
    db.session.rollback()
    db.session.expire_all()
    return plan.current(start=clock.today())


def _stored_rows() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(PlanSnapshot))


@pytest.fixture
def world(plan_world):
    plan_world.a = plan_world.order("SO-S-A", 16, "2027-03-10")
    plan_world.b = plan_world.order("SO-S-B", 8, "2027-03-12", {"L1": "1", "L2": "2"})
    return plan_world


def _changes_plan(write) -> None:
    """`write()` (committed) moves the version on, and the plan read after it is the fresh one
    (and differs from the plan read before it, which was stored)."""
    before = _stored_now()
    assert _stored_rows() >= 1
    version = inputs.version()
    write()
    db.session.commit()
    assert inputs.version()[1] > version[1]
    after = _stored_now()
    assert _digest(after) == _digest(_fresh())
    assert _digest(after) != _digest(before)


def test_a_read_stores_the_plan_and_the_next_read_takes_it_in_few_statements(world):
    first = _stored_now()
    a_id = world.a.id
    assert _stored_rows() == 1
    stored._MEMO.clear()  # another process: the stored row, not this process's memo
    db.session.expire_all()
    with counted() as seen:
        state = plan.current()
        assert a_id in state.orders
    assert _digest(state) == _digest(first)
    # The version, the stored row, the lines' rows: no order is read.
    assert seen.statements <= 3
    assert seen.rows <= len(world.lines)


def test_the_released_order_joins_the_plan(world):
    waiting = world.order("SO-S-C", 8, "2027-03-11", status="confirmed")

    def release():
        waiting.status, waiting.released_at = "released", clock.utcnow()

    _changes_plan(release)


def test_estimates_and_quantities_and_made_quantity_and_dates(world):
    line = world.a.lines[0]
    _changes_plan(lambda: setattr(line, "quantity", Decimal(40)))
    _changes_plan(lambda: setattr(line, "quantity_done", Decimal(30)))
    _changes_plan(lambda: setattr(world.a, "promised_date", date(2027, 3, 3)))
    described = world.order("SO-S-D", 8, "2027-03-11")
    item = described.lines[0]

    def estimated():
        item.product, item.prod_hours_per_unit, item.prod_line = None, Decimal(3), world.lines["L2"]

    _changes_plan(estimated)
    _changes_plan(lambda: setattr(item, "prod_hours_per_unit", Decimal(5)))


@pytest.mark.parametrize("status", ["production_complete", "shipped", "closed", "cancelled"])
def test_an_order_leaving_production_leaves_the_plan(world, status):
    _changes_plan(lambda: setattr(world.b, "status", status))


def test_line_capacity_and_rates_and_the_calendar(world):
    _changes_plan(lambda: setattr(world.lines["L1"], "daily_hours", Decimal(4)))
    rate = db.session.scalar(db.select(ProductLineRate).limit(1))
    _changes_plan(lambda: setattr(rate, "hours_per_unit", Decimal(3)))
    closed = CalendarDay(day=date(2027, 3, 2), kind="holiday", note="")
    _changes_plan(lambda: db.session.add(closed))
    _changes_plan(lambda: db.session.delete(db.session.get(CalendarDay, date(2027, 3, 2))))


def test_pmc_override_rearrange_and_a_written_plan(world, make_user):
    pmc = make_user("pmc", "head")
    _changes_plan(lambda: materials.set_override(pmc, world.a, "2027-03-08", "Steel arrives late"))
    _changes_plan(lambda: materials.clear_override(pmc, world.a))
    state = plan.current(lock=True)
    rows = [(world.b.id, "L1", "1"), (world.a.id, "L1", "2")]
    _changes_plan(lambda: writing.rearrange(pmc, state.fingerprint, rows))
    # A rush applied writes the plan the same way (writing.write): the slots change.
    state = plan.current(lock=True)
    moved = {"L1": [world.b.id], "L2": [world.a.id]}
    world.a.lines[0].product.rates.append(
        ProductLineRate(line=world.lines["L2"], hours_per_unit=Decimal(1))
    )
    db.session.commit()
    state = plan.current(lock=True)
    new = plan.schedule(state.jobs, state.lines, state.calendar, state.start, sequence=moved)
    _changes_plan(lambda: writing.write(state, new, pmc, "rush.apply", {}))


def test_purchasing_requirements_change_the_material_status(world):
    component = Component(code="C-1", name="Steel", unit="kg")
    db.session.add(component)
    db.session.commit()
    requirement = Requirement(
        order_id=world.a.id,
        order_line_id=world.a.lines[0].id,
        component_id=component.id,
        quantity=Decimal(5),
        reserved=Decimal(5),
    )
    _changes_plan(lambda: db.session.add(requirement))
    _changes_plan(lambda: setattr(requirement, "reserved", Decimal(1)))


def test_the_warehouse_review_changes_the_material_status(released_order):
    task = db.session.scalar(
        db.select(HumanTask).where(
            order_subject.about_order(HumanTask, released_order.id),
            HumanTask.spec_name == materials.WAREHOUSE_STEP,
        )
    )
    answer = {"materials_status": "to_purchase", "material_ready_date": "2099-03-10"}
    _changes_plan(lambda: setattr(task, "data", json.dumps(answer)))


def test_the_date_rolling_over_gives_another_plan(world, monkeypatch):
    before = _stored_now()
    monkeypatch.setattr(clock, "today", lambda: world.start + timedelta(days=1))
    after = _stored_now()
    assert after.start == world.start + timedelta(days=1)
    assert _digest(after) == _digest(_fresh()) != _digest(before)


def test_unrelated_writes_leave_the_version(world, released_order):
    _stored_now()
    version = inputs.version()
    # A completed task of another step, an item's text, a customer's contact: not plan inputs.
    task = db.session.scalar(
        db.select(HumanTask).where(
            order_subject.about_order(HumanTask, released_order.id),
            HumanTask.spec_name != materials.WAREHOUSE_STEP,
        )
    )
    task.data = json.dumps({"decision": "approve", "note": "again"})
    world.customer.contact = "Bob"
    world.a.lines[0].description = "Another text"
    db.session.commit()
    notifications.notify_users([world.owner.id], order_subject.ref(world.a), "order_late", {})
    db.session.commit()
    assert inputs.version() == version


def test_a_transaction_that_changed_inputs_reads_its_own_plan(world):
    _stored_now()
    world.b.status = "cancelled"
    db.session.flush()
    state = plan.current()
    assert world.b.id not in state.orders
    db.session.rollback()
    assert world.b.id in _stored_now().orders


def test_a_bulk_update_of_an_input_moves_the_version(world):
    _changes_plan(
        lambda: db.session.execute(
            db.update(OrderLine).where(OrderLine.order_id == world.a.id).values(quantity=80)
        )
    )


def test_a_reader_takes_the_plan_another_process_is_computing(world, monkeypatch):
    """PostgreSQL: while another process holds the computing lock, a reader waits for its stored
    plan instead of computing it too. SQLite has no such lock: the reader computes."""
    computed = _stored_now()
    key = (*inputs.version(), clock.today(), "en")
    snap = stored.snapshot_of(computed)
    db.session.execute(db.delete(PlanSnapshot))
    db.session.commit()
    stored._MEMO.clear()
    if db.engine.dialect.name != "postgresql":
        assert stored.computed_elsewhere(key) is None
        return
    with db.engine.connect() as other:
        assert other.scalar(db.select(db.func.pg_try_advisory_xact_lock(stored.COMPUTING_LOCK)))
        polls = []

        def other_stores(_seconds):  # the other process finishes while the reader waits
            polls.append(1)
            stored.store(key, snap)
            stored._MEMO.clear()

        monkeypatch.setattr(stored.time, "sleep", other_stores)
        found = stored.computed_elsewhere(key)
        other.rollback()
    assert polls == [1]
    assert found is not None and found.schedule.fingerprint == computed.fingerprint


def test_a_plan_stored_by_other_code_is_computed_again_and_replaced(world):
    """A snapshot is the planner's objects pickled: one written by other code (before a deploy)
    is never read into this code; the reader computes the plan and overwrites the row."""
    _stored_now()
    assert _stored_rows() == 1
    db.session.execute(db.update(PlanSnapshot).values(data=b"\0" * 16 + b"not this code's"))
    db.session.commit()
    stored._MEMO.clear()
    read = _stored_now()
    assert _digest(read) == _digest(_fresh())
    data = db.session.scalar(db.select(PlanSnapshot.data))
    assert bytes(data[:16]) == stored.CODE_MARK
    assert stored.decode(bytes(data)) is not None


def test_the_code_mark_covers_the_planner_and_the_snapshot_code():
    """The mark is a digest of real files: the planner's package and this one's services."""
    from pathlib import Path

    services = Path(stored.__file__).parent
    planner = services.parents[2] / "planning"
    assert (planner / "placement.py").is_file() and (services / "stored.py").is_file()
    assert stored._code_mark() == stored.CODE_MARK and len(stored.CODE_MARK) == 16

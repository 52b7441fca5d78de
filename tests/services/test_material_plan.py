"""Material dates in the stored plan (issue 13): the plan holds an order until its materials are
expected and lets later orders pass; PMC overrides with a reason (audited, permission checked);
a date that makes an order late flags it and tells its owner; a rush preview honours it.

PlanWorld: lines L1 and L2 of 8 h a day, orders on L1 only (1 h a unit), today Monday 2027-03-01.
"""

import json
from datetime import date

import pytest

from app.core.audit.models import AuditEvent
from app.core.notifications.models import Notification
from app.errors import InvalidInput, PermissionDenied
from app.extensions import db
from app.modules.fulfilment.models import LateFlag
from app.modules.rush.services import preview as rush_preview
from app.modules.schedule.models import MaterialOverride
from app.modules.schedule.services import materials, plan, writing
from app.modules.schedule.services.materials import MaterialStatus
from tests.races import run_together
from tests.statements import counted

D = date.fromisoformat


@pytest.fixture
def source(monkeypatch):
    """A material source of the test's own (above the warehouse review): {order id: status}."""
    monkeypatch.setattr(materials, "_SOURCES", dict(materials._SOURCES))
    answers: dict[int, MaterialStatus] = {}
    materials.register_material_source(
        lambda ids: {i: answers[i] for i in ids if i in answers}, 50, name="test"
    )
    return answers


def rows(state):
    return [
        (
            state.orders[job.order_id].number,
            job.line,
            job.position,
            job.start,
            job.finish,
            job.waits,
        )
        for job in state.schedule.jobs
    ]


def audits(action):
    return list(
        db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def test_the_plan_holds_an_order_until_its_material_date_and_lets_later_ones_pass(
    plan_world, source
):
    a = plan_world.order("SO-W-A", 16, "2027-03-10")
    plan_world.order("SO-W-B", 8, "2027-03-12")
    plan_world.order("SO-W-C", 16, "2027-03-15")
    source[a.id] = MaterialStatus.expected_by(D("2027-03-03"), "PO-1")
    state = plan.current()
    # A waits for Wednesday (Thu included: 16 h); B takes Monday of the 16 h gap before it; C
    # (16 h) does not fit the 8 h left and follows A: Friday and Monday.
    assert rows(state) == [
        ("SO-W-B", "L1", 1, D("2027-03-01"), D("2027-03-01"), False),
        ("SO-W-A", "L1", 2, D("2027-03-03"), D("2027-03-04"), True),
        ("SO-W-C", "L1", 3, D("2027-03-05"), D("2027-03-08"), False),
    ]
    assert state.materials[a.id].status.source == "test"
    # Written and read back, the plan is the same (the slots keep B before A).
    writing.write(state, state.schedule, None, "plan.rearrange", {})
    db.session.commit()
    assert plan.current().fingerprint == state.fingerprint


def test_an_order_in_production_is_not_held(plan_world, source):
    a = plan_world.order("SO-W-P", 8, "2027-03-10", status="in_production")
    source[a.id] = MaterialStatus.expected_by(D("2027-03-05"), "PO-1")
    assert rows(plan.current()) == [("SO-W-P", "L1", 1, D("2027-03-01"), D("2027-03-01"), False)]


def test_the_warehouse_review_date_holds_a_released_order(released_order):
    task = db.session.scalar(
        db.select(materials.HumanTask)
        .where(
            materials.HumanTask.subject_key == released_order.id,
            materials.HumanTask.spec_name == "review_warehouse",
        )
        .order_by(materials.HumanTask.id.desc())
    )
    ready = date.fromordinal(materials.clock.today().toordinal() + 30)
    task.data = json.dumps(
        {
            "decision": "approve",
            "materials_status": "to_purchase",
            "material_ready_date": str(ready),
        }
    )
    db.session.commit()
    state = plan.current()
    job = state.schedule.job(released_order.id)
    assert job.waits and job.start == state.calendar.roll_forward(ready)
    assert state.materials[released_order.id].status.source == "warehouse_review"


def test_pmc_overrides_with_a_reason_the_late_order_is_flagged_and_the_removal_audited(
    plan_world, make_user
):
    a = plan_world.order("SO-O-A", 16, "2027-03-05")
    pmc = make_user("pmc")
    assert rows(plan.current())[0][3:5] == (D("2027-03-01"), D("2027-03-02"))
    materials.set_override(pmc, a, "2027-03-08", "Steel coil arrives on the next ship")
    db.session.commit()
    state = plan.current()
    assert rows(state) == [("SO-O-A", "L1", 1, D("2027-03-08"), D("2027-03-09"), True)]
    material = state.materials[a.id]
    assert (material.status.state, material.status.expected) == ("expected", D("2027-03-08"))
    assert material.status.source == materials.OVERRIDE_SOURCE
    assert material.answer.state == "unknown"  # what the sources say, shown beside it
    assert material.override.set_by_id == pmc.id
    (event,) = audits("material.override")
    assert (event.user_id, event.object_id) == (pmc.id, str(a.id))
    assert json.loads(event.data)["reason"] == "Steel coil arrives on the next ship"
    # Past the promised Friday: the late-order check ran, the owner is told.
    note = db.session.scalar(db.select(Notification).where(Notification.kind == "order_late"))
    assert note.user_id == plan_world.owner.id and json.loads(note.params)["kind"] == "late"
    assert db.session.get(LateFlag, a.id).kind == "late"
    # A second override replaces the first, audited with what it replaced.
    materials.set_override(pmc, a, "2027-02-20", "It came early")
    db.session.commit()
    assert plan.current().materials[a.id].status.state == "ready"
    second = audits("material.override")[1]
    assert json.loads(second.data)["before"]["ready_on"] == "2027-03-08"
    assert materials.clear_override(pmc, a) is True
    db.session.commit()
    assert db.session.get(MaterialOverride, a.id) is None
    (cleared,) = audits("material.override_cleared")
    assert json.loads(cleared.data)["before"]["reason"] == "It came early"
    assert rows(plan.current())[0][3:5] == (D("2027-03-01"), D("2027-03-02"))
    assert db.session.get(LateFlag, a.id) is None  # on time again
    assert materials.clear_override(pmc, a) is False


def test_only_pmc_may_override_and_the_refusal_is_audited(plan_world, make_user):
    a = plan_world.order("SO-O-B", 8, "2027-03-05")
    sales = make_user("sales")
    with pytest.raises(PermissionDenied):
        materials.set_override(sales, a, "2027-03-08", "Because")
    with pytest.raises(PermissionDenied):
        materials.clear_override(sales, a)
    db.session.commit()
    assert db.session.get(MaterialOverride, a.id) is None
    assert [e.user_id for e in audits("material.override.denied")] == [sales.id]
    assert [e.user_id for e in audits("material.override_cleared.denied")] == [sales.id]


@pytest.mark.parametrize(
    ("day", "reason", "field"),
    [
        ("", "Because", "ready_on"),
        ("08/03/2027", "Because", "ready_on"),
        ("1999-12-31", "Because", "ready_on"),
        ("2101-01-01", "Because", "ready_on"),
        ("2027-03-08", "   ", "reason"),
        ("2027-03-08", "x" * (materials.REASON_LIMIT + 1), "reason"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(plan_world, make_user, day, reason, field):
    a = plan_world.order("SO-O-C", 8, "2027-03-05")
    with pytest.raises(InvalidInput) as refused:
        materials.set_override(make_user("pmc"), a, day, reason)
    assert list(refused.value.errors) == [field]
    db.session.rollback()
    assert db.session.get(MaterialOverride, a.id) is None and audits("material.override") == []


def test_a_finished_order_takes_no_override(plan_world, make_user):
    a = plan_world.order("SO-O-D", 8, "2027-03-05", status="production_complete")
    with pytest.raises(InvalidInput):
        materials.set_override(make_user("pmc"), a, "2027-03-08", "Late steel")


def test_a_rush_preview_starts_the_rush_on_its_material_date(plan_world, make_user):
    plan_world.order("SO-R-B", 16, "2027-03-20")
    a = plan_world.order("SO-R-A", 8, "2027-03-31")
    materials.set_override(make_user("pmc"), a, "2027-03-03", "Parts on Wednesday")
    db.session.commit()
    computed = rush_preview.compute(a, D("2027-03-05"), None)
    # First on L1, but its material comes on Wednesday: B keeps Monday-Tuesday, nothing slips.
    assert (computed.insertion.rush.start, computed.insertion.rush.waits) == (D("2027-03-03"), True)
    assert computed.insertion.slips == []


def test_the_material_lookup_costs_the_same_statements_for_more_orders(plan_world, make_user):
    pmc = make_user("pmc")
    first = plan_world.order("SO-S-0", 8, "2027-03-20")
    materials.set_override(pmc, first, "2027-03-03", "Parts")
    db.session.commit()
    db.session.expire_all()
    with counted() as few:
        plan.current()
    for n in range(1, 6):
        order = plan_world.order(f"SO-S-{n}", 8, "2027-03-20")
        materials.set_override(pmc, order, f"2027-03-0{n + 1}", "Parts")
    db.session.commit()
    db.session.expire_all()
    with counted() as many:
        state = plan.current()
    assert few.statements == many.statements
    assert sum(job.waits for job in state.schedule.jobs) >= 1


@pytest.mark.postgres
def test_two_planners_setting_a_new_override_at_once_both_end_cleanly(app, plan_world, make_user):
    a = plan_world.order("SO-X-A", 8, "2027-03-20")
    one, two = make_user("pmc"), make_user("pmc")
    order_id = a.id

    def setter(user_id, day):
        def act():
            from app.core.users.models import User
            from app.modules.orders.models import Order

            user, order = db.session.get(User, user_id), db.session.get(Order, order_id)
            return materials.set_override(user, order, day, "Parts").ready_on

        return act

    outcomes = run_together(app, [setter(one.id, "2027-03-03"), setter(two.id, "2027-03-04")])
    assert all(o == "ok" or o.startswith("invalid") for o, _ in outcomes), outcomes
    assert any(o == "ok" for o, _ in outcomes)
    db.session.expire_all()
    row = db.session.get(MaterialOverride, order_id)
    assert row.ready_on in (D("2027-03-03"), D("2027-03-04"))


def _report(make_user, order, quantity="1"):
    from app.modules.fulfilment.services import reporting

    return reporting.report(make_user("production"), order.lines[0].id, "cutting", quantity, "")


def test_an_order_waiting_for_material_does_not_start_production(plan_world, make_user, source):
    from app.modules.fulfilment.models import ProgressReport

    order = plan_world.order("SO-G-1", 8, "2027-03-10")
    source[order.id] = MaterialStatus.expected_by(D("2027-03-04"), "PO-7")
    with pytest.raises(InvalidInput) as refused:
        _report(make_user, order)
    db.session.rollback()
    message = str(refused.value)
    assert "SO-G-1" in message and "2027-03-04" in message and "PO-7" in message
    assert "PMC" in message
    db.session.refresh(order)
    assert order.status == "released" and order.lines[0].quantity_done == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(ProgressReport)) == 0


@pytest.mark.parametrize("ready_on", ["2027-03-01", "2027-02-20"])
def test_pmc_saying_the_materials_are_there_lets_production_start(
    plan_world, make_user, source, ready_on
):
    order = plan_world.order("SO-G-2", 8, "2027-03-10")
    source[order.id] = MaterialStatus.expected_by(D("2027-03-04"), "PO-7")
    materials.set_override(make_user("pmc"), order, ready_on, "Supplier delivered early")
    db.session.commit()
    _report(make_user, order)
    db.session.commit()
    assert order.status == "in_production"


@pytest.mark.parametrize(
    "status",
    [
        MaterialStatus.expected_by(D("2027-03-01"), "PO-7"),  # today: there
        MaterialStatus.expected_by(D("2027-02-26"), "PO-7"),  # passed: holds nothing, as the plan
        MaterialStatus.ready("Stock"),
        MaterialStatus.unknown("Nobody"),
    ],
)
def test_production_starts_when_the_plan_would_not_hold_the_order(
    plan_world, make_user, source, status
):
    order = plan_world.order("SO-G-3", 8, "2027-03-10")
    source[order.id] = status
    _report(make_user, order)
    db.session.commit()
    assert order.status == "in_production"


def test_later_reports_are_not_held_once_production_has_started(plan_world, make_user, source):
    order = plan_world.order("SO-G-4", 8, "2027-03-10", status="in_production")
    source[order.id] = MaterialStatus.expected_by(D("2027-03-04"), "PO-7")
    _report(make_user, order, "2")
    db.session.commit()
    assert order.lines[0].quantity_done == 2

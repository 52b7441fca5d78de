"""Rush-order insertion (插单): previewed, approved in BPMN, applied atomically, never blindly.

The plan: lines L1 and L2 at 8 h a day from Monday 2027-03-01 (tests/conftest.py `plan_world`).
Orders of 1 h per unit on L1 only unless said otherwise.
"""

import json
from datetime import date

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from app.core.audit.models import AuditEvent
from app.core.notifications.models import Notification
from app.core.tasks import completion as tasks
from app.core.tasks.models import HumanTask
from app.errors import Conflict, InvalidInput, PermissionDenied
from app.extensions import db
from app.modules.rush.models import RushRequest
from app.modules.rush.services import preview as rush_preview
from app.modules.rush.services import reading as rush_reading
from app.modules.rush.services import rush
from app.modules.schedule.models import PlanSlot, ProductionPlan
from app.modules.schedule.services import plan, writing


def open_step(request: RushRequest) -> HumanTask | None:
    return db.session.scalar(
        db.select(HumanTask).where(
            HumanTask.instance_id == request.instance_id, HumanTask.state == "ready"
        )
    )


def decide(
    request: RushRequest, make_user, answer: str = "approve", base_fingerprint=None, **extra
):
    """Complete the request's open step as its department would, with the page's plan base."""
    task = open_step(request)
    field = rush.DECISION_STEPS[task.spec_name]
    role = "head" if task.role == "head" else "member"
    user = make_user(task.department.key, role=role)
    if base_fingerprint is None:
        base_fingerprint = rush.live(request).preview.base_fingerprint
    data = {field: answer, "base_fingerprint": base_fingerprint, **extra}
    tasks.complete_task(task.id, user, MultiDict(data))
    db.session.commit()
    return task


def ask(
    world, order, required_by: str, requester=None, line: str = "", reason: str = "Big customer"
):
    """Request a rush the way the page does: preview first, then submit with its key."""
    requester = requester or world.make_user("sales")
    seen = rush.preview_request(requester, order.id, required_by, line)
    request = rush.request_rush(
        requester, order.id, required_by, line, reason, "CUST-77", seen.preview_key
    )
    db.session.commit()
    return request, seen.preview


@pytest.fixture
def three_orders(plan_world):
    """A (16 h, promised Fri 03-05), B (16 h, promised Fri 03-05), C (24 h, promised 03-31)."""
    a = plan_world.order("SO-A", 16, "2027-03-05")
    b = plan_world.order("SO-B", 16, "2027-03-05")
    c = plan_world.order("SO-C", 24, "2027-03-31")
    return a, b, c


def finish_of(order_id: int) -> date:
    return plan.current().schedule.job(order_id).finish


def test_rush_with_two_slipping_orders_needs_gm_and_is_applied(plan_world, three_orders, make_user):
    a, b, c = three_orders
    # Before: A Mon-Tue, B Wed-Thu, C Fri + Mon-Tue on L1.
    assert [finish_of(o.id) for o in (a, b, c)] == [
        date(2027, 3, 2), date(2027, 3, 4), date(2027, 3, 9),
    ]  # fmt: skip
    request, seen = ask(plan_world, c, "2027-03-03")
    # The preview: C first (Mon-Wed), A to Thu-Fri (3 days, still on time), B to Mon-Tue
    # (3 days, past its promised Friday): two slips, one newly late, so the GM must sign.
    assert (seen.line, seen.start, seen.finish) == ("L1", date(2027, 3, 1), date(2027, 3, 3))
    assert seen.meets_required_date is True
    slips = {s.order_number: s for s in seen.slips}
    assert set(slips) == {"SO-A", "SO-B"}
    assert (slips["SO-A"].new_finish, slips["SO-A"].working_days) == (date(2027, 3, 5), 3)
    assert slips["SO-A"].late is False
    assert (slips["SO-B"].new_finish, slips["SO-B"].working_days) == (date(2027, 3, 9), 3)
    assert slips["SO-B"].late is True and slips["SO-B"].newly_late is True
    assert (seen.slipped_orders, seen.late_orders, seen.max_slip_days) == (2, 1, 3)
    assert db.session.scalar(db.select(db.func.count()).select_from(PlanSlot)) == 0

    assert decide(request, make_user).spec_name == "rush_assess_pmc"
    assert decide(request, make_user).spec_name == "rush_approval_production"
    gm = open_step(request)
    assert (gm.spec_name, gm.department.key, gm.role) == ("rush_approval_gm", "management", "head")
    assert db.session.scalar(db.select(db.func.count()).select_from(PlanSlot)) == 0
    decide(request, make_user)

    db.session.refresh(request)
    assert request.status == "applied" and request.applied_plan_version == 1
    slots = db.session.scalars(db.select(PlanSlot).order_by(PlanSlot.position)).all()
    assert [(s.order.number, s.line.code, s.position) for s in slots] == [
        ("SO-C", "L1", 1), ("SO-A", "L1", 2), ("SO-B", "L1", 3),
    ]  # fmt: skip
    assert [finish_of(o.id) for o in (c, a, b)] == [
        date(2027, 3, 3), date(2027, 3, 5), date(2027, 3, 9),
    ]  # fmt: skip
    assert db.session.get(ProductionPlan, plan.PLAN_ID).fingerprint == plan.current().fingerprint
    notes = db.session.scalars(db.select(Notification).where(Notification.kind == "order_delayed"))
    params = {
        n.subject_key: json.loads(n.params) for n in notes if n.user_id == plan_world.owner.id
    }
    assert set(params) == {a.id, b.id}
    assert params[b.id]["days"] == 3 and params[b.id]["late"] is True
    assert params[b.id]["rush_order"] == "SO-C"
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"rush.request", "rush.applied", "plan.rush"} <= actions


def test_small_rush_needs_only_the_production_manager(plan_world, make_user):
    a = plan_world.order("SO-A", 8, "2027-03-31")
    rushed = plan_world.order("SO-R", 8, "2027-03-31")
    request, seen = ask(plan_world, rushed, "2027-03-01")
    assert (seen.slipped_orders, seen.late_orders, seen.max_slip_days) == (1, 0, 1)
    decide(request, make_user)
    decide(request, make_user)
    db.session.refresh(request)
    assert request.status == "applied" and open_step(request) is None
    assert finish_of(rushed.id) == date(2027, 3, 1) and finish_of(a.id) == date(2027, 3, 2)


def test_rejected_rush_leaves_the_plan_untouched(plan_world, three_orders, make_user):
    a, b, c = three_orders
    before = plan.current().fingerprint
    request, _seen = ask(plan_world, c, "2027-03-03")
    decide(request, make_user)
    with pytest.raises(InvalidInput) as refused:
        decide(request, make_user, "reject")  # a rejection needs a reason
    assert "reason" in refused.value.errors
    db.session.rollback()
    decide(request, make_user, "reject", reason="Line L1 is full this week")
    db.session.refresh(request)
    assert request.status == "rejected"
    assert request.decision_reason == "Line L1 is full this week"
    assert plan.current().fingerprint == before
    assert db.session.scalar(db.select(db.func.count()).select_from(PlanSlot)) == 0
    # No order is delayed; only the requester hears the decision, with the reason.
    told = db.session.scalars(db.select(Notification).where(Notification.kind != "task_arrived"))
    assert [(n.kind, n.user_id, json.loads(n.params)["reason"]) for n in told] == [
        ("rush_decided", request.requested_by_id, "Line L1 is full this week")
    ]


def test_an_approval_on_a_stale_preview_is_refused_and_recomputed(
    plan_world, three_orders, make_user
):
    a, b, c = three_orders
    request, seen = ask(plan_world, c, "2027-03-03")
    decide(request, make_user)  # PMC assesses on the current plan
    plan_world.order("SO-D", 8, "2027-03-02")  # released meanwhile, queued first
    with pytest.raises(InvalidInput) as refused, force_locale("en"):
        decide(request, make_user, base_fingerprint=seen.base_fingerprint)
    assert "plan changed" in refused.value.errors["decision"]
    db.session.rollback()
    assert open_step(request).spec_name == "rush_approval_production"
    fresh = rush.live(request).preview
    assert fresh.base_fingerprint != seen.base_fingerprint
    assert fresh.slipped_orders == 3  # D now slips too
    decide(request, make_user, base_fingerprint=fresh.base_fingerprint)
    db.session.refresh(request)
    assert json.loads(request.preview)["slipped_orders"] == 3
    assert request.base_fingerprint == fresh.base_fingerprint


def test_two_rushes_approved_on_one_plan_cannot_both_apply_blindly(
    plan_world, three_orders, make_user
):
    a, b, c = three_orders
    first, _ = ask(plan_world, c, "2027-03-03")
    second, second_seen = ask(plan_world, b, "2027-03-02", requester=make_user("pmc"))
    for _step in range(3):
        decide(first, make_user)
    db.session.refresh(first)
    assert first.status == "applied"
    decide(second, make_user)
    # The production head still has the page from before the first rush was applied.
    with pytest.raises(InvalidInput):
        decide(second, make_user, base_fingerprint=second_seen.base_fingerprint)
    db.session.rollback()
    db.session.refresh(second)
    assert second.status == "open"
    slots = db.session.scalars(db.select(PlanSlot).order_by(PlanSlot.position)).all()
    assert [s.order.number for s in slots] == ["SO-C", "SO-A", "SO-B"]


def test_rush_requests_are_checked_before_anything_is_stored(plan_world, make_user):
    order = plan_world.order("SO-A", 8, "2027-03-31")
    sales = make_user("sales")
    cases = [
        ("2027-02-27", "", "required_by"),  # in the past
        ("03/05/2027", "", "required_by"),
        ("2027-03-05", "L9", "line_code"),
    ]
    for required_by, line, field in cases:
        with pytest.raises(InvalidInput) as refused:
            rush.preview_request(sales, order.id, required_by, line)
        assert field in refused.value.errors
    only_l1 = plan_world.order("SO-B", 8, "2027-03-31")
    with pytest.raises(InvalidInput) as refused:
        rush.preview_request(sales, only_l1.id, "2027-03-05", "L2")
    assert "line_code" in refused.value.errors
    with pytest.raises(PermissionDenied):
        rush.preview_request(make_user("quality"), order.id, "2027-03-05", "")
    with pytest.raises(InvalidInput) as refused:
        rush.request_rush(sales, order.id, "2027-03-05", "", "  ", "", "x")
    assert "reason" in refused.value.errors
    with pytest.raises(InvalidInput):  # submitted without having seen the current preview
        rush.request_rush(sales, order.id, "2027-03-05", "", "Urgent", "", "not-the-plan")
    shown = rush.preview_request(sales, order.id, "2027-03-05", "")
    with pytest.raises(InvalidInput):  # the date was changed after the preview was shown
        rush.request_rush(sales, order.id, "2027-03-08", "", "Urgent", "", shown.preview_key)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(RushRequest)) == 0
    ask(plan_world, order, "2027-03-05")
    with pytest.raises(Conflict):
        ask(plan_world, order, "2027-03-05")
    cancelled = plan_world.order("SO-X", 8, "2027-03-31", status="cancelled")
    with pytest.raises(Conflict):
        rush.preview_request(sales, cancelled.id, "2027-03-05", "")


def test_a_new_order_in_review_can_be_rushed_into_the_plan(plan_world, make_user):
    plan_world.order("SO-A", 16, "2027-03-31")
    new = plan_world.order("SO-N", 8, "2027-03-10", status="in_review")
    assert new.id not in plan.current().orders  # not released: not planned yet
    request, seen = ask(plan_world, new, "2027-03-01")
    assert seen.finish == date(2027, 3, 1)
    for _step in range(2):
        decide(request, make_user)
    db.session.refresh(request)
    assert request.status == "applied"
    state = plan.current()
    assert state.schedule.job(new.id).position == 1  # its slot reserves the capacity


def test_an_order_without_hours_cannot_be_rushed_and_says_why(plan_world, make_order, make_user):
    order = make_order()  # one non-standard line, not estimated yet
    with pytest.raises(InvalidInput) as refused, force_locale("en"):
        rush.preview_request(make_user("sales"), order.id, "2027-03-05", "")
    assert "has no hours per unit on any production line" in refused.value.message


def test_pmc_rearranges_the_plan_and_owners_of_delayed_orders_hear_of_it(plan_world, make_user):
    a = plan_world.order("SO-A", 8, "2027-03-05", rates={"L1": "1", "L2": "2"})
    b = plan_world.order("SO-B", 8, "2027-03-05")
    state = plan.current()
    assert [(j.order_number, j.line) for j in state.schedule.jobs] == [
        ("SO-A", "L1"),
        ("SO-B", "L1"),
    ]
    pmc = make_user("pmc")
    with pytest.raises(PermissionDenied):
        writing.rearrange(make_user("sales"), state.fingerprint, [])
    with pytest.raises(Conflict):
        writing.rearrange(pmc, "stale", [(a.id, "L1", "2"), (b.id, "L1", "1")])
    with pytest.raises(InvalidInput) as refused:
        writing.rearrange(pmc, state.fingerprint, [(a.id, "L1", "x"), (b.id, "L2", "1")])
    assert set(refused.value.errors) == {f"position-{a.id}", f"line-{b.id}"}
    db.session.rollback()
    writing.rearrange(pmc, state.fingerprint, [(a.id, "L1", "2"), (b.id, "L1", "1")])
    db.session.commit()
    assert finish_of(b.id) == date(2027, 3, 1) and finish_of(a.id) == date(2027, 3, 2)
    delayed = db.session.scalars(
        db.select(Notification).where(Notification.kind == "order_delayed")
    )
    assert [(n.subject_key, json.loads(n.params)["cause"]) for n in delayed] == [(a.id, "plan")]
    # Moving A to L2 (16 h there) puts it on L2 from Monday.
    fingerprint = plan.current().fingerprint
    writing.rearrange(pmc, fingerprint, [(a.id, "L2", "1"), (b.id, "L1", "1")])
    db.session.commit()
    job = plan.current().schedule.job(a.id)
    assert (job.line, job.start, job.finish) == ("L2", date(2027, 3, 1), date(2027, 3, 2))
    assert db.session.get(ProductionPlan, plan.PLAN_ID).version == 2


def test_rush_counts_per_month_customer_and_requester(plan_world, three_orders, make_user):
    a, b, c = three_orders
    pmc = make_user("pmc", display_name="Planner Li")
    first, _ = ask(plan_world, c, "2027-03-03", requester=pmc)
    ask(plan_world, a, "2027-03-04", requester=pmc)
    decide(first, make_user)
    decide(first, make_user, "reject", reason="No")
    counts = rush_reading.counts()
    assert counts["customer"] == [("ACME", {"rejected": 1, "open": 1})]
    assert counts["requester"] == [("Planner Li", {"rejected": 1, "open": 1})]
    ((month, tally),) = counts["month"]
    assert len(month) == 7 and sum(tally.values()) == 2


@pytest.mark.postgres
def test_two_final_approvals_at_once_apply_only_one(app, plan_world, make_user):
    import threading

    from app.core.users.models import User

    for number in ("SO-A", "SO-B", "SO-C"):
        plan_world.order(number, 8, "2027-03-31")
    orders = {o.number: o for o in plan.current().orders.values()}
    requests = [ask(plan_world, orders[n], "2027-03-02")[0] for n in ("SO-C", "SO-B")]
    for request in requests:
        decide(request, make_user)  # PMC assessed both on the same plan
    base_fingerprint = rush.live(requests[0]).preview.base_fingerprint  # what the pages show
    heads = [make_user("production", role="head").id for _r in requests]
    steps = [open_step(r).id for r in requests]
    barrier = threading.Barrier(2)
    outcomes = []

    def work(user_id, task_id):
        with app.app_context():
            user = db.session.get(User, user_id)
            barrier.wait()
            try:
                data = {"decision": "approve", "base_fingerprint": base_fingerprint}
                tasks.complete_task(task_id, user, MultiDict(data))
                db.session.commit()
                outcomes.append("applied")
            except (InvalidInput, Conflict):  # stale preview, or the apply-time check
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=job) for job in zip(heads, steps, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["applied", "refused"]
    statuses = sorted(db.session.scalars(db.select(RushRequest.status)))
    assert statuses == ["applied", "open"]
    assert db.session.get(ProductionPlan, plan.PLAN_ID).version == 1


def test_a_rush_for_an_order_cancelled_meanwhile_cannot_be_approved(plan_world, make_user):
    order = plan_world.order("SO-A", 8, "2027-03-31")
    request, _seen = ask(plan_world, order, "2027-03-02")
    order.status = "cancelled"
    db.session.commit()
    with pytest.raises(InvalidInput) as refused, force_locale("en"):
        decide(request, make_user)
    assert "no longer open or released" in refused.value.errors["recommendation"]
    db.session.rollback()
    decide(request, make_user, "reject", reason="Order cancelled")
    db.session.refresh(request)
    assert request.status == "rejected"


def test_a_change_request_shows_its_effect_on_the_plan(plan_world, make_user, monkeypatch):
    from decimal import Decimal
    from types import SimpleNamespace

    from app.modules.changes.services import effect as change_effect

    a = plan_world.order("SO-A", 16, "2027-03-02")
    b = plan_world.order("SO-B", 8, "2027-03-03")
    product = a.lines[0].product
    bigger = [SimpleNamespace(position=1, quantity=Decimal(24), product=product)]
    effect = change_effect.effect_of_change(a, bigger, date(2027, 3, 2))
    # A grows from 16 to 24 hours: it finishes Wednesday, a day late, and B moves to Thursday.
    assert (effect.finish_before, effect.finish_after) == (date(2027, 3, 2), date(2027, 3, 3))
    assert effect.late_after is True and effect.line == "L1"
    assert [(s.order_number, s.new_finish) for s in effect.slips] == [("SO-B", date(2027, 3, 4))]
    later = change_effect.effect_of_change(a, bigger, date(2027, 3, 10))
    assert later.late_after is False
    unplanned = plan_world.order("SO-N", 8, "2027-03-10", status="in_review")
    assert change_effect.effect_of_change(unplanned, bigger, None) is None
    described = [SimpleNamespace(position=1, quantity=Decimal(5), product=None)]
    assert change_effect.effect_of_change(b, described, None) is None  # no estimate for that item


def test_a_preview_is_reused_until_the_plan_or_the_request_changes(plan_world):
    a = plan_world.order("SO-A", 16, "2027-03-05")
    c = plan_world.order("SO-C", 8, "2027-03-31")
    first = rush_preview.compute(c, date(2027, 3, 2), None)
    assert rush_preview.compute(c, date(2027, 3, 2), None) is first  # same plan, same request
    assert rush_preview.compute(c, date(2027, 3, 3), None) is not first  # another required date
    c.lines[0].quantity = 16  # the rushed order itself grew
    db.session.commit()
    grown = rush_preview.compute(c, date(2027, 3, 2), None)
    assert grown is not first and grown.preview.hours == 16
    plan_world.order("SO-D", 8, "2027-03-01")  # the plan changed
    moved = rush_preview.compute(c, date(2027, 3, 2), None)
    assert moved is not grown and moved.preview.slipped_orders == 2
    assert a.id in {s.order_id for s in moved.preview.slips}


def test_progress_that_moves_no_order_does_not_make_the_decision_stale(
    plan_world, three_orders, make_user
):
    """Issue 12: production reports on A between the request and the approvals; no order moves
    and none becomes late or on time, so the page's base still holds and the rush applies on
    the plan as it is then (A shorter)."""
    from app.modules.fulfilment.services import reporting

    a, b, c = three_orders
    request, seen = ask(plan_world, c, "2027-03-03")
    decide(request, make_user)  # PMC assesses
    reporting.report(make_user("production"), a.lines[0].id, "cutting", "4", "", "")
    db.session.commit()
    assert rush.live(request).preview.base_fingerprint == seen.base_fingerprint
    decide(request, make_user, base_fingerprint=seen.base_fingerprint)  # production head
    decide(request, make_user, base_fingerprint=seen.base_fingerprint)  # the GM (B late)
    db.session.refresh(request)
    assert request.status == "applied"
    # C 24 h Mon-Wed, then A's 12 h left Thu + half of Fri, B 16 h from Fri: ends Tue 03-09.
    assert [finish_of(o.id) for o in (c, a, b)] == [
        date(2027, 3, 3), date(2027, 3, 5), date(2027, 3, 9),
    ]  # fmt: skip
    assert plan.current().schedule.job(a.id).hours == 12.0

"""Issue 9: one order or line with bad data, or a planner that fails, never takes the plan pages
down: the order or line is left out with the reason, or the page says the plan cannot be
computed right now (logged) and renders the rest."""

import logging
from decimal import Decimal

import pytest

from app.core.tasks.models import HumanTask
from app.extensions import db
from app.modules.orders.models import Order
from app.modules.rush.models import RushRequest
from app.modules.rush.services import rush
from app.modules.schedule.services import plan

BROKEN = "The plan cannot be computed right now"


def english(client):
    client.post("/language", data={"lang": "en"})


def _text(response, status=200) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def test_a_billion_units_is_listed_and_every_other_order_is_planned(
    client, login, make_user, plan_world
):
    a = plan_world.order("SO-A", 8, "2027-03-01")
    huge = plan_world.order("SO-HUGE", 10**9, "2027-02-01")  # first in the queue
    b = plan_world.order("SO-B", 16, "2027-03-03")
    state = plan.current()
    assert [job.order_number for job in state.schedule.jobs] == ["SO-A", "SO-B"]
    assert state.schedule.job(b.id).finish.isoformat() == "2027-03-03"  # as if it were not there
    login(make_user("pmc"))
    english(client)
    page = _text(client.get("/schedule"))
    assert "Orders the plan cannot place" in page and "SO-HUGE" in page
    assert "It would finish after the planning horizon (2032-03-01)" in page
    assert f'name="position-{a.id}"' in page and f'name="position-{huge.id}"' not in page
    order_page = _text(client.get(f"/orders/{huge.id}"))
    assert "The production plan cannot place this order: It would finish after" in order_page
    assert "Planned on line L1, position 1" in _text(client.get(f"/orders/{a.id}"))
    form = {"order_id": str(huge.id), "required_by": "2027-03-05", "action": "preview"}
    refused = _text(client.post("/rush/new", data=form), 400)
    assert "Order SO-HUGE would finish after the planning horizon (2032-03-01)" in refused
    # PMC saves the plan: the huge order stays listed, the others keep their places.
    rows = {"order": [str(a.id), str(b.id)], f"line-{a.id}": "L1", f"line-{b.id}": "L1"}
    rows |= {f"position-{a.id}": "2", f"position-{b.id}": "1"}
    saved = client.post("/schedule", data={"base_fingerprint": state.fingerprint, **rows})
    assert saved.status_code == 302
    assert [job.order_number for job in plan.current().schedule.jobs] == ["SO-B", "SO-A"]


def test_a_line_with_a_capacity_of_zero_is_left_out_with_the_reason(
    client, login, make_user, plan_world
):
    only_l1 = plan_world.order("SO-1", 8, "2027-03-05", rates={"L1": "1"})
    both = plan_world.order("SO-2", 8, "2027-03-05", rates={"L1": "1", "L2": "1"})
    plan_world.lines["L1"].daily_hours = Decimal("0.00")
    db.session.commit()
    state = plan.current()
    assert [(job.order_number, job.line) for job in state.schedule.jobs] == [("SO-2", "L2")]
    login(make_user("pmc"))
    english(client)
    page = _text(client.get("/schedule"))
    assert "Line L1 is left out of the plan: its daily capacity is 0.00 hours." in page
    assert "The only lines that can make this order have no usable daily capacity." in page
    assert "Planned on line L2" in _text(client.get(f"/orders/{both.id}"))
    assert "no usable daily capacity" in _text(client.get(f"/orders/{only_l1.id}"))
    form = {"order_id": str(both.id), "required_by": "2027-03-05", "action": "preview"}
    assert "goes first on line L2" in _text(client.post("/rush/new", data=form))
    on_l1 = _text(client.post("/rush/new", data={**form, "line_code": "L1"}), 400)
    assert "This line cannot make the order." in on_l1
    plan_world.lines["L1"].daily_hours = Decimal("-4")
    db.session.commit()
    assert "its daily capacity is -4" in _text(client.get("/schedule"))


@pytest.mark.parametrize("rate", ["0.0000", "-1"])
def test_a_product_rate_of_zero_makes_the_order_unplannable_not_the_page(
    client, login, make_user, plan_world, rate
):
    bad = plan_world.order("SO-BAD", 5, "2027-03-05", rates={"L2": rate})
    plan_world.order("SO-OK", 8, "2027-03-05")
    login(make_user("pmc"))
    english(client)
    page = _text(client.get("/schedule"))
    assert "Line 1 of order SO-BAD has no usable hours per unit (L2 " in page
    assert "SO-OK" in page
    assert "has no usable hours per unit" in _text(client.get(f"/orders/{bad.id}"))


def _open_rush(plan_world, make_user):
    plan_world.order("SO-A", 16, "2027-03-05")
    c = plan_world.order("SO-C", 24, "2027-03-31")
    requester = make_user("sales")
    seen = rush.preview_request(requester, c.id, "2027-03-03", "")
    request = rush.request_rush(requester, c.id, "2027-03-03", "", "VIP", "", seen.preview_key)
    db.session.commit()
    return c, request, seen.preview


def _break_the_planner(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("planner exploded")

    monkeypatch.setattr(plan, "schedule", broken)


def test_every_plan_page_degrades_to_a_message_when_planning_fails(
    client, login, make_user, plan_world, monkeypatch, caplog
):
    c, request, seen = _open_rush(plan_world, make_user)
    assess = db.session.scalar(db.select(HumanTask).where(HumanTask.state == "ready"))
    _break_the_planner(monkeypatch)
    login(make_user("pmc"))
    english(client)
    with caplog.at_level(logging.ERROR):
        page = _text(client.get("/schedule"))
    assert f"{BROKEN}: an unexpected error occurred; the details were logged." in page
    assert "Working calendar" in page  # the rest of the page is there
    assert any("planner exploded" in (r.exc_text or "") for r in caplog.records)
    posted = client.post("/schedule", data={"base_fingerprint": "x", "order": [str(c.id)]})
    assert BROKEN in _text(posted, 400)
    order_page = _text(client.get(f"/orders/{c.id}"))
    assert BROKEN in order_page and f"/rush/{request.id}" in order_page
    detail = _text(client.get(f"/rush/{request.id}"))
    assert BROKEN in detail and f'data-base-fingerprint="{seen.base_fingerprint}"' in detail
    task_page = _text(client.get(f"/tasks/{assess.id}"))
    assert BROKEN in task_page and "Orders that slip" in task_page
    approve = {"recommendation": "approve", "base_fingerprint": seen.base_fingerprint}
    refused = client.post(f"/tasks/{assess.id}/complete", data=approve)
    assert BROKEN in _text(refused, 400)
    db.session.refresh(assess)
    assert assess.state == "ready"
    other = db.session.scalar(db.select(Order).where(Order.number == "SO-A"))
    form = {"order_id": str(other.id), "required_by": "2027-03-05", "action": "preview"}
    assert BROKEN in _text(client.post("/rush/new", data=form), 400)
    submit = {**form, "action": "submit", "reason": "VIP", "preview_key": "x"}
    assert BROKEN in _text(client.post("/rush/new", data=submit), 400)
    assert db.session.scalar(db.select(db.func.count()).select_from(RushRequest)) == 1


def test_the_approvals_page_shows_rush_rows_with_the_message(
    client, login, make_user, plan_world, monkeypatch
):
    from werkzeug.datastructures import MultiDict

    from app.core.tasks import completion as tasks

    _c, request, seen = _open_rush(plan_world, make_user)
    assess = db.session.scalar(db.select(HumanTask).where(HumanTask.state == "ready"))
    data = {"recommendation": "approve", "base_fingerprint": seen.base_fingerprint}
    tasks.complete_task(assess.id, make_user("pmc"), MultiDict(data))
    db.session.commit()
    _break_the_planner(monkeypatch)
    login(make_user("production", role="head"))
    page = _text(client.get("/approvals"))  # in Chinese
    assert f'data-rush="{request.id}"' in page
    assert "目前无法计算生产计划" in page and "Orders slipping" not in page


def test_a_change_request_page_shows_the_message_instead_of_the_plan_effect(
    client, login, make_user, released_order, monkeypatch
):
    from app.modules.changes.services import changes
    from tests.scenarios.test_change_requests import draft

    order = released_order
    data = draft(order, quantity="11")
    change = changes.raise_change(make_user("sales"), order.id, data, "customer_request", "x", "")
    db.session.commit()
    review = db.session.scalar(
        db.select(HumanTask).where(
            HumanTask.instance_id == change.instance_id, HumanTask.state == "ready"
        )
    )
    _break_the_planner(monkeypatch)
    monkeypatch.setattr(plan, "current", lambda *a, **k: plan.schedule())
    login(make_user("pmc"))
    english(client)
    page = _text(client.get(f"/changes/{change.id}"))
    assert BROKEN in page and 'data-field="quantity"' in page
    assert BROKEN in _text(client.get(f"/tasks/{review.id}"))


def test_a_change_to_a_billion_units_shows_it_would_leave_the_plan(plan_world):
    from datetime import date
    from types import SimpleNamespace

    from app.modules.changes.services import effect as change_effect

    a = plan_world.order("SO-A", 16, "2027-03-02")
    plan_world.order("SO-B", 8, "2027-03-03")
    huge = [SimpleNamespace(position=1, quantity=Decimal(10**9), product=a.lines[0].product)]
    effect = change_effect.effect_of_change(a, huge, date(2027, 3, 2))
    assert (effect.finish_before, effect.finish_after) == (date(2027, 3, 2), None)
    assert effect.horizon == date(2032, 3, 1) and effect.late_after and effect.slips == []

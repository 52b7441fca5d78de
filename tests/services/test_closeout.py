"""Close-out figures against hand-computed numbers (docs/CLOSEOUT.md, "Figures"), the approval
route at the margin threshold, the delivery hook, the command and the cost history.

Rates (tests/closeout_world.py): L1 labour 40.00 + machine 25.00 CNY/h, L2 55.50 + 30.00;
product P-100 has a standard cost of 12.3456 CNY."""

from decimal import Decimal

import pytest

from app.core.notifications.models import Notification
from app.core.tasks.models import ProcessInstance
from app.errors import InvalidInput, PermissionDenied
from app.extensions import db
from app.modules.closeout.models import Closeout
from app.modules.closeout.services import history, process, rates
from app.modules.orders import events
from tests.closeout_world import CloseoutWorld

D = Decimal


@pytest.fixture
def world(make_user) -> CloseoutWorld:
    return CloseoutWorld(make_user)


def closeout(order) -> Closeout:
    db.session.expire_all()
    return process.closeout_of(order.id)


def test_catalogue_item(world):
    # revenue 100 x 18.50 = 1850.00; planned 100 x 12.3456 = 1234.56
    # labour 8.5 h x 40 = 340.00; machine 6.25 h x 25 = 156.25
    # actual 620.40 + 340.00 + 156.25 + 15.00 = 1131.65; margin 718.35 = 38.83 %
    order = world.started(world.catalogue("100", "18.50"))
    world.cost(order, ("620.40", "8.5", "6.25", "15"))
    c = closeout(order)
    (line,) = c.lines
    assert (line.revenue, line.planned_cost) == (D("1850.00"), D("1234.56"))
    assert (line.labour_cost, line.machine_cost) == (D("340.00"), D("156.25"))
    assert line.actual_cost == D("1131.65")
    assert (c.revenue, c.planned_cost, c.actual_cost) == (D("1850.00"), D("1234.56"), D("1131.65"))
    assert (c.margin, c.margin_pct, c.needs_gm) == (D("718.35"), D("38.83"), False)
    assert world.task(order, "closeout_approval_finance") is not None


def test_non_standard_item_rounds_half_up(world):
    # revenue 40 x 75 = 3000.00; planned 40 x 0.5 h x (55.50 + 30.00) on L2 = 1710.00
    # labour 22.75 x 55.50 = 1262.625 -> 1262.63; machine 18.4 x 30 = 552.00
    # actual 900 + 1262.63 + 552 + 0 = 2714.63; margin 285.37 = 9.51 % (< 15: the GM too)
    order = world.started(world.custom("40", "75"))
    world.cost(order, ("900", "22.75", "18.4", "0"))
    c = closeout(order)
    (line,) = c.lines
    assert line.line_id == world.l2.id and line.product_id is None
    assert (line.planned_cost, line.labour_cost, line.machine_cost) == (
        D("1710.00"), D("1262.63"), D("552.00"),
    )  # fmt: skip
    assert (c.actual_cost, c.margin, c.margin_pct, c.needs_gm) == (
        D("2714.63"), D("285.37"), D("9.51"), True,
    )  # fmt: skip


def test_multi_line_totals_are_sums_of_the_rounded_lines(world):
    # the two lines above: revenue 4850.00, planned 2944.56, actual 3846.28,
    # margin 1003.72 = 20.70 %
    order = world.started(world.catalogue("100", "18.50"), world.custom("40", "75"))
    world.cost(order, ("620.40", "8.5", "6.25", "15"), ("900", "22.75", "18.4", "0"))
    c = closeout(order)
    assert [x.actual_cost for x in c.lines] == [D("1131.65"), D("2714.63")]
    assert (c.revenue, c.planned_cost, c.actual_cost) == (D("4850.00"), D("2944.56"), D("3846.28"))
    assert (c.margin, c.margin_pct, c.needs_gm) == (D("1003.72"), D("20.70"), False)


def test_a_non_standard_item_without_estimate_has_no_planned_cost(world):
    order = world.started(world.custom("2", "10", hours=None))
    world.cost(order, ("5", "0", "0", "0"), line=world.l1)
    c = closeout(order)
    assert c.lines[0].planned_cost is None and c.planned_cost is None
    assert (c.revenue, c.actual_cost, c.margin_pct) == (D("20.00"), D("5.00"), D("75.00"))


def test_foreign_currency_uses_the_rate_recorded_at_confirmation(world):
    # revenue 3 x 199.99 USD x 7.1234 = 4273.826298 -> 4273.83; planned 3 x 12.3456 -> 37.04
    # actual 1000 + 10 h x 40 + 4 h x 25 + 250.50 = 1750.50; margin 2523.33 = 59.04 %
    order = world.started(world.catalogue("3", "199.99"), currency="USD", rate="7.1234")
    assert closeout(order).exchange_rate == D("7.1234")
    form = {"co-exchange_rate": "7.1234"}
    world.cost(order, ("1000", "10", "4", "250.50"), **form)
    c = closeout(order)
    assert (c.currency, c.revenue, c.planned_cost) == ("USD", D("4273.83"), D("37.04"))
    assert (c.actual_cost, c.margin, c.margin_pct) == (D("1750.50"), D("2523.33"), D("59.04"))


def test_a_missing_rate_is_asked_at_close_out(world):
    order = world.started(world.catalogue("1", "100"), currency="EUR")
    assert closeout(order).exchange_rate is None
    with pytest.raises(InvalidInput) as refused:
        world.cost(order, ("10", "0", "0", "0"))
    assert "co-exchange_rate" in refused.value.errors
    db.session.rollback()
    assert closeout(order).status == "open" and closeout(order).lines == []
    world.cost(order, ("10", "0", "0", "0"), **{"co-exchange_rate": "7.65"})
    c = closeout(order)
    assert (c.exchange_rate, c.revenue, c.actual_cost) == (D("7.65"), D("765.00"), D("10.00"))


def test_the_rate_is_captured_when_the_customer_confirms(app, world, monkeypatch):
    from app.modules.orders.services import lifecycle

    monkeypatch.setitem(app.config, "EXCHANGE_RATES", {"USD": "7.1234"})
    usd = world.order(world.catalogue("1", "1"), currency="USD", status="awaiting_customer")
    cny = world.order(world.catalogue("1", "1"), status="awaiting_customer")
    jpy = world.order(world.catalogue("1", "1"), currency="JPY", status="awaiting_customer")
    for order in (usd, cny, jpy):
        lifecycle.capture_exchange_rate(order)
    assert (usd.exchange_rate, cny.exchange_rate, jpy.exchange_rate) == (D("7.1234"), 1, None)


@pytest.mark.parametrize(
    ("material", "pct", "gm"),
    [("85.00", D("15.00"), False), ("85.01", D("14.99"), True), ("84.99", D("15.01"), False)],
)
def test_approval_route_at_the_threshold(world, material, pct, gm):
    order = world.started(world.catalogue("1", "100"))
    world.cost(order, (material, "0", "0", "0"))
    assert (closeout(order).margin_pct, closeout(order).needs_gm) == (pct, gm)
    world.decide(order, "closeout_approval_finance")
    assert (world.task(order, "closeout_approval_gm") is not None) is gm
    if gm:
        assert closeout(order).status == "costed" and order.status == "delivered"
        world.decide(order, "closeout_approval_gm")
    db.session.expire_all()
    assert closeout(order).status == "closed" and order.status == "closed"


def test_a_send_back_costs_again_and_replaces_the_figures(world):
    order = world.started(world.catalogue("1", "100"))
    world.cost(order, ("50", "0", "0", "0"))
    world.decide(order, "closeout_approval_finance", "reject", "Material is missing the paint")
    assert world.task(order, "closeout_costing") is not None
    world.cost(order, ("90", "0", "0", "0"))
    c = closeout(order)
    assert len(c.lines) == 1 and c.actual_cost == D("90.00") and c.needs_gm is True


def test_closing_feeds_the_cost_history_and_notifies(world):
    finance, gm = world.make_user("finance"), world.make_user("management", role="head")
    first = world.started(world.catalogue("100", "18.50"))
    world.cost(first, ("620.40", "8.5", "6.25", "15"))
    world.decide(first, "closeout_approval_finance")
    assert history.cost_history(world.product.id).latest_unit_cost == D("11.3165")
    second = world.started(world.catalogue("3", "199.99"), currency="USD", rate="7.1234")
    world.cost(second, ("1000", "10", "4", "250.50"), **{"co-exchange_rate": "7.1234"})
    world.decide(second, "closeout_approval_finance")
    cost = history.cost_history(world.product.id)
    # (1131.65 + 1750.50) / 103 = 27.98203... -> 27.9820; latest 1750.50 / 3 = 583.5000
    # margin (1850.00 + 4273.83 - 2882.15) / 6123.83 = 52.94 %
    assert (cost.orders_closed, cost.quantity) == (2, D("103"))
    assert (cost.average_unit_cost, cost.latest_unit_cost) == (D("27.9820"), D("583.5000"))
    assert (cost.average_margin_pct, cost.latest_margin_pct) == (D("52.94"), D("59.04"))
    assert [r.order_number for r in cost.recent] == [second.number, first.number]
    kinds = {
        (n.user_id, n.kind)
        for n in db.session.scalars(db.select(Notification).order_by(Notification.id))
    }
    assert {(finance.id, "closeout_due"), (finance.id, "order_closed")} <= kinds
    assert (gm.id, "order_closed") in kinds


def test_the_delivered_event_and_any_process_step_start_it_once(world):
    order = world.order(world.catalogue("1", "1"))
    events.delivered(order, None)
    events.delivered(order, None)
    db.session.commit()
    instances = db.session.scalars(
        db.select(ProcessInstance).where(ProcessInstance.kind == process.KIND)
    ).all()
    assert len(instances) == 1 and closeout(order).instance_id == instances[0].id
    assert world.task(order, "closeout_costing") is not None
    assert process.start_for(world.order(world.catalogue("1", "1"), status="shipped")) is None


def test_the_command_starts_missing_close_outs_once(app, world):
    orders = [world.order(world.catalogue("1", "1")) for _ in range(3)]
    world.order(world.catalogue("1", "1"), status="production_complete")
    process.start_for(orders[0], None)
    db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["closeout", "start-missing", "--batch", "1"])
    assert first.exit_code == 0, first.output
    assert "2 close-out processes started" in first.output
    again = runner.invoke(args=["closeout", "start-missing"])
    assert "0 close-out processes started" in again.output
    assert db.session.scalar(db.select(db.func.count(Closeout.id))) == 3


def test_rates_keep_their_history_and_only_finance_sets_them(world):
    finance = world.make_user("finance")
    rates.set_rate(finance, str(world.l1.id), "42", "26.50", "2026-06-01", "new wage deal")
    db.session.commit()
    from datetime import date

    assert rates.rate_on(world.l1.id, date(2026, 5, 31)).labour_rate == D("40.00")
    assert rates.rate_on(world.l1.id, date(2026, 6, 1)).machine_rate == D("26.50")
    with pytest.raises(InvalidInput) as bad:
        rates.set_rate(finance, str(world.l1.id), "4.123", "-1", "2026-13-01")
    assert set(bad.value.errors) == {"labour_rate", "machine_rate", "valid_from"}
    with pytest.raises(PermissionDenied):
        rates.set_rate(world.make_user("production"), str(world.l1.id), "1", "1", "2026-06-01")


def test_costing_refuses_bad_figures_and_changes_nothing(world):
    order = world.started(world.catalogue("1", "100"))
    with pytest.raises(InvalidInput) as refused:
        world.cost(order, ("-1", "abc", "1.234", ""))
    k = f"co-{order.lines[0].id}-"
    assert {k + "material", k + "labour_hours", k + "machine_hours"} <= set(refused.value.errors)
    db.session.rollback()
    assert closeout(order).status == "open"
    assert world.task(order, "closeout_costing") is not None

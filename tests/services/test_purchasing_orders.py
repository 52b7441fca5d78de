"""Requirements, reservations, purchase orders and their approval (docs/PURCHASING.md)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from app.core import clock
from app.core.tasks import completion
from app.core.tasks.models import HumanTask
from app.errors import Conflict, InvalidInput, PermissionDenied
from app.extensions import db
from app.modules.orders.models import Product
from app.modules.orders.services.order_input import LineInput
from app.modules.purchasing.models import PurchaseRequest, StockBalance
from app.modules.purchasing.services import (
    buying,
    components,
    late,
    readiness,
    receiving,
    requirements,
    stock,
    suppliers,
)
from app.modules.purchasing.services.components import ComponentInput
from tests.statements import counted


class World:
    """Component C-1 (kg), product P-1 taking 2 kg a unit, supplier S-1, and the people."""

    def __init__(self, make_user, make_order):
        self.make_order = make_order
        self.engineer, self.keeper = make_user("engineering"), make_user("warehouse")
        self.buyer, self.head = make_user("purchasing"), make_user("purchasing", role="head")
        self.gm = make_user("management", role="head")
        self.c1 = components.create_component(self.engineer, ComponentInput("C-1", "Sheet", "kg"))
        self.product = Product(code="P-1", name="Part", unit="pcs")
        db.session.add(self.product)
        db.session.flush()
        components.set_product_bom(self.engineer, self.product.id, [(str(self.c1.id), "2")])
        self.supplier = suppliers.create_supplier(self.buyer, suppliers.SupplierInput("S-1", "Sup"))
        db.session.commit()

    def released(self, quantity: str, promised: str):
        """An order for `quantity` of P-1, released (requirements computed as on release)."""
        line = LineInput(product_id=str(self.product.id), quantity=quantity, unit_price="1")
        order = self.make_order(lines=[line], order_type="regular", promised_date=promised)
        order.status = "released"
        requirements.compute_for_order(order)
        db.session.commit()
        return order

    def order_all(self, price: str, days: int = 10):
        day = (clock.today() + timedelta(days=days)).isoformat()
        ids = [str(r.id) for r in buying.open_requests()]
        po = buying.create_purchase_order(
            self.buyer, str(self.supplier.id), ids, {self.c1.id: buying.LineTerms(price, day)}
        )
        db.session.commit()
        return po


@pytest.fixture
def world(make_user, make_order) -> World:
    return World(make_user, make_order)


def _requests():
    return db.session.execute(
        db.select(
            PurchaseRequest.order_id, PurchaseRequest.quantity, PurchaseRequest.status
        ).order_by(PurchaseRequest.id)
    ).all()


def test_free_stock_is_reserved_and_the_rest_requested_once(world):
    stock.adjust(world.keeper, world.c1.id, "15", "count", unit_cost="3")
    db.session.commit()
    order = world.released("10", "2027-03-05")  # needs 20 kg: 15 reserved, 5 requested
    assert _requests() == [(order.id, Decimal(5), "open")]
    requirements.compute_for_order(order)  # idempotent: nothing more
    db.session.commit()
    assert _requests() == [(order.id, Decimal(5), "open")]
    balance = db.session.get(StockBalance, world.c1.id)
    assert (balance.on_hand, balance.reserved, balance.free) == (15, 15, 0)


def test_a_receipt_serves_the_earliest_promised_order_first(world):
    late_order = world.released("5", "2027-04-01")  # 10 kg, promised later
    early_order = world.released("5", "2027-03-01")  # 10 kg, promised earlier
    po = world.order_all("2")
    receiving.receive(world.keeper, po.lines[0].id, "10", inspect=False)
    db.session.commit()
    reserved = {
        r.order_id: r.reserved for r in db.session.scalars(db.select(requirements.Requirement))
    }
    assert reserved == {late_order.id: Decimal(0), early_order.id: Decimal(10)}


def test_bad_purchase_orders_change_nothing(world):
    world.released("10", "2027-03-05")
    ids = [str(r.id) for r in buying.open_requests()]
    past = (clock.today() - timedelta(days=1)).isoformat()
    cases = (
        ("", ids, {world.c1.id: buying.LineTerms("1", past)}, {"supplier_id"}),
        (str(world.supplier.id), [], {}, {"requests"}),
        (str(world.supplier.id), ids, {world.c1.id: buying.LineTerms("-1", "x")},
         {f"price-{world.c1.id}", f"expected-{world.c1.id}"}),
    )  # fmt: skip
    for supplier_id, chosen, terms, fields in cases:
        with pytest.raises(InvalidInput) as refused:
            buying.create_purchase_order(world.buyer, supplier_id, chosen, terms)
        db.session.rollback()
        assert set(refused.value.errors) == fields
    assert [status for _o, _q, status in _requests()] == ["open"]
    with pytest.raises(PermissionDenied):
        buying.create_purchase_order(world.keeper, str(world.supplier.id), ids, {})


def _decide(po, step: str, user, decision: str, reason: str = ""):
    task = db.session.scalar(
        db.select(HumanTask).where(
            HumanTask.instance_id == po.instance_id,
            HumanTask.spec_name == step,
            HumanTask.state == "ready",
        )
    )
    assert task is not None, f"{step} is not open"
    completion.complete_task(task.id, user, MultiDict({"decision": decision, "reason": reason}))
    db.session.commit()


def test_above_50000_the_purchasing_head_approves(world):
    world.released("10", "2027-03-05")  # 20 kg
    po = world.order_all("3000")  # 60,000.00
    assert (po.total, po.status) == (Decimal("60000.00"), "pending_approval")
    _decide(po, "po_approval_head", world.head, "approve")
    assert po.status == "approved"


def test_above_200000_the_general_manager_approves_too_and_a_rejection_reopens(world):
    world.released("10", "2027-03-05")
    po = world.order_all("12000")  # 240,000.00
    _decide(po, "po_approval_head", world.head, "approve")
    assert po.status == "pending_approval"
    _decide(po, "po_approval_gm", world.gm, "reject", "Too dear")
    assert po.status == "rejected"
    assert [status for _o, _q, status in _requests()] == ["open"]
    with pytest.raises(Conflict):
        receiving.receive(world.keeper, po.lines[0].id, "1", inspect=False)


def test_receipts_are_bounded_and_inspection_must_add_up(world, make_user):
    world.released("10", "2027-03-05")
    po = world.order_all("1")
    line = po.lines[0]
    for quantity in ("0", "21", "abc"):
        with pytest.raises(InvalidInput):
            receiving.receive(world.keeper, line.id, quantity, inspect=False)
        db.session.rollback()
    receipt = receiving.receive(world.keeper, line.id, "8", inspect=True)
    db.session.commit()
    quality = make_user("quality")
    for accepted, rejected, reason, field in (
        ("5", "2", "x", "accepted"), ("6", "2", "", "reason"), ("9", "0", "", "accepted"),
    ):  # fmt: skip
        with pytest.raises(InvalidInput) as refused:
            receiving.inspect(quality, receipt.id, accepted, rejected, reason)
        db.session.rollback()
        assert list(refused.value.errors) == [f"r{receipt.id}-{field}"]
    with pytest.raises(PermissionDenied):
        receiving.inspect(world.keeper, receipt.id, "8", "0", "")
    db.session.rollback()
    receiving.inspect(quality, receipt.id, "6", "2", "Scratched")
    db.session.commit()
    balance = db.session.get(StockBalance, world.c1.id)
    assert (line.received, line.rejected, line.pending, line.open_quantity) == (6, 2, 0, 14)
    assert (balance.on_hand, balance.reserved) == (6, 6)


def test_a_late_purchase_order_flags_the_order_and_tells_pmc_once(world, make_user, monkeypatch):
    pmc = make_user("pmc")
    order = world.released("10", "2027-03-05")
    po = world.order_all("1", days=3)
    monkeypatch.setattr(clock, "today", lambda: po.lines[0].expected_date + timedelta(days=1))
    assert [item.po.number for item in late.late_for_order(order.id)] == [po.number]
    assert late.notify_late() == 1
    db.session.commit()
    assert late.notify_late() == 0
    from app.core.notifications.models import Notification

    told = db.session.scalars(
        db.select(Notification.user_id)
        .where(Notification.kind == "purchase_order_late")
        .order_by(Notification.user_id)
    ).all()
    assert pmc.id in told and order.created_by_id in told


def test_engineering_gives_a_non_standard_item_its_bom_before_release(world, make_order):
    order = make_order()  # one non-standard line of 10, in review
    item = order.lines[0]
    components.set_item_bom(world.engineer, item.id, [(str(world.c1.id), "1.25")])
    db.session.commit()
    order.status = "released"
    requirements.compute_for_order(order)
    db.session.commit()
    found = [(r.component_id, r.quantity) for r in requirements.requirements_of(order.id)]
    assert found == [(world.c1.id, Decimal("12.5"))]
    with pytest.raises(Conflict):
        components.set_item_bom(world.engineer, item.id, [(str(world.c1.id), "2")])
    with pytest.raises(PermissionDenied):
        components.set_item_bom(world.keeper, item.id, [(str(world.c1.id), "2")])


def test_a_cancelled_order_gives_its_reservation_to_the_next_order(world):
    stock.adjust(world.keeper, world.c1.id, "10", "count", unit_cost="1")
    db.session.commit()
    first = world.released("5", "2027-03-01")  # takes all 10 kg
    second = world.released("5", "2027-03-02")  # waits, 10 kg requested
    first.status = "cancelled"
    requirements.on_cancelled(first)
    db.session.commit()
    reserved = {
        r.order_id: r.reserved for r in db.session.scalars(db.select(requirements.Requirement))
    }
    assert reserved == {first.id: Decimal(0), second.id: Decimal(10)}
    assert list(stock.ledger_problems()) == []


def test_material_statuses_cost_the_same_statements_for_3_or_30_orders(world):
    def orders(n: int) -> list[int]:
        return [world.released("1", "2027-03-05").id for _ in range(n)]

    few = orders(3)
    world.order_all("1")  # the first three are on a purchase order, the rest are not
    many = few + orders(27)
    seen = []
    for ids in (few, many):
        db.session.expire_all()
        with counted() as found:
            statuses = readiness.statuses(ids)
        seen.append(found.statements)
        assert set(statuses) == set(ids)
    # Requirements, then requests with their purchase orders; the 27 not yet ordered add one
    # statement for their warehouse reviews (whatever their number).
    assert seen == [2, 3]


def test_purchasing_tells_the_plan_at_once_so_late_flags_follow(world, make_user, fake_clock):
    """Today Monday 2026-11-02; the order (10 x 0.1 h on L1) is promised for 2026-11-10. Each
    purchasing change calls materials.changed: no morning check is needed for the flag."""
    from datetime import datetime

    from app.modules.fulfilment.models import LateFlag
    from app.modules.orders.models import ProductionLine, ProductLineRate
    from tests.clocks import SHANGHAI

    fake_clock.set(datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI))
    line = ProductionLine(code="L1", name="Line 1", daily_hours=Decimal(8))
    world.product.rates.append(ProductLineRate(line=line, hours_per_unit=Decimal("0.1")))
    db.session.commit()
    order = world.released("10", "2026-11-10")  # 20 kg short, not ordered: not held

    def flagged():
        db.session.expire_all()
        return db.session.get(LateFlag, order.id) is not None

    assert not flagged()
    po = world.order_all("1", days=18)  # expected Friday 2026-11-20, after the promise
    assert flagged()
    receiving.set_expected(world.buyer, po.lines[0].id, "2026-11-05")
    db.session.commit()
    assert not flagged()
    receiving.set_expected(world.buyer, po.lines[0].id, "2026-11-20")
    db.session.commit()
    assert flagged()
    receiving.receive(world.keeper, po.lines[0].id, "20", inspect=True)
    db.session.commit()
    assert flagged()  # at inspection: nothing in stock yet
    pending = receiving.pending_inspection()[0]
    receiving.inspect(make_user("quality"), pending.id, "20", "0", "")
    db.session.commit()
    assert not flagged()  # accepted and reserved: ready, the plan starts it today


@pytest.mark.parametrize(
    "review, state, basis",
    [
        (None, "unknown", readiness.NOT_ORDERED),
        ("ready", "unknown", readiness.NOT_ORDERED),
        ("2027-02-15", "expected", readiness.NOT_ORDERED_REVIEW_DATE),
    ],
)
def test_not_yet_ordered_gives_the_warehouse_reviews_date_when_it_has_one(
    world, monkeypatch, review, state, basis
):
    from datetime import date

    from app.modules.schedule.services import materials
    from app.modules.schedule.services.materials import MaterialStatus

    order = world.released("10", "2027-03-05")  # 20 kg short, no purchase order
    answers = {}
    if review == "ready":
        answers[order.id] = MaterialStatus.ready("Warehouse review: all in stock")
    elif review is not None:
        answers[order.id] = MaterialStatus.expected_by(date.fromisoformat(review), "Review")
    monkeypatch.setattr(materials, "warehouse_review", lambda ids: answers)
    status = materials.statuses([order.id])[order.id]
    assert (status.state, status.basis, status.source) == (state, basis, "purchasing")
    assert status.expected == (date.fromisoformat(review) if state == "expected" else None)


def test_purchasing_cancels_a_request_no_longer_needed_with_a_reason(world, make_user):
    from app.core.audit.models import AuditEvent
    from app.errors import NotFound

    order = world.released("10", "2027-03-05")  # 20 kg short: one open request
    request = buying.open_requests()[0]
    with pytest.raises(PermissionDenied):
        buying.cancel_request(world.keeper, request.id, "Not needed")
    db.session.commit()  # the refusal's audit row stays
    with pytest.raises(InvalidInput) as no_reason:
        buying.cancel_request(world.buyer, request.id, "  ")
    assert "cancel_reason" in no_reason.value.errors
    with pytest.raises(InvalidInput):
        buying.cancel_request(world.buyer, request.id, "x" * 5000)
    with pytest.raises(InvalidInput):
        buying.cancel_request(world.buyer, None, "Not needed")
    with pytest.raises(NotFound):
        buying.cancel_request(world.buyer, request.id + 1000, "Not needed")
    db.session.rollback()
    assert _requests() == [(order.id, Decimal(20), "open")]

    buying.cancel_request(world.buyer, request.id, "The customer brings the steel")
    db.session.commit()
    assert _requests() == [(order.id, Decimal(20), "cancelled")]
    assert buying.open_requests() == []
    with pytest.raises(Conflict):
        buying.cancel_request(world.buyer, request.id, "Again")
    db.session.rollback()
    rows = db.session.execute(
        db.select(AuditEvent.action, AuditEvent.data)
        .where(
            AuditEvent.action.like("%request_cancel%")
            | (AuditEvent.action == "purchase_request.cancel")
        )
        .order_by(AuditEvent.id)
    ).all()
    assert [action for action, _data in rows] == [
        "denied.request_cancel",
        "purchase_request.cancel",
    ]
    logged = str(rows[1][1])
    assert "The customer brings the steel" in logged and '"still_short": "20.000"' in logged

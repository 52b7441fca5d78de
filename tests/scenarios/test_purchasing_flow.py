"""Issue 13's purchasing acceptance, with numbers worked out by hand:

Product BR-1 takes 2.5 kg of steel ST-1 and 4 bolts BT-8 per unit. The warehouse holds 30 kg of
steel from its opening count at 8.00 CNY/kg (240.00) and no bolts. An order for 20 BR-1 is
released: it needs 20 x 2.5 = 50 kg of steel and 20 x 4 = 80 bolts. Free stock covers 30 kg (all
reserved for it); purchasing is asked for 20 kg of steel and 80 bolts. One purchase order to one
supplier: 20 kg at 9.00 (180.00) and 80 bolts at 0.50 (40.00), total 220.00, within the buyer's
authority (purchase_rules.dmn: no approval up to 50,000), steel expected in 10 days, bolts in 20.
The order's materials are expected on the bolts' day. 50 bolts arrive (partial; in stock and
reserved) and the 20 kg of steel arrive for inspection, quality accepts all 20; purchasing moves
the rest of the bolts to day 25: the order is expected on day 25. The last 30 bolts arrive: every
material is reserved, the order's materials are ready. Production starts: 50 kg leave at the
moving average (240 + 180 = 420.00 for 50 kg, all of it) and 80 bolts at 40.00 (25 + 15): the
line's material cost is 460.00, which the close-out costing form pre-fills.

The plan, with the factory's date fixed at Monday 2026-11-02 (no holiday in November) and the
order the only one on line L1 (20 x 0.1 h = 2 h, within a day): the warehouse review said "must be
purchased" by Monday 2026-11-16; released and not yet ordered, purchasing gives the review's date
(saying it is not yet ordered) and the plan starts the order on 2026-11-16. Once ordered, the
bolts' day 20 is Sunday 2026-11-22: the plan waits for it and starts the order on Monday
2026-11-23; production reporting its first units is refused (expected by 2026-11-22, PMC may
override) and nothing changes. After the partial receipt the rest of the bolts come on day 25,
Friday 2026-11-27: the plan starts it then. The last bolts arrive the same Monday: ready, the plan
starts it today again, and production is allowed."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from app.core import clock
from app.core.notifications.models import Notification
from app.errors import InvalidInput
from app.extensions import db
from app.modules.closeout.models import Closeout
from app.modules.closeout.services import costing
from app.modules.closeout.services import reading as closeout_reading
from app.modules.confirmations.services import confirmations
from app.modules.fulfilment.models import ProgressReport
from app.modules.fulfilment.services import reporting
from app.modules.orders.models import Product, ProductionLine, ProductLineRate
from app.modules.orders.services.order_input import LineInput
from app.modules.purchasing.models import PurchaseRequest, StockBalance, StockMove
from app.modules.purchasing.services import (
    buying,
    components,
    readiness,
    receiving,
    requirements,
    stock,
    suppliers,
)
from app.modules.purchasing.services.components import ComponentInput
from app.modules.schedule.services import materials, plan
from tests.clocks import SHANGHAI
from tests.conftest import REVIEW_STEPS

D = date.fromisoformat


def _release(make_order, complete, make_user, product: Product):
    line = LineInput(product_id=str(product.id), quantity="20", unit_price="100")
    order = make_order(
        lines=[line], order_type="regular", requested_date="2027-03-01",
        promised_date="2027-03-05",
    )  # fmt: skip
    category = {
        "confirm_order": {"order_category": "regular"},
        "review_warehouse": {
            "materials_status": "to_purchase",
            "material_ready_date": "2026-11-16",
        },
    }
    for step in ("confirm_order", "pmc_dispatch", *REVIEW_STEPS, "pmc_consolidate"):
        complete(order, step, category.get(step))
    db.session.refresh(order)
    complete(order, "send_confirmation", {"sent_via": "link"})
    token = confirmations.issue_link(order, make_user("sales"))
    confirmations.confirm_with_link(token, "Ann Smith", True, "198.51.100.4", "test")
    db.session.commit()
    meeting = {
        "meeting_date": "2027-01-05",
        "decisions": "Go",
        "attendees": ["sales", "pmc", "engineering", "production", "quality"],
    }
    complete(order, "review_meeting", meeting)
    db.session.refresh(order)
    assert order.status == "released"
    return order


def _balance(component) -> tuple[Decimal, Decimal, Decimal]:
    db.session.expire_all()
    found = db.session.get(StockBalance, component.id)
    return found.on_hand, found.reserved, found.value


def _plan_start(order) -> tuple[date, bool]:
    """The order's first day in the plan as it stands, and whether it waits for material."""
    job, problem = plan.place_of(order)
    assert problem is None
    return job.start, job.waits


def test_an_order_runs_bom_requirements_purchase_receipts_ready_and_costed(
    make_order, complete, make_user, fake_clock
):
    fake_clock.set(datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI))
    engineer, keeper = make_user("engineering"), make_user("warehouse")
    buyer, inspector = make_user("purchasing"), make_user("quality")
    steel = components.create_component(engineer, ComponentInput("ST-1", "Steel sheet", "kg"))
    bolt = components.create_component(engineer, ComponentInput("BT-8", "Bolt M8", "pcs"))
    line = ProductionLine(code="L1", name="Line 1", daily_hours=Decimal(8))
    product = Product(code="BR-1", name="Bracket", unit="pcs", standard_cost=300)
    product.rates.append(ProductLineRate(line=line, hours_per_unit=Decimal("0.1")))
    db.session.add(product)
    db.session.flush()
    components.set_product_bom(engineer, product.id, [(str(steel.id), "2.5"), (str(bolt.id), "4")])
    stock.adjust(keeper, steel.id, "30", "Opening count", unit_cost="8")
    db.session.commit()

    order = _release(make_order, complete, make_user, product)
    needs = {
        r.component.code: (r.quantity, r.reserved) for r in requirements.requirements_of(order.id)
    }
    assert needs == {"ST-1": (Decimal(50), Decimal(30)), "BT-8": (Decimal(80), Decimal(0))}
    assert _balance(steel) == (Decimal(30), Decimal(30), Decimal("240.00"))
    asked = db.session.execute(
        db.select(PurchaseRequest.component_id, PurchaseRequest.quantity).order_by(
            PurchaseRequest.component_id
        )
    ).all()
    assert asked == [(steel.id, Decimal(20)), (bolt.id, Decimal(80))]
    status = materials.statuses([order.id])[order.id]
    assert (status.basis, status.expected) == (readiness.NOT_ORDERED_REVIEW_DATE, D("2026-11-16"))
    assert _plan_start(order) == (D("2026-11-16"), True)

    supplier = suppliers.create_supplier(buyer, suppliers.SupplierInput("SUP-1", "Steel & Co"))
    today = clock.today()
    day10, day20, day25 = (today + timedelta(days=n) for n in (10, 20, 25))
    terms = {
        steel.id: buying.LineTerms("9", day10.isoformat()),
        bolt.id: buying.LineTerms("0.5", day20.isoformat()),
    }
    ids = [str(r.id) for r in buying.open_requests()]
    po = buying.create_purchase_order(buyer, str(supplier.id), ids, terms)
    db.session.commit()
    assert (po.total, po.status) == (Decimal("220.00"), "approved")  # no approval up to 50,000
    status = materials.statuses([order.id])[order.id]
    assert (status.state, status.expected, status.source) == ("expected", day20, "purchasing")
    assert day20 == D("2026-11-22")  # a Sunday: the plan starts the order on Monday
    assert _plan_start(order) == (D("2026-11-23"), True)
    producer = make_user("production")
    with pytest.raises(InvalidInput) as refused:
        reporting.report(producer, order.lines[0].id, "cutting", "5", "")
    assert "2026-11-22" in str(refused.value) and "PMC" in str(refused.value)
    db.session.rollback()
    db.session.refresh(order)
    assert (order.status, order.lines[0].quantity_done) == ("released", 0)
    assert db.session.scalar(db.select(db.func.count()).select_from(ProgressReport)) == 0

    steel_line, bolt_line = sorted(po.lines, key=lambda line: line.component_id)
    receiving.receive(keeper, bolt_line.id, "50", inspect=False)
    receiving.receive(keeper, steel_line.id, "20", inspect=True)
    db.session.commit()
    assert po.status == "partly_received"
    assert _balance(bolt) == (Decimal(50), Decimal(50), Decimal("25.00"))
    assert _balance(steel) == (Decimal(30), Decimal(30), Decimal("240.00"))  # not in stock yet
    pending = receiving.pending_inspection()
    receiving.inspect(inspector, pending[0].id, "20", "0", "")
    receiving.set_expected(buyer, bolt_line.id, day25.isoformat())
    db.session.commit()
    assert _balance(steel) == (Decimal(50), Decimal(50), Decimal("420.00"))
    status = materials.statuses([order.id])[order.id]
    assert (status.state, status.expected) == ("expected", day25)
    assert _plan_start(order) == (D("2026-11-27"), True)  # the plan moved with the rest's date

    receiving.receive(keeper, bolt_line.id, "30", inspect=False)
    db.session.commit()
    assert po.status == "received"
    assert materials.statuses([order.id])[order.id].state == "ready"
    assert _plan_start(order) == (D("2026-11-02"), False)
    told = db.session.scalar(
        db.select(db.func.count())
        .select_from(Notification)
        .where(Notification.kind == "materials_ready", Notification.user_id == order.created_by_id)
    )
    assert told == 1

    reporting.report(producer, order.lines[0].id, "cutting", "5", "")
    db.session.commit()
    assert order.status == "in_production"
    issued = db.session.execute(
        db.select(StockMove.component_id, StockMove.quantity, StockMove.value)
        .where(StockMove.kind == "issue")
        .order_by(StockMove.component_id)
    ).all()
    assert issued == [
        (steel.id, Decimal(-50), Decimal("-420.00")),
        (bolt.id, Decimal(-80), Decimal("-40.00")),
    ]
    assert _balance(steel) == (Decimal(0), Decimal(0), Decimal(0))
    assert list(stock.ledger_problems()) == []

    item = order.lines[0]
    assert costing.material_costs(order) == {item.id: Decimal("460.00")}
    closeout = Closeout(order_id=order.id, currency="CNY", exchange_rate=1)
    db.session.add(closeout)
    db.session.flush()
    form = closeout_reading.costing_form(order, closeout, MultiDict(), {})
    assert form["rows"][0].values["material"] == Decimal("460.00")
    assert form["rows"][0].material_known

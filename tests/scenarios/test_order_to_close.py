"""Issue 12's acceptance: three orders run to the end, from intake through review, the
customer's confirmation and release, production's progress reports, shipments, the customer's
receipt (delivered), close-out costing and its approval (closed).

- a catalogue order (100 x P-100) — finance head approves alone;
- a non-standard item standardised into the catalogue after the meeting — its margin is below
  the DMN threshold (15 %), so the general manager approves after the finance head;
- a multi-line order shipped in two parts, the first while production is still going on.

Every step goes through the services the pages call (task completion, the confirmation link,
progress reports, shipments, receipts); every figure is computed by hand in the comments.
"""

from decimal import Decimal

from werkzeug.datastructures import FileStorage, MultiDict

from app.core import clock
from app.core.tasks import completion
from app.extensions import db
from app.modules.closeout.services import history, rates
from app.modules.closeout.services import process as closeout
from app.modules.confirmations.services import confirmations
from app.modules.fulfilment.services import reporting
from app.modules.orders.models import Order, Product, ProductionLine, ProductLineRate
from app.modules.orders.services.orders import LineInput
from app.modules.schedule.services import jobs
from app.modules.shipping.services import reading as shipping_reading
from app.modules.shipping.services import shipping
from tests.answers import SPECS
from tests.conftest import REVIEW_STEPS, open_task
from tests.shipping_helpers import png_file

D = Decimal


class Factory:
    """Line L1 (8 h a day; labour 40.00 + machine 25.00 CNY/h, set by finance), products P-100
    (0.1 h a unit on L1, standard cost 12.3456) and P-200 (0.5 h, standard cost 30.00), and the
    people of each department."""

    def __init__(self, make_user, make_order, complete):
        self.make_user, self.make_order, self.complete = make_user, make_order, complete
        self.l1 = ProductionLine(code="L1", name="Line 1", daily_hours=D(8))
        db.session.add(self.l1)
        db.session.flush()
        self.p100 = self.product("P-100", "12.3456", "0.1")
        self.p200 = self.product("P-200", "30.00", "0.5")
        db.session.commit()
        self.sales = make_user("sales")
        self.production = make_user("production")
        self.keeper = make_user("warehouse")
        self.finance = make_user("finance")
        self.finance_head = make_user("finance", role="head")
        self.gm = make_user("management", role="head")
        rates.set_rate(self.finance, str(self.l1.id), "40.00", "25.00", "2020-01-01")
        db.session.commit()
        self.today = clock.today().isoformat()

    def product(self, code: str, cost: str, hours: str) -> Product:
        product = Product(code=code, name=f"Bracket {code}", unit="pcs", standard_cost=D(cost))
        product.rates.append(ProductLineRate(line=self.l1, hours_per_unit=D(hours)))
        db.session.add(product)
        return product

    def catalogue(self, product: Product, quantity: str, price: str) -> LineInput:
        return LineInput(product_id=str(product.id), quantity=quantity, unit_price=price)

    def release(self, order_type: str, *lines: LineInput) -> Order:
        """Intake, review, the customer's confirmation by link and the meeting: released."""
        order = self.make_order(
            lines=list(lines),
            order_type=order_type,
            actor=self.sales,
            requested_date="2027-03-01",
            promised_date="2027-03-05",
        )
        assert order.status == "in_review"
        category = {"confirm_order": {"order_category": order_type}}
        for step in ("confirm_order", "pmc_dispatch", *REVIEW_STEPS, "pmc_consolidate"):
            self.complete(order, step, category.get(step))
        db.session.refresh(order)
        assert order.status == "awaiting_customer"
        self.complete(order, "send_confirmation", {"sent_via": "link"})
        token = confirmations.issue_link(order, self.sales)
        confirmations.confirm_with_link(token, "Ann Smith", True, "198.51.100.4", "test")
        db.session.commit()
        db.session.refresh(order)
        assert order.status == "confirmed"
        meeting = {
            "meeting_date": "2027-01-05",
            "decisions": "Go",
            "attendees": ["sales", "pmc", "engineering", "production", "quality"],
        }
        self.complete(order, "review_meeting", meeting)
        db.session.refresh(order)
        assert order.status == "released"
        return order

    def report(self, order: Order, position: int, step: str, done: str) -> None:
        line = next(item for item in order.lines if item.position == position)
        reporting.report(self.production, line.id, step, done, "")
        db.session.commit()
        db.session.refresh(order)

    def ship(self, order: Order, quantities: dict[int, str]):
        by_position = {item.position: item.id for item in order.lines}
        typed = {by_position[p]: q for p, q in quantities.items()}
        shipment = shipping.record_shipment(
            self.keeper, order.id, typed, "顺丰", "SF100", self.today, "", ""
        )
        db.session.commit()
        db.session.refresh(order)
        return shipment

    def receive(self, order: Order, shipment) -> None:
        stream, name = png_file()
        upload = FileStorage(stream, filename=name, content_type="image/png")
        shipping.record_receipt(self.keeper, shipment.id, upload, "王建国", self.today)
        db.session.commit()
        db.session.refresh(order)

    def cost(self, order: Order, *rows: tuple[str, str, str, str]) -> None:
        """Finance costs every line on L1: material, labour h, machine h, other."""
        task = open_task(order, closeout.COSTING_STEP)
        assert task is not None and task.department.key == "finance"
        data = {}
        for item, (material, labour, machine, other) in zip(order.lines, rows, strict=True):
            k = f"co-{item.id}-"
            data |= {
                k + "line": str(self.l1.id),
                k + "material": material,
                k + "labour_hours": labour,
                k + "machine_hours": machine,
                k + "other": other,
            }
        completion.complete_task(task.id, self.finance, MultiDict(data))
        db.session.commit()

    def approve(self, order: Order, step: str, who) -> None:
        task = open_task(order, step)
        assert task is not None, f"{step} is not open"
        completion.complete_task(task.id, who, MultiDict({"decision": "approve"}))
        db.session.commit()
        db.session.refresh(order)


def planned_ids() -> list[int]:
    return [order.id for order in jobs.orders_to_plan()]


def remaining(order: Order) -> dict[str, D]:
    job = jobs.job_for(order)
    return None if job is None else {k: D(str(v)) for k, v in job.hours_by_line.items()}


def totals(order: Order) -> list[tuple[D, D, D]]:
    """(made, shipped, delivered) per line, first line first."""
    return [
        (row.line.quantity_done, row.shipped, row.delivered)
        for row in shipping_reading.line_totals(order)
    ]


def figures(order: Order):
    c = closeout.closeout_of(order.id)
    lines = [
        (r.revenue, r.planned_cost, r.labour_cost, r.machine_cost, r.actual_cost)
        for r in sorted(c.lines, key=lambda r: r.position)
    ]
    return c, lines


def learned(product: Product) -> tuple:
    """What the product's cost history (the quotations' cost basis) says after closing."""
    h = history.cost_history(product.id)
    return (h.orders_closed, h.quantity, h.average_unit_cost, h.latest_unit_cost,
            h.latest_margin_pct)  # fmt: skip


def by_kind(order: Order) -> dict[str, str]:
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    return {instance.kind: instance.status for instance in order.instances}


def test_catalogue_order_runs_to_close(make_user, make_order, complete):
    f = Factory(make_user, make_order, complete)
    order = f.release("regular", f.catalogue(f.p100, "100", "18.50"))
    # 100 x 0.1 h = 10 h on L1, all still to do.
    assert planned_ids() == [order.id]
    assert remaining(order) == {"L1": D(10)}

    f.report(order, 1, "cutting", "40")
    assert order.status == "in_production"
    # 10 h x (1 - 40/100) = 6 h left.
    assert remaining(order) == {"L1": D(6)}

    f.report(order, 1, "packing", "100")
    assert order.status == "production_complete"
    assert remaining(order) is None and planned_ids() == []

    shipment = f.ship(order, {1: "100"})
    assert order.status == "shipped"
    assert totals(order) == [(D(100), D(100), D(0))]
    assert closeout.closeout_of(order.id) is None
    f.receive(order, shipment)
    assert order.status == "delivered"
    assert totals(order) == [(D(100), D(100), D(100))]
    assert closeout.closeout_of(order.id).status == "open"

    # Material 620.40; labour 8.5 h x 40.00 = 340.00; machine 6.25 h x 25.00 = 156.25;
    # other 15.00: actual 1131.65. Revenue 100 x 18.50 = 1850.00; planned 100 x 12.3456 =
    # 1234.56. Margin 718.35 = 38.8297 % -> 38.83 %: at least 15 %, the finance head alone.
    f.cost(order, ("620.40", "8.5", "6.25", "15"))
    c, lines = figures(order)
    assert c.status == "costed"
    assert lines == [(D("1850.00"), D("1234.56"), D("340.00"), D("156.25"), D("1131.65"))]
    assert (c.revenue, c.planned_cost, c.actual_cost) == (
        D("1850.00"),
        D("1234.56"),
        D("1131.65"),
    )
    assert (c.margin, c.margin_pct, c.needs_gm) == (D("718.35"), D("38.83"), False)
    f.approve(order, "closeout_approval_finance", f.finance_head)
    assert open_task(order, "closeout_approval_gm") is None
    assert order.status == "closed" and closeout.closeout_of(order.id).status == "closed"
    assert remaining(order) is None and planned_ids() == []
    # Cost history: 1131.65 / 100 = 11.3165 a unit; margin 38.83 %.
    assert learned(f.p100) == (1, D(100), D("11.3165"), D("11.3165"), D("38.83"))
    assert by_kind(order) == {
        "order_lifecycle": "completed",
        "fulfilment": "completed",
        "closeout": "completed",
    }


def test_non_standard_order_runs_to_close_with_the_general_manager(make_user, make_order, complete):
    f = Factory(make_user, make_order, complete)
    item = LineInput(description="Custom frame", quantity="20", unit_price="50", specs=dict(SPECS))
    order = f.release("non_standard", item)
    # Engineering and production estimated 1.5 h a unit on L1: 20 x 1.5 = 30 h.
    assert remaining(order) == {"L1": D(30)}
    complete(
        order,
        "standardise_item",
        {"make_standard": "on", "code": "FR-1", "name": "Frame FR-1", "standard_cost": "48"},
    )
    frame = db.session.scalar(db.select(Product).where(Product.code == "FR-1"))
    db.session.refresh(order)
    assert order.lines[0].standard_product_id == frame.id
    assert order.status == "released" and planned_ids() == [order.id]

    f.report(order, 1, "assembly", "5")
    # 30 h x (1 - 5/20) = 22.5 h left.
    assert order.status == "in_production" and remaining(order) == {"L1": D("22.5")}
    f.report(order, 1, "packing", "20")
    assert order.status == "production_complete" and planned_ids() == []

    shipment = f.ship(order, {1: "20"})
    assert order.status == "shipped"
    f.receive(order, shipment)
    assert order.status == "delivered" and totals(order) == [(D(20), D(20), D(20))]

    # Revenue 20 x 50 = 1000.00; planned 20 x 1.5 h x (40.00 + 25.00) = 1950.00 (the item's
    # estimate, as the plan uses). Material 300.00; labour 10 h x 40 = 400.00; machine 4 h x
    # 25 = 100.00; other 60.00: actual 860.00. Margin 140.00 = 14.00 % < 15 %: the general
    # manager approves after the finance head.
    f.cost(order, ("300", "10", "4", "60"))
    c, lines = figures(order)
    assert lines == [(D("1000.00"), D("1950.00"), D("400.00"), D("100.00"), D("860.00"))]
    assert (c.revenue, c.planned_cost, c.actual_cost) == (
        D("1000.00"),
        D("1950.00"),
        D("860.00"),
    )
    assert (c.margin, c.margin_pct, c.needs_gm) == (D("140.00"), D("14.00"), True)
    f.approve(order, "closeout_approval_finance", f.finance_head)
    assert order.status == "delivered" and closeout.closeout_of(order.id).status == "costed"
    f.approve(order, "closeout_approval_gm", f.gm)
    assert order.status == "closed" and closeout.closeout_of(order.id).status == "closed"
    assert remaining(order) is None and planned_ids() == []
    # The standardised product learns from the item: 860.00 / 20 = 43.0000 a unit, 14.00 %.
    assert learned(frame) == (1, D(20), D(43), D(43), D("14.00"))
    assert by_kind(order) == {
        "order_lifecycle": "completed",
        "fulfilment": "completed",
        "closeout": "completed",
    }


def test_multi_line_order_with_partial_shipments_runs_to_close(
    make_user, make_order, complete, client, login
):
    f = Factory(make_user, make_order, complete)
    order = f.release("regular", f.catalogue(f.p100, "60", "20"), f.catalogue(f.p200, "30", "45"))
    # 60 x 0.1 + 30 x 0.5 = 6 + 15 = 21 h on L1.
    assert remaining(order) == {"L1": D(21)}

    f.report(order, 1, "packing", "60")
    f.report(order, 2, "cutting", "10")
    # Line 1 made: 0 h; line 2: 15 h x (1 - 10/30) = 10 h.
    assert order.status == "in_production" and remaining(order) == {"L1": D(10)}

    # Made goods leave while production goes on; the status stays production's.
    first = f.ship(order, {1: "60", 2: "10"})
    assert order.status == "in_production"
    assert totals(order) == [(D(60), D(60), D(0)), (D(10), D(10), D(0))]
    assert planned_ids() == [order.id]

    f.report(order, 2, "packing", "30")
    # Production complete, but 20 of line 2 have not shipped: partly shipped, out of the plan.
    assert order.status == "partly_shipped" and planned_ids() == []
    assert remaining(order) is None

    second = f.ship(order, {2: "20"})
    assert order.status == "shipped"
    assert totals(order) == [(D(60), D(60), D(0)), (D(30), D(30), D(0))]
    f.receive(order, second)
    # Line 2's second 20 are signed for, the first shipment is not: still shipped.
    assert order.status == "shipped" and closeout.closeout_of(order.id) is None
    assert totals(order) == [(D(60), D(60), D(0)), (D(30), D(30), D(20))]
    f.receive(order, first)
    assert order.status == "delivered"
    assert totals(order) == [(D(60), D(60), D(60)), (D(30), D(30), D(30))]

    # Line 1: revenue 60 x 20 = 1200.00; planned 60 x 12.3456 = 740.736 -> 740.74; material
    # 400.00 + labour 3 h x 40 = 120.00 + machine 2 h x 25 = 50.00 + other 0 = 570.00.
    # Line 2: revenue 30 x 45 = 1350.00; planned 30 x 30.00 = 900.00; material 500.00 +
    # labour 12.5 h x 40 = 500.00 + machine 10 h x 25 = 250.00 + other 25.50 = 1275.50.
    # Order: revenue 2550.00, planned 1640.74, actual 1845.50, margin 704.50
    # = 27.6274... % -> 27.63 %: the finance head alone.
    f.cost(order, ("400", "3", "2", "0"), ("500", "12.5", "10", "25.50"))
    c, lines = figures(order)
    assert lines == [
        (D("1200.00"), D("740.74"), D("120.00"), D("50.00"), D("570.00")),
        (D("1350.00"), D("900.00"), D("500.00"), D("250.00"), D("1275.50")),
    ]
    assert [r.revenue - r.actual_cost for r in sorted(c.lines, key=lambda r: r.position)] == [
        D("630.00"),
        D("74.50"),
    ]
    assert (c.revenue, c.planned_cost, c.actual_cost) == (
        D("2550.00"),
        D("1640.74"),
        D("1845.50"),
    )
    assert (c.margin, c.margin_pct, c.needs_gm) == (D("704.50"), D("27.63"), False)
    f.approve(order, "closeout_approval_finance", f.finance_head)
    assert open_task(order, "closeout_approval_gm") is None
    assert order.status == "closed"
    assert remaining(order) is None and planned_ids() == []
    # P-100: 570.00 / 60 = 9.5 a unit, 630.00 / 1200.00 = 52.50 %; P-200: 1275.50 / 30 =
    # 42.51666... -> 42.5167, 74.50 / 1350.00 = 5.5185... % -> 5.52 %.
    assert learned(f.p100) == (1, D(60), D("9.5"), D("9.5"), D("52.50"))
    assert learned(f.p200) == (1, D(30), D("42.5167"), D("42.5167"), D("5.52"))
    # The order page shows the closed order with its shipments and close-out figures.
    login(f.finance_head)
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/orders/{order.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for shown in (order.number, "Closed", "1,845.50", "704.50", "27.63", "-D1", "-D2"):
        assert shown in text, shown

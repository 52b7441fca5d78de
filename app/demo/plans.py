"""Demo plan, progress and shipping: released orders on the schedule, reported and shipped."""

import io
from datetime import timedelta
from decimal import Decimal

from flask import current_app
from werkzeug.datastructures import FileStorage

from app.core import clock
from app.core.users.models import User
from app.demo.orders import confirm_and_meet, confirm_intake, review
from app.demo.people import user_named
from app.extensions import db
from app.modules.orders.models import Customer, Order, Product, ProductionLine, ProductLineRate
from app.modules.orders.services import orders
from app.modules.orders.services.orders import LineInput, OrderInput


def lines_and_rates() -> None:
    """Add the demo production lines and a rate on L2 for every product that has none."""
    for code, name in (("L1", "SMT 线 1 / SMT line 1"), ("L2", "装配线 2 / Assembly line 2")):
        if (
            db.session.scalar(db.select(ProductionLine.id).where(ProductionLine.code == code))
            is None
        ):
            db.session.add(ProductionLine(code=code, name=name))
    db.session.flush()
    line = db.session.scalar(db.select(ProductionLine).where(ProductionLine.code == "L2"))
    for product in db.session.scalars(db.select(Product)):
        if not product.rates:
            product.rates.append(ProductLineRate(line=line, hours_per_unit=Decimal("0.25")))
    db.session.flush()


# Released standard orders for the production schedule: (customer, product, quantity, days
# from today to the promised date). At 0.25 h a unit on L2 (16 h a day) they fill about a month.
PLAN_EXAMPLES = (
    (1, 0, 300, 14),
    (2, 1, 400, 21),
    (0, 2, 200, 24),
    (1, 1, 600, 45),
    (0, 0, 120, 10),
    (2, 2, 80, 12),
    (2, 0, 60, 8),
)
# Production progress on them (docs/FULFILMENT.md): (step, total done, note) per example; the
# first is made in full (production complete, with the warehouse), the last not started.
PROGRESS_EXAMPLES = (
    (("cutting", "120", "首批下料 first batch cut"), ("packing", "300", "全部包装完成 all packed")),
    (("assembly", "180", "装配过半 assembly under way"),),
    (("cutting", "40", ""),),
    (),
    (("packing", "120", "全部包装完成 all packed"),),
    (("packing", "80", "全部包装完成 all packed"),),
    (("packing", "60", "全部包装完成 all packed"),),
)
# Shipments of the last three (docs/SHIPPING.md): (quantity, carrier, tracking number, received)
# per shipment; the first is delivered, the second partly shipped, the third delivered and then
# closed out by finance (so the demo has an order in every state after release).
SHIPPING_EXAMPLES = (
    ((70, "顺丰速运 SF Express", "SF1402238811", True), (50, "德邦 Deppon", "DP88230417", True)),
    ((30, "自有车辆 own truck", "", False),),
    ((60, "顺丰速运 SF Express", "SF1402239907", True),),
)


def plan_examples(customers: list[Customer], products: list[Product], sales: User) -> None:
    """Enter and release the standard orders of the schedule, then report and ship on them."""
    today = clock.today()
    made = []
    for customer, product, quantity, days in PLAN_EXAMPLES:
        promised = (today + timedelta(days=days)).isoformat()
        order = orders.create_order(
            sales,
            OrderInput(
                customer_id=str(customers[customer].id),
                customer_po=f"PO-{customers[customer].id}-{quantity}",
                order_type="new",
                requested_date=promised,
                promised_date=promised,
                lines=[
                    LineInput(
                        product_id=str(products[product].id),
                        quantity=str(quantity),
                        unit_price="120",
                    )
                ],
            ),
        )
        confirm_intake(order, "new", "按目录规格 Catalogue spec")
        review(order)
        confirm_and_meet(order, sales)
        made.append(order)
    _progress_examples(made)
    _shipping_examples(made[-len(SHIPPING_EXAMPLES) :])


def _progress_examples(made: list[Order]) -> None:
    """Production reports on the released examples: in production, and production complete."""
    from app.modules.fulfilment.services import reporting

    reporter = user_named("production.member")
    for order, reports in zip(made, PROGRESS_EXAMPLES, strict=True):
        for step, quantity, note in reports:
            reporting.report(reporter, order.lines[0].id, step, quantity, note)
            db.session.flush()


def _shipping_examples(made: list[Order]) -> None:
    """The warehouse ships made goods; sales files the customer's signed delivery notes (here the
    delivery note itself stands in for the signed scan)."""
    from app.modules.shipping.services import note, shipping

    keeper, sales = user_named("warehouse.member"), user_named("sales.member")
    today = clock.today().isoformat()
    for order, shipments in zip(made, SHIPPING_EXAMPLES, strict=True):
        line = order.lines[0]
        for quantity, carrier, tracking, received in shipments:
            typed = {line.id: str(quantity)}
            sent = shipping.record_shipment(keeper, order.id, typed, carrier, tracking, today, "")
            db.session.flush()
            if received:
                scan = note.note_pdf(sent, current_app.config["TIMEZONE"])
                upload = FileStorage(
                    io.BytesIO(scan), filename=f"{sent.number}.pdf", content_type="application/pdf"
                )
                shipping.record_receipt(sales, sent.id, upload, "王建国", today)
                db.session.flush()

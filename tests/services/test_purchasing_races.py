"""Two orders released at the same moment never reserve the same units (PostgreSQL row locks on
the component's balance row, docs/PURCHASING.md)."""

from decimal import Decimal

import pytest

from app.extensions import db
from app.modules.orders.models import Order, Product
from app.modules.orders.services.order_input import LineInput
from app.modules.purchasing.models import PurchaseRequest, Requirement, StockBalance
from app.modules.purchasing.services import components, requirements, stock
from app.modules.purchasing.services.components import ComponentInput
from tests.races import run_together
from tests.reliability import scale

pytestmark = [pytest.mark.postgres, pytest.mark.reliability]


def test_two_orders_released_at_once_share_free_stock_without_overlap(app, make_user, make_order):
    engineer, keeper = make_user("engineering"), make_user("warehouse")
    for round_ in range(scale(3, 30)):
        # A component of its own each round: waiting orders of earlier rounds come first.
        code = f"C-R{round_}"
        component = components.create_component(engineer, ComponentInput(code, "Sheet", "kg"))
        product = Product(code=f"P-R{round_}", name="Part", unit="pcs")
        db.session.add(product)
        db.session.flush()
        components.set_product_bom(engineer, product.id, [(str(component.id), "1")])
        stock.adjust(keeper, component.id, "10", "count", unit_cost="1")
        orders = []
        for _ in range(2):
            line = LineInput(product_id=str(product.id), quantity="10", unit_price="1")
            order = make_order(lines=[line], order_type="regular", promised_date="2027-03-05")
            order.status = "released"
            orders.append(order.id)
        db.session.commit()
        outcomes = run_together(
            app,
            [
                lambda oid=oid: requirements.compute_for_order(db.session.get(Order, oid))
                for oid in orders
            ],
        )
        assert [o for o, _r in outcomes] == ["ok", "ok"]
        db.session.expire_all()
        reserved = db.session.scalars(
            db.select(Requirement.reserved)
            .where(Requirement.order_id.in_(orders))
            .order_by(Requirement.reserved)
        ).all()
        assert reserved == [Decimal(0), Decimal(10)]  # one got all 10, never both
        requested = db.session.scalars(
            db.select(PurchaseRequest.quantity)
            .where(PurchaseRequest.order_id.in_(orders))
            .order_by(PurchaseRequest.id)
        ).all()
        assert requested == [Decimal(10)]
        balance = db.session.get(StockBalance, component.id)
        assert balance.reserved == balance.on_hand
        assert list(stock.ledger_problems()) == []

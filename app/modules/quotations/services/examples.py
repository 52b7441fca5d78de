"""Demo data for quotations (`flask seed-demo`): one quotation sent to the customer and one
priced below the minimum margin, waiting for the sales head's approval."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from app.core import clock
from app.core.users.models import User
from app.extensions import db
from app.modules.orders.models import Customer, Product
from app.modules.orders.services.order_input import LineInput
from app.modules.quotations.models import Quotation
from app.modules.quotations.services import approval, pricing, quotations, sending

CUSTOMER = "深圳恒通电子"
# Product, quantity, price as a multiple of its cost basis, payment terms: 1.6 x cost leaves a
# 37.5 % margin or more (sent directly, at no less than the customer's past prices); 1.02 x cost
# leaves 1.96 % (flagged: the sales head and the general manager approve).
EXAMPLES = (
    ("P-1001", "200", Decimal("1.6"), "月结 30 天"),
    ("P-2001", "50", Decimal("1.02"), "预付 30%，发货前付清"),
)


def seed(sales: User) -> int:
    """The two example quotations, unless any quotation exists; returns how many were added."""
    if db.session.scalar(db.select(Quotation.id).limit(1)) is not None:
        return 0
    customer = db.session.scalar(db.select(Customer).where(Customer.name == CUSTOMER))
    if customer is None:
        return 0
    valid = (clock.today() + timedelta(days=30)).isoformat()
    added = 0
    for code, quantity, factor, terms in EXAMPLES:
        product = db.session.scalar(db.select(Product).where(Product.code == code))
        if product is None:
            continue
        cost = pricing.cost_basis(product).unit_cost or Decimal(1)
        price = (cost * factor).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if factor > Decimal("1.5"):  # the example to send: not below what this customer paid before
            price = max([price, *pricing.past_prices(customer.id, product.id, "CNY")])
        line = LineInput(product_id=str(product.id), quantity=quantity, unit_price=f"{price}")
        data = quotations.QuotationInput(str(customer.id), "CNY", terms, valid, "", [line])
        found = quotations.create_quotation(sales, data)
        if found.flagged:
            approval.request_approval(sales, found.id)
        else:
            sending.send_quotation(sales, found.id)
        added += 1
    return added

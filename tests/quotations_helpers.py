"""A small world for quotation tests: a customer, catalogue products, sales people, and a
helper that writes a quotation through the service the editor uses."""

from datetime import timedelta
from decimal import Decimal

from app.core import clock
from app.extensions import db
from app.modules.orders.models import Customer, Product
from app.modules.orders.services.order_input import LineInput
from app.modules.quotations.services import quotations
from tests.answers import SPECS


class QuoteWorld:
    """Customer "Huadong", products Q-100 (standard cost 80) and Q-200 (standard cost 12)."""

    def __init__(self, make_user):
        self.make_user = make_user
        self.customer = Customer(name="Huadong", contact="Wang", email="buyer@huadong.example")
        self.p100 = Product(code="Q-100", name="Gear box", standard_cost=Decimal("80"))
        self.p200 = Product(code="Q-200", name="Bracket", standard_cost=Decimal("12"))
        db.session.add_all([self.customer, self.p100, self.p200])
        db.session.commit()
        self.sales = make_user("sales")
        self.sales_head = make_user("sales", role="head")

    def data(self, *lines: LineInput, **header) -> quotations.QuotationInput:
        """A typed quotation for the customer, valid for 30 days unless told."""
        valid = header.pop("valid_until", (clock.today() + timedelta(days=30)).isoformat())
        return quotations.QuotationInput(
            customer_id=str(header.pop("customer_id", self.customer.id)),
            currency=header.pop("currency", "CNY"),
            payment_terms=header.pop("payment_terms", "30 days net"),
            valid_until=valid,
            lines=list(lines),
            **header,
        )

    def line(self, product: Product | None, quantity: str, price: str) -> LineInput:
        """A catalogue line, or a non-standard item (product None) with its specification."""
        if product is None:
            return LineInput(
                description="Custom frame", quantity=quantity, unit_price=price, specs=dict(SPECS)
            )
        return LineInput(product_id=str(product.id), quantity=quantity, unit_price=price)

    def quote(self, *lines: LineInput, actor=None, **header):
        """A stored quotation (committed)."""
        found = quotations.create_quotation(actor or self.sales, self.data(*lines, **header))
        db.session.commit()
        return found

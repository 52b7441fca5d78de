"""A list's customer filter as a text field with suggestions (the order list's, the returns' and
the quotations'): a dropdown of every customer grew with the customers (issue 14)."""

from dataclasses import dataclass

from app.modules.orders.models import Customer
from app.modules.orders.services import orders


@dataclass(frozen=True)
class CustomerFilter:
    customer: Customer | None  # the customer the field names, if any
    value: str  # what the field shows
    unknown: bool  # text that names no customer: the list shows nothing and says so
    options: list[Customer]  # the first suggestions the page carries

    @property
    def customer_id(self) -> int | None:
        """The named customer's id (None: no customer asked for)."""
        return self.customer.id if self.customer else None


def read(text: str | None) -> CustomerFilter:
    """The filter the field's text (a name, or an id from an older bookmark) asks for."""
    text = (text or "").strip()
    customer = orders.customer_named(text)
    value = customer.name if customer else text
    return CustomerFilter(
        customer, value, bool(text) and customer is None, orders.customer_suggestions(value)
    )

"""The order form's values: reading a posted form into an OrderInput, filling it from an order.

The entry, revision and change-request pages share this form (lines as `lines-<row>-<field>`).
"""

import re
from collections.abc import Mapping
from typing import Any

from app import limits
from app.modules.orders.labels import SPEC_LABELS
from app.modules.orders.models import ORDER_TYPES, SPEC_FIELDS, Order
from app.modules.orders.services import orders
from app.modules.orders.services.order_input import CURRENCIES, LineInput, OrderInput

BLANK_ROWS = 3  # rows a new order starts with; the page adds and removes rows
_LINE_KEY = re.compile(r"lines-(\d{1,6})-")


def line_rows(values: Mapping[str, Any]) -> list[int]:
    """The row numbers present in the form's values (posted or of the order), in order."""
    rows = set()
    for key in values.keys():
        match = _LINE_KEY.match(key)
        if match:
            rows.add(int(match.group(1)))
    return sorted(rows)


def order_input(form: Mapping[str, Any]) -> OrderInput:
    """The order as posted: header fields and one LineInput per row present."""
    lines = [
        LineInput(
            product_id=form.get(f"lines-{i}-product_id", ""),
            description=form.get(f"lines-{i}-description", ""),
            quantity=form.get(f"lines-{i}-quantity", ""),
            unit_price=form.get(f"lines-{i}-unit_price", ""),
            specs={key: form.get(f"lines-{i}-{key}", "") for key in SPEC_FIELDS},
            row=i,
        )
        for i in line_rows(form)
    ]
    return OrderInput(
        customer_id=form.get("customer_id", ""),
        customer_po=form.get("customer_po", ""),
        order_type=form.get("order_type", ""),
        requested_date=form.get("requested_date", ""),
        promised_date=form.get("promised_date", ""),
        currency=form.get("currency", "CNY"),
        notes=form.get("notes", ""),
        lines=lines,
    )


def form_context(values: Mapping[str, Any], errors: dict[str, str]) -> dict:
    """What the order form template needs: values, errors, choices and the line rows."""
    rows = line_rows(values) or list(range(BLANK_ROWS))
    return {
        "values": values,
        "errors": errors,
        "types": ORDER_TYPES,
        "currencies": CURRENCIES,
        "customers": orders.customers(),
        "products": orders.products(),
        "line_rows": rows,
        "next_row": rows[-1] + 1,
        "bounds": limits.bounds(),
        "spec_labels": list(SPEC_LABELS.items()),
    }


def values_of(order: Order) -> dict[str, str]:
    """The order's current data as form values, to prefill a revision or a change request."""
    values = {
        "customer_id": str(order.customer_id),
        "customer_po": order.customer_po,
        "order_type": order.order_type,
        "currency": order.currency,
        "notes": order.notes,
        "requested_date": order.requested_date.isoformat() if order.requested_date else "",
        "promised_date": order.promised_date.isoformat() if order.promised_date else "",
    }
    return {**values, **line_values(order.lines)}


def line_values(lines) -> dict[str, str]:
    """Lines (an order's, or a quotation's with the same fields) as the form's row values."""
    values = {}
    for i, line in enumerate(lines):
        p = f"lines-{i}-"
        values.update(
            {
                p + "product_id": str(line.product_id or ""),
                p + "description": line.description,
                p + "quantity": f"{line.quantity.normalize():f}",
                p + "unit_price": f"{line.unit_price.normalize():f}",
            }
        )
        values.update({p + k: getattr(line, k) for k in SPEC_FIELDS})
    return values

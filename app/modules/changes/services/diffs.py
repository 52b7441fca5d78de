"""Comparing a change's draft with the order as it is: the draft's snapshot, the row-by-row
diff a reviewer reads, and the flags that route the change (value, delivery, process)."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from app.errors import InvalidInput
from app.modules.orders.models import HEADER_FIELDS, LINE_FIELDS, Order
from app.modules.orders.services import revisions
from app.modules.orders.services.order_input import OrderInput, check_order


def draft_snapshot(order: Order, data: OrderInput) -> tuple[dict, Decimal]:
    """The order as the draft would make it (a snapshot) and its new total; checks the draft."""
    checked, errors = check_order(data)
    if errors:
        raise InvalidInput(errors=errors)
    # The order as it would become, in the shape snapshot() reads, without touching the order.
    shadow = SimpleNamespace(
        number=order.number,
        customer_id=checked.customer.id,
        lines=checked.lines,
        **{name: getattr(checked, name) for name in HEADER_FIELDS},
    )
    total = sum((line.quantity * line.unit_price for line in checked.lines), Decimal(0))
    return revisions.snapshot(shadow), total


# A snapshot's line names its catalogue product beside what sales typed.
DIFF_LINE_FIELDS = ("product", *LINE_FIELDS)


def diff(old: dict, new: dict) -> list[dict]:
    """Field-by-field differences between two order snapshots (lines matched by position)."""
    rows = []
    for name in HEADER_FIELDS:
        a, b = old.get(name), new.get(name)
        if name == "customer":
            a, b = (a or {}).get("name"), (b or {}).get("name")
        if a != b:
            rows.append({"field": name, "line": None, "old": a, "new": b})
    old_lines = {line["position"]: line for line in old["lines"]}
    new_lines = {line["position"]: line for line in new["lines"]}
    for position in sorted(old_lines.keys() | new_lines.keys()):
        a, b = old_lines.get(position), new_lines.get(position)
        if a is None or b is None:
            rows.append(
                {
                    "field": "line_added" if a is None else "line_removed",
                    "line": position,
                    "old": None if a is None else a.get("description") or a.get("product"),
                    "new": None if b is None else b.get("description") or b.get("product"),
                }
            )
            continue
        for name in DIFF_LINE_FIELDS:
            if (a.get(name) or "") != (b.get(name) or ""):
                rows.append(
                    {"field": name, "line": position, "old": a.get(name), "new": b.get(name)}
                )
    return rows


def flags(rows: list[dict], old_total: Decimal, new_total: Decimal, old: dict, new: dict) -> dict:
    fields = {row["field"] for row in rows}
    shift = 0
    for name in ("requested_date", "promised_date"):
        if old.get(name) and new.get(name):
            shift = max(
                shift, abs((date.fromisoformat(new[name]) - date.fromisoformat(old[name])).days)
            )
    delta = abs(new_total - old_total)
    return {
        "quantity": "quantity" in fields,
        "delivery_date": bool(fields & {"requested_date", "promised_date"}),
        "process": "process_requirements" in fields,
        "packaging": bool(fields & {"packaging_requirements", "packaging_materials"}),
        "lines": bool(fields & {"line_added", "line_removed", "product"}),
        "value_delta": float(delta),
        "value_delta_pct": float(delta / old_total * 100) if old_total else 100.0,
        "date_shift_days": shift,
    }

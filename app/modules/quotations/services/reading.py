"""What the quotation pages read: the list (filtered, paged), the form's values, a preview of
the figures while sales types, and the revisions as they stood."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app import limits
from app.core import paging
from app.extensions import db
from app.limits import record_id
from app.modules.orders.labels import SPEC_LABELS
from app.modules.orders.models import Product
from app.modules.orders.services import order_form, orders
from app.modules.orders.services.order_input import CURRENCIES
from app.modules.quotations.models import STATUSES, Quotation, QuotationLine, QuotationRevision
from app.modules.quotations.services import pricing
from app.modules.quotations.services.quotations import QuotationInput

# Quotations on one page of the list (a numbered pager, the total counted, issue 14).
PAGE_SIZE = 25


def list_quotations(
    status: str = "", customer_id: int | None = None, page: int | None = None
) -> paging.Listed[Quotation]:
    """Quotations, newest first, of one status and/or customer, PAGE_SIZE a page, counted."""
    where = []
    if status in STATUSES:
        where.append(Quotation.status == status)
    if customer_id:
        where.append(Quotation.customer_id == customer_id)
    return paging.newest(Quotation, where, PAGE_SIZE, page, db.joinedload(Quotation.customer))


def quotation_input(form: Mapping[str, Any]) -> QuotationInput:
    """The quotation as posted: header fields and one LineInput per row present."""
    lines = order_form.order_input(form).lines  # the same line rows as the order form
    return QuotationInput(
        customer_id=form.get("customer_id", ""),
        currency=form.get("currency", "CNY"),
        payment_terms=form.get("payment_terms", ""),
        valid_until=form.get("valid_until", ""),
        notes=form.get("notes", ""),
        lines=lines,
    )


def values_of(quotation: Quotation) -> dict[str, str]:
    """The quotation's current data as form values, to prefill the editor."""
    values = {
        "customer_id": str(quotation.customer_id),
        "currency": quotation.currency,
        "payment_terms": quotation.payment_terms,
        "valid_until": quotation.valid_until.isoformat(),
        "notes": quotation.notes,
    }
    return {**values, **order_form.line_values(quotation.lines)}


def form_context(values: Mapping[str, Any], errors: dict[str, str]) -> dict:
    """What the editor template needs: values, errors, choices and the line rows."""
    rows = order_form.line_rows(values) or list(range(order_form.BLANK_ROWS))
    return {
        "values": values,
        "errors": errors,
        "currencies": CURRENCIES,
        "customers": orders.customers(),
        "products": orders.products(),
        "line_rows": rows,
        "next_row": rows[-1] + 1,
        "bounds": limits.bounds(),
        "spec_labels": list(SPEC_LABELS.items()),
    }


@dataclass(frozen=True)
class PreviewLine:
    """One typed row with its figures (None where the row cannot be priced yet)."""

    row: int
    position: int
    label: str
    unit_price: Decimal | None
    figures: pricing.LineFigures | None


def preview(form: Mapping[str, Any]) -> list[PreviewLine]:
    """The cost basis, margin and flags of every typed row, as the editor recomputes them."""
    data = quotation_input(form)
    customer_id = record_id(data.customer_id)
    rules = pricing.rules()
    result = []
    typed = [line for line in data.lines if not line.is_blank()]
    for position, line in enumerate(typed, start=1):
        product_id = record_id(line.product_id)
        product = db.session.get(Product, product_id) if product_id else None
        errors: dict[str, str] = {}
        price = limits.parse_number(line.unit_price or "0", "price", errors, "price")
        label = f"{product.code} {product.name}" if product else line.description
        found = None
        if price is not None and data.currency in CURRENCIES:
            found = pricing.figures(customer_id, data.currency, product, price, rules)
        result.append(PreviewLine(line.row, position, label, price, found))
    return result


@dataclass(frozen=True)
class ShownRevision:
    """A revision as it stood, read back from its stored content."""

    number: int
    created_at: Any
    created_by: str
    reason: str
    sent_at: Any
    content: dict


def revisions(quotation: Quotation) -> list[ShownRevision]:
    """Every revision of the quotation, newest first."""
    shown = []
    for revision in reversed(quotation.revisions):
        try:
            content = json.loads(revision.content)
        except ValueError:
            content = {}
        shown.append(
            ShownRevision(
                revision.number,
                revision.created_at,
                revision.created_by.display_name if revision.created_by else "",
                revision.reason,
                revision.sent_at,
                content,
            )
        )
    return shown


def line_flags(line: QuotationLine) -> list[str]:
    """Why a stored line is flagged, in the reader's language."""
    return [pricing.flag_text(flag) for flag in pricing.stored_flags(line.flags)]


def revision_of(quotation: Quotation, number: int) -> QuotationRevision | None:
    """One revision by number."""
    return next((r for r in quotation.revisions if r.number == number), None)

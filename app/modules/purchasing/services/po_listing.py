"""The purchase-order list a page at a time (issue 14): newest first, of one status and/or
matching a number or supplier, with how many match in all. The list used to show the newest 100
and reach no further, one supplier read per row."""

from app.core import paging
from app.extensions import db
from app.modules.purchasing.models import PurchaseOrder, Supplier
from app.modules.purchasing.services.buying import STATUS_LABELS

PAGE_SIZE = 50


def list_purchase_orders(
    status: str = "", query: str = "", page: int | None = None
) -> paging.Listed[PurchaseOrder]:
    """One page of purchase orders, newest first, of `status` (if known), whose number or
    supplier contains `query`, with their count."""
    where = []
    if status in STATUS_LABELS:
        where.append(PurchaseOrder.status == status)
    if query:
        pattern = paging.contains(query)
        where.append(
            PurchaseOrder.number.ilike(pattern, escape="\\")
            | PurchaseOrder.supplier_id.in_(
                db.select(Supplier.id).where(
                    Supplier.name.ilike(pattern, escape="\\")
                    | Supplier.code.ilike(pattern, escape="\\")
                )
            )
        )
    supplier = db.joinedload(PurchaseOrder.supplier)
    return paging.newest(PurchaseOrder, where, PAGE_SIZE, page, supplier)

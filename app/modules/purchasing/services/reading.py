"""What the purchasing pages read: a purchase order's page, a supplier's form, an order's
materials section."""

from dataclasses import dataclass
from decimal import Decimal

from app.core.users import permissions
from app.errors import NotFound
from app.extensions import db
from app.modules.purchasing.models import (
    Component,
    PurchaseOrder,
    PurchaseRequest,
    Receipt,
    Requirement,
    Supplier,
)
from app.modules.purchasing.services import buying, late, readiness, receiving, requirements


def supplier_values(supplier: Supplier) -> dict:
    """The supplier form's values."""
    values = {
        name: getattr(supplier, name) for name in ("code", "name", "contact", "phone", "email")
    }
    values["is_active"] = "1" if supplier.is_active else ""
    return values


def components_of(requests: list[PurchaseRequest]) -> list[Component]:
    """The components these requests ask for, by code."""
    found = {r.component.id: r.component for r in requests}
    return sorted(found.values(), key=lambda c: c.code)


def po_id_of_receipt(receipt_id: int) -> int:
    """The purchase order a receipt belongs to, or NotFound."""
    receipt = db.session.get(Receipt, receipt_id)
    if receipt is None:
        raise NotFound()
    return receipt.po_line.purchase_order_id


def po_page(po: PurchaseOrder, viewer) -> dict:
    """Everything the purchase order page shows, by who may see and do what."""
    return {
        "po": po,
        "labels": buying.STATUS_LABELS,
        "receipts": receiving.receipts_of(po),
        "requests": buying.requests_of(po),
        "receivable": po.status in receiving.RECEIVABLE,
        "may_receive": permissions.may_move_stock(viewer),
        "may_inspect": permissions.may_inspect_material(viewer),
        "may_buy": permissions.may_purchase(viewer),
        "may_see_prices": permissions.may_see_purchase_prices(viewer),
    }


@dataclass(frozen=True)
class MaterialsView:
    """An order's materials as its page shows them."""

    requirements: list[Requirement]
    status: object  # the schedule's MaterialStatus from purchasing's source
    late: list[late.LateLine]
    issuable: bool  # something reserved is not issued yet

    @property
    def shortage(self) -> Decimal:
        """What is still short over all requirements."""
        return sum((r.shortage for r in self.requirements), Decimal(0))


def materials_of(order_id: int) -> MaterialsView | None:
    """The order's materials section, or None when it has no requirements."""
    found = requirements.requirements_of(order_id)
    if not found:
        return None
    status = readiness.statuses([order_id]).get(order_id)
    return MaterialsView(
        requirements=found,
        status=status,
        late=late.late_for_order(order_id),
        issuable=any(r.reserved > r.issued for r in found),
    )

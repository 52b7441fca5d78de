"""Filling the confirmation sheet (订单确认书) from an order's current revision."""

from flask_babel import gettext as _

from app.core.clock import utcnow
from app.core.users.models import User
from app.errors import DomainError
from app.modules.confirmations.services import confirmations
from app.modules.orders.models import Order
from app.modules.orders.services import access, reviews, revisions
from app.pdf.amounts import AmountOutOfRange
from app.pdf.confirmation import (
    ConfirmationSheet,
    SheetCondition,
    SheetLine,
    render_confirmation_pdf,
)

COMPANY = "OrderGate 示范工厂 Demo Factory"
SPEC_LABELS = {
    "structure_function": "产品结构和功能 Structure & function",
    "dimensions_performance": "尺寸和性能 Dimensions & performance",
    "technical_requirements": "技术要求 Technical requirements",
    "process_requirements": "工艺要求 Process requirements",
    "quality_requirements": "质量要求 Quality requirements",
    "packaging_requirements": "包装要求 Packaging requirements",
    "packaging_materials": "包装材料 Packaging materials",
}


def build_sheet(order: Order, confirm_url: str | None) -> ConfirmationSheet:
    """The sheet of the order as it stands, with the reviews' conditions and any signature."""
    revision = revisions.current_revision(order)
    lines = [
        SheetLine(
            position=line.position,
            code=line.product.code if line.product else "非标 Non-std",
            description=line.product.name
            if line.product and not line.description
            else line.description,
            quantity=line.quantity,
            unit=line.product.unit if line.product else "pcs",
            unit_price=line.unit_price,
            amount=line.amount,
            specs={}
            if line.product
            else {
                label: getattr(line, key)
                for key, label in SPEC_LABELS.items()
                if getattr(line, key)
            },
        )
        for line in order.lines
    ]
    signed = [c for c in confirmations.confirmations_of(order) if c.revision == order.revision]
    last = signed[-1] if signed else None
    return ConfirmationSheet(
        company=COMPANY,
        order_number=order.number,
        revision=order.revision,
        revision_hash=revision.content_hash if revision else "",
        customer_name=order.customer.name,
        customer_contact=order.customer.contact,
        customer_address=order.customer.address,
        customer_po=order.customer_po,
        order_type=order.order_type,
        requested_date=order.requested_date,
        promised_date=order.promised_date,
        currency=order.currency,
        lines=lines,
        total=order.total,
        conditions=[
            SheetCondition(f"{a.department_zh} {a.department}", a.conditions)
            for a in reviews.conditions(order)
        ],
        notes=order.notes,
        confirm_url=None if last else confirm_url,
        generated_at=utcnow(),
        signed_by=last.signer_name if last else None,
        signed_at=last.at if last else None,
        signed_ip=last.ip if last else None,
    )


def sheet_pdf(order: Order, confirm_url: str | None, tz: str) -> bytes:
    """The PDF bytes of the order's confirmation sheet."""
    try:
        return render_confirmation_pdf(build_sheet(order, confirm_url), tz)
    except AmountOutOfRange as exc:  # only rows stored before the bounds existed get here
        raise DomainError(
            _(
                "The order total %(total)s is too large to be written in words on the "
                "confirmation sheet; correct the order's quantities or prices.",
                total=f"{order.total:,.2f}",
            )
        ) from exc


def staff_sheet_pdf(viewer: User, order: Order, confirm_url: str | None, tz: str, ip: str) -> bytes:
    """The sheet for a staff reader: it carries prices, so other readers get 403 (audited)."""
    access.require_prices(viewer, order, "confirmation_sheet", ip)
    return sheet_pdf(order, confirm_url, tz)

"""The delivery note (送货单) of a shipment, as the PDF library draws it (docs/PDF.md)."""

from decimal import Decimal

from app.core.clock import utcnow
from app.modules.shipping.models import Shipment
from app.modules.shipping.services import reading
from app.pdf import DeliveryNote, NoteLine, render_delivery_note_pdf

COMPANY = "OrderGate 示范工厂 Demo Factory"


def build_note(shipment: Shipment) -> DeliveryNote:
    """The note's data: the shipment's lines with what shipped up to and including it."""
    order = shipment.order
    earlier = [s for s in reading.shipments_of(order) if s.sequence <= shipment.sequence]
    to_date: dict[int, Decimal] = {}
    for item in earlier:
        for row in item.lines:
            to_date[row.order_line_id] = to_date.get(row.order_line_id, Decimal(0)) + row.quantity
    lines = [
        NoteLine(
            position=row.order_line.position,
            code=row.order_line.product.code if row.order_line.product else "非标 Non-std",
            description=row.order_line.description,
            unit=row.order_line.product.unit if row.order_line.product else "pcs",
            ordered=row.order_line.quantity,
            shipped_now=row.quantity,
            shipped_to_date=to_date[row.order_line_id],
        )
        for row in sorted(shipment.lines, key=lambda r: r.order_line.position)
    ]
    return DeliveryNote(
        company=COMPANY,
        note_number=shipment.number,
        order_number=order.number,
        customer_name=order.customer.name,
        customer_contact=order.customer.contact,
        customer_address=order.customer.address,
        customer_po=order.customer_po,
        ship_date=shipment.ship_date,
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        note=shipment.note,
        lines=lines,
        generated_at=utcnow(),
        received_on=shipment.received_on,
        receipt_signer=shipment.receipt_signer,
    )


def note_pdf(shipment: Shipment, tz: str) -> bytes:
    """The delivery note as PDF bytes."""
    return render_delivery_note_pdf(build_note(shipment), tz=tz)

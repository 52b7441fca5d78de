"""The delivery note (送货单) of one shipment, rendered as a bilingual A4 PDF.

Like the confirmation sheet (docs/PDF.md) it takes plain data, prints every label in Chinese and
English whatever the reader's language, and ends with blank lines for the customer's signature
(签收): the signed paper is what the warehouse or sales uploads as the customer's receipt.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app.pdf.blocks import WIDTH, head_row, heading, no_padding, pairs, section
from app.pdf.document import item_table, render, title_block
from app.pdf.signature import blank_signature
from app.pdf.styles import Styles, bilingual, day, moment, text
from app.pdf.styles import quantity as qty

# Position, code, description, unit, ordered, this shipment, shipped so far; None takes the rest.
LINE_COLUMNS = (9 * mm, 25 * mm, None, 14 * mm, 20 * mm, 22 * mm, 22 * mm)
LINE_HEADS = [
    ("序号", "No."),
    ("编码", "Code"),
    ("品名 / 描述", "Description"),
    ("单位", "Unit"),
    ("订购数量", "Ordered"),
    ("本次发货", "This shipment"),
    ("累计发货", "Shipped to date"),
]


@dataclass(frozen=True)
class NoteLine:
    """One order line on the note: what was ordered, what this shipment carries, and the total
    shipped so far (this shipment included)."""

    position: int
    code: str
    description: str
    unit: str
    ordered: Decimal
    shipped_now: Decimal
    shipped_to_date: Decimal


@dataclass(frozen=True, kw_only=True)
class DeliveryNote:
    """Everything printed on the note, already resolved to display strings and numbers."""

    company: str
    note_number: str
    order_number: str
    customer_name: str
    customer_contact: str = ""
    customer_address: str = ""
    customer_po: str = ""
    ship_date: date
    carrier: str
    tracking_number: str = ""
    note: str = ""
    lines: list[NoteLine] = field(default_factory=list)
    generated_at: datetime
    received_on: date | None = None
    receipt_signer: str = ""


def render_delivery_note_pdf(note: DeliveryNote, tz: str = "Asia/Shanghai") -> bytes:
    """Render the note as an A4 PDF; the generation time is shown in the zone named by `tz`."""
    ZoneInfo(tz)  # an unknown zone fails here; a naive time fails in the footer, before drawing
    return render(
        (
            f"送货单 Delivery Note {note.note_number}",
            note.company,
            f"{note.order_number} / {note.note_number}",
        ),
        (
            f"送货单号 Note No. {note.note_number}  ·  订单号 Order No. {note.order_number}",
            f"生成时间 Generated {moment(note.generated_at, tz)}",
        ),
        lambda s: [*_title(note, s), *_parties(note, s), *_lines(note, s), *_receipt(note, s)],
    )


def _title(note: DeliveryNote, s: Styles) -> list[Flowable]:
    return title_block(
        note.company, ("送货单", "Delivery Note"), ("送货单号", "Note No.", note.note_number), s
    )


def _parties(note: DeliveryNote, s: Styles) -> list[Flowable]:
    half = (WIDTH - 8 * mm) / 2
    customer = [
        ("收货单位", "Consignee", text(note.customer_name)),
        ("联系人", "Contact", text(note.customer_contact)),
        ("地址", "Address", text(note.customer_address)),
        ("客户订单号", "Customer PO", text(note.customer_po)),
    ]
    shipment = [
        ("订单号", "Order No.", text(note.order_number)),
        ("发货日期", "Ship date", day(note.ship_date)),
        ("承运商", "Carrier", text(note.carrier)),
        ("运单号", "Tracking No.", text(note.tracking_number)),
        ("备注", "Note", text(note.note)),
    ]
    table = Table(
        [[pairs(customer, s, half), pairs(shipment, s, half)]], colWidths=[half + 8 * mm, half]
    )
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")] + no_padding()))
    return [table]


def _lines(note: DeliveryNote, s: Styles) -> list[Flowable]:
    rows = [head_row(LINE_HEADS, s, right=(4, 5, 6))]
    for line in note.lines:
        rows.append(
            [
                Paragraph(str(line.position), s.cell),
                Paragraph(text(line.code), s.cell),
                Paragraph(text(line.description), s.cell),
                Paragraph(text(line.unit), s.cell),
                Paragraph(qty(line.ordered), s.cell_right),
                Paragraph(qty(line.shipped_now), s.cell_right),
                Paragraph(qty(line.shipped_to_date), s.cell_right),
            ]
        )
    table = item_table(rows, LINE_COLUMNS)
    return section("发货明细", "Goods shipped", s, [table])


def _receipt(note: DeliveryNote, s: Styles) -> list[Flowable]:
    statement = Paragraph(
        "以上货物已按数量收到，外观完好。<br/>"
        "We have received the goods above in the quantities shown and in good order.",
        s.body,
    )
    if note.received_on is not None:
        record = pairs(
            [
                ("签收人", "Received by", text(note.receipt_signer)),
                ("签收日期", "Received on", day(note.received_on)),
            ],
            s,
            WIDTH / 2 + 20 * mm,
        )
        stamp = Paragraph(bilingual("✔ 客户已签收", "Signed for by the customer"), s.section)
        body = [statement, Spacer(1, 3 * mm), stamp, Spacer(1, 2 * mm), record]
    else:
        body = [statement, Spacer(1, 4 * mm), blank_signature(s)]
    block = [heading("客户签收", "Customer receipt", s), Spacer(1, 3 * mm), *body]
    return [Spacer(1, 5 * mm), KeepTogether(block)]

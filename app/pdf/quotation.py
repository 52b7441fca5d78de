"""The customer quotation (报价单), rendered as a bilingual A4 PDF.

Like the delivery note it takes plain data and prints every label in Chinese and English
whatever the reader's language (docs/PDF.md); the CJK font is embedded. It shows the prices,
payment terms and validity the customer accepts by signing it (客户确认).
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

from app.pdf.amounts import rmb_in_words
from app.pdf.blocks import WIDTH, head_row, heading, no_padding, pairs, section
from app.pdf.document import item_table, render, title_block
from app.pdf.signature import blank_signature
from app.pdf.styles import Styles, bilingual, day, moment, text
from app.pdf.styles import money as amount
from app.pdf.styles import quantity as qty

# Position, code, description, quantity, unit price, amount; None takes the rest.
LINE_COLUMNS = (9 * mm, 25 * mm, None, 20 * mm, 26 * mm, 30 * mm)
LINE_HEADS = [
    ("序号", "No."),
    ("编码", "Code"),
    ("品名 / 规格", "Description"),
    ("数量", "Quantity"),
    ("单价", "Unit price"),
    ("金额", "Amount"),
]


@dataclass(frozen=True)
class QuoteLine:
    """One quoted line; `specs` (printed label -> text) for a non-standard item."""

    position: int
    code: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    specs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class QuotationSheet:
    """Everything printed on the quotation, resolved to display strings and numbers."""

    company: str
    number: str
    revision: int
    customer_name: str
    customer_contact: str = ""
    customer_address: str = ""
    currency: str
    payment_terms: str
    valid_until: date
    notes: str = ""
    total: Decimal
    lines: list[QuoteLine] = field(default_factory=list)
    generated_at: datetime


def render_quotation_pdf(sheet: QuotationSheet, tz: str = "Asia/Shanghai") -> bytes:
    """Render the quotation as an A4 PDF; the generation time is shown in the zone `tz`."""
    ZoneInfo(tz)  # an unknown zone fails here; a naive time fails in the footer, before drawing
    return render(
        (
            f"报价单 Quotation {sheet.number}",
            sheet.company,
            f"{sheet.number} rev. {sheet.revision}",
        ),
        (
            f"报价单号 Quotation No. {sheet.number}  ·  版本 Rev. {sheet.revision}",
            f"生成时间 Generated {moment(sheet.generated_at, tz)}",
        ),
        lambda s: [
            *_title(sheet, s),
            *_parties(sheet, s),
            *_lines(sheet, s),
            *_acceptance(sheet, s),
        ],
    )


def _title(sheet: QuotationSheet, s: Styles) -> list[Flowable]:
    return title_block(
        sheet.company, ("报价单", "Quotation"), ("报价单号", "Quotation No.", sheet.number), s
    )


def _parties(sheet: QuotationSheet, s: Styles) -> list[Flowable]:
    half = (WIDTH - 8 * mm) / 2
    customer = [
        ("客户", "Customer", text(sheet.customer_name)),
        ("联系人", "Contact", text(sheet.customer_contact)),
        ("地址", "Address", text(sheet.customer_address)),
    ]
    terms = [
        ("版本", "Revision", str(sheet.revision)),
        ("币种", "Currency", text(sheet.currency)),
        ("付款条件", "Payment terms", text(sheet.payment_terms)),
        ("有效期至", "Valid until", day(sheet.valid_until)),
    ]
    table = Table(
        [[pairs(customer, s, half), pairs(terms, s, half)]], colWidths=[half + 8 * mm, half]
    )
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")] + no_padding()))
    return [table]


def _description(line: QuoteLine, s: Styles) -> list[Flowable]:
    parts = [Paragraph(text(line.description), s.cell)]
    for label, value in line.specs.items():
        parts.append(Paragraph(f"{text(label)}: {text(value)}", s.cell))
    return parts


def _lines(sheet: QuotationSheet, s: Styles) -> list[Flowable]:
    rows = [head_row(LINE_HEADS, s, right=(3, 4, 5))]
    for line in sheet.lines:
        rows.append(
            [
                Paragraph(str(line.position), s.cell),
                Paragraph(text(line.code), s.cell),
                _description(line, s),
                Paragraph(qty(line.quantity), s.cell_right),
                Paragraph(amount(line.unit_price), s.cell_right),
                Paragraph(amount(line.amount), s.cell_right),
            ]
        )
    total = Paragraph(f"{text(sheet.currency)} {amount(sheet.total)}", s.total)
    rows.append(["", "", Paragraph(bilingual("合计", "Total"), s.cell), "", "", total])
    table = item_table(rows, LINE_COLUMNS, zebra_until=-2)
    body: list[Flowable] = [table]
    if sheet.currency == "CNY":
        words = bilingual("人民币大写", "Amount in words", 7) + " " + rmb_in_words(sheet.total)
        body += [Spacer(1, 2 * mm), Paragraph(words, s.body)]
    if sheet.notes:
        notes = bilingual("备注", "Notes") + " " + text(sheet.notes)
        body += [Spacer(1, 2 * mm), Paragraph(notes, s.body)]
    return section("报价明细", "Quoted items", s, body)


def _acceptance(sheet: QuotationSheet, s: Styles) -> list[Flowable]:
    statement = Paragraph(
        f"我方接受第 {sheet.revision} 版报价单 {text(sheet.number)} 的价格与条件（有效期至 "
        f"{day(sheet.valid_until)}）。<br/>"
        f"We accept the prices and terms of quotation {text(sheet.number)}, revision "
        f"{sheet.revision}, valid until {day(sheet.valid_until)}.",
        s.body,
    )
    block = [heading("客户确认", "Customer acceptance", s), Spacer(1, 3 * mm), statement]
    return [Spacer(1, 5 * mm), KeepTogether([*block, Spacer(1, 4 * mm), blank_signature(s)])]

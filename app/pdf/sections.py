"""The flowables of the confirmation sheet: title, parties, lines, terms and signature."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from app.pdf.amounts import rmb_in_words
from app.pdf.blocks import GRID, WIDTH, head_row, no_padding, pairs, section
from app.pdf.qr import QrFlowable
from app.pdf.signature import signature
from app.pdf.styles import BAND, NAVY, ZEBRA, Styles, bilingual, day, money, quantity, text

if TYPE_CHECKING:
    from app.pdf.confirmation import ConfirmationSheet, SheetLine

ORDER_TYPES = {
    "regular": ("常规订单", "Regular"),
    "new": ("新订单", "New"),
    "non_standard": ("非标订单", "Non-standard"),
}
QR_SIZE = 25 * mm
# Position, code, description, quantity, unit, unit price, amount; None takes the rest.
LINE_COLUMNS = (9 * mm, 25 * mm, None, 18 * mm, 14 * mm, 23 * mm, 27 * mm)
LINE_HEADS = [
    ("序号", "No."),
    ("编码", "Code"),
    ("品名 / 描述", "Description"),
    ("数量", "Qty"),
    ("单位", "Unit"),
    ("单价", "Unit price"),
    ("金额", "Amount"),
]
SPEC_NOTE = '<br/><font size="7" color="#1f3a5f">非标规格见下文 Specification below</font>'


def story(sheet: ConfirmationSheet, font: str, tz: str) -> list[Flowable]:
    """All flowables of the sheet in reading order."""
    s = Styles(font)
    return [
        *_title(sheet, s),
        *_parties(sheet, s),
        *_lines(sheet, s),
        *_specs(sheet, s),
        *_conditions(sheet, s),
        *_notes(sheet, s),
        *signature(sheet, s, tz),
    ]


def _title(sheet: ConfirmationSheet, s: Styles) -> list[Flowable]:
    """Company and document title on the left, the confirmation QR code on the right."""
    left = [
        Paragraph(text(sheet.company), s.company),
        Spacer(1, 2 * mm),
        Paragraph("订单确认书", s.title),
        Paragraph("Order Confirmation", s.subtitle),
    ]
    right: list[Flowable] = []
    if sheet.confirm_url:
        caption = Paragraph("扫码在线确认<br/>Scan to confirm online", s.caption)
        right = [QrFlowable(sheet.confirm_url, QR_SIZE), caption]
    table = Table([[left, right]], colWidths=[WIDTH - 34 * mm, 34 * mm])
    table.setStyle(
        TableStyle(
            no_padding()
            + [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("LINEBELOW", (0, 0), (-1, -1), 1.5, NAVY),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
            ]
        )
    )
    return [table, Spacer(1, 4 * mm)]


def _parties(sheet: ConfirmationSheet, s: Styles) -> list[Flowable]:
    """Customer on the left, order facts on the right."""
    known = ORDER_TYPES.get(sheet.order_type)
    order_type = bilingual(*known) if known else text(sheet.order_type)
    half = (WIDTH - 8 * mm) / 2
    customer = [
        ("客户名称", "Customer", text(sheet.customer_name)),
        ("联系人", "Contact", text(sheet.customer_contact)),
        ("地址", "Address", text(sheet.customer_address)),
        ("客户订单号", "Customer PO", text(sheet.customer_po)),
    ]
    order = [
        ("订单号", "Order No.", text(sheet.order_number)),
        ("版本", "Revision", f"{sheet.revision} · {text(sheet.short_hash)}"),
        ("订单类型", "Order type", order_type),
        ("要求交期", "Requested date", day(sheet.requested_date)),
        ("承诺交期", "Promised date", day(sheet.promised_date)),
        ("币种", "Currency", text(sheet.currency)),
    ]
    table = Table(
        [[pairs(customer, s, half), pairs(order, s, half)]], colWidths=[half + 8 * mm, half]
    )
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")] + no_padding()))
    return [table]


def _lines(sheet: ConfirmationSheet, s: Styles) -> list[Flowable]:
    """The order lines with quantities, prices and the total; the header repeats on each page."""
    rows = [head_row(LINE_HEADS, s, right=(3, 5, 6))] + [_line_row(x, s) for x in sheet.lines]
    label = bilingual("合计", f"Total ({text(sheet.currency)})")
    rows.append(
        ["", "", "", Paragraph(label, s.total), "", "", Paragraph(money(sheet.total), s.total)]
    )
    last = len(rows) - 1
    commands = [
        ("BACKGROUND", (0, 0), (-1, 0), BAND),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, NAVY),
        ("ROWBACKGROUNDS", (0, 1), (-1, last - 1), [None, ZEBRA]),
        ("LINEABOVE", (0, last), (-1, last), 0.8, NAVY),
        ("SPAN", (3, last), (5, last)),
        ("VALIGN", (0, last), (-1, last), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if sheet.currency.upper() == "CNY":
        words = bilingual("人民币大写", "Amount in words", 7) + f"：{rmb_in_words(sheet.total)}"
        rows.append([Paragraph(words, s.value), "", "", "", "", "", ""])
        commands.append(("SPAN", (0, last + 1), (-1, last + 1)))
    table = Table(rows, colWidths=_line_widths(), repeatRows=1)
    table.setStyle(TableStyle(GRID + commands))
    return section("订单明细", "Order lines", s, [table])


def _line_widths() -> list[float]:
    """Column widths of the lines table; the description takes what is left."""
    fixed = sum(w for w in LINE_COLUMNS if w)
    return [w if w else WIDTH - fixed for w in LINE_COLUMNS]


def _line_row(line: SheetLine, s: Styles) -> list[Paragraph]:
    """One table row; a line with a specification points the reader to it."""
    return [
        Paragraph(str(line.position), s.cell),
        Paragraph(text(line.code), s.cell),
        Paragraph(text(line.description) + (SPEC_NOTE if line.specs else ""), s.cell),
        Paragraph(quantity(line.quantity), s.cell_right),
        Paragraph(text(line.unit), s.cell),
        Paragraph(money(line.unit_price), s.cell_right),
        Paragraph(money(line.amount), s.cell_right),
    ]


def _specs(sheet: ConfirmationSheet, s: Styles) -> list[Flowable]:
    """The agreed specification of every non-standard line, one table per line."""
    body: list[Flowable] = []
    for line in sheet.lines:
        if not line.specs:
            continue
        title = bilingual(f"第 {line.position} 行", f"Line {line.position}")
        title += f"  ·  {text(line.code)}  ·  {text(line.description)}"
        data = [[Paragraph(title, s.value), ""]] + [
            [Paragraph(text(label), s.label), Paragraph(text(value), s.cell)]
            for label, value in line.specs.items()
        ]
        table = Table(data, colWidths=[42 * mm, WIDTH - 42 * mm], repeatRows=1)
        commands = [
            ("SPAN", (0, 0), (-1, 0)),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, NAVY),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ]
        table.setStyle(TableStyle(GRID + commands))
        body += [table, Spacer(1, 3 * mm)]
    return section("非标产品规格", "Non-standard specifications", s, body) if body else []


def _conditions(sheet: ConfirmationSheet, s: Styles) -> list[Flowable]:
    """Conditions the departments attached to their approval, which the customer accepts."""
    if not sheet.conditions:
        return []
    intro = Paragraph(
        "以下条件由我司评审部门提出，经客户确认后构成本订单的一部分。<br/>"
        "The conditions below were set in our internal review; once confirmed they form part "
        "of this order.",
        s.small,
    )
    rows = [head_row([("序号", "No."), ("部门", "Department"), ("条件", "Condition")], s)]
    rows += [
        [
            Paragraph(str(i), s.cell),
            Paragraph(text(c.department), s.cell),
            Paragraph(text(c.text), s.cell),
        ]
        for i, c in enumerate(sheet.conditions, start=1)
    ]
    table = Table(rows, colWidths=[12 * mm, 36 * mm, WIDTH - 48 * mm], repeatRows=1)
    header = [("BACKGROUND", (0, 0), (-1, 0), BAND), ("LINEBELOW", (0, 0), (-1, 0), 0.8, NAVY)]
    table.setStyle(TableStyle(GRID + header))
    body = [intro, Spacer(1, 2 * mm), table]
    return section("评审附加条件", "Review conditions", s, body, keep=48 * mm)


def _notes(sheet: ConfirmationSheet, s: Styles) -> list[Flowable]:
    """Free-text notes, when there are any."""
    if not sheet.notes.strip():
        return []
    return section("备注", "Notes", s, [Paragraph(text(sheet.notes), s.body)])

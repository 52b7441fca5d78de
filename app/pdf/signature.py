"""The closing block: blank lines to sign on paper, or the record of the online confirmation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from app.pdf.blocks import WIDTH, heading, pairs
from app.pdf.styles import NAVY, RULE, Styles, bilingual, moment, text

if TYPE_CHECKING:
    from app.pdf.confirmation import ConfirmationSheet

SEAL = 38 * mm


def signature(sheet: ConfirmationSheet, s: Styles, tz: str) -> list[Flowable]:
    """Blank signature lines, or who confirmed which revision, when and from where."""
    statement = Paragraph(
        f"本客户已审阅上述订单（版本 {sheet.revision}）的内容、规格及评审附加条件，确认无误。<br/>"
        f"We have reviewed the order above (revision {sheet.revision}), its specifications and "
        "the review conditions, and confirm them.",
        s.body,
    )
    if sheet.signed_by:
        body = [statement, Spacer(1, 3 * mm), *_signed(sheet, s, tz)]
    else:
        body = [statement, Spacer(1, 4 * mm), blank_signature(s)]
    block = [heading("客户确认", "Customer confirmation", s), Spacer(1, 3 * mm), *body]
    return [Spacer(1, 5 * mm), KeepTogether(block)]


def _signed(sheet: ConfirmationSheet, s: Styles, tz: str) -> list[Flowable]:
    """The confirmation record: signer, time in the configured zone, IP and revision."""
    stamp = Paragraph(
        bilingual("✔ 已由客户在线确认", "Confirmed online by the customer"), s.section
    )
    record = pairs(
        [
            ("签字人", "Signed by", text(sheet.signed_by)),
            ("签署时间", "Signed at", moment(sheet.signed_at, tz)),
            ("IP 地址", "IP address", text(sheet.signed_ip)),
            ("确认版本", "Revision", f"{sheet.revision} · {text(sheet.short_hash)}"),
        ],
        s,
        WIDTH / 2 + 20 * mm,
    )
    return [stamp, Spacer(1, 2 * mm), record]


def blank_signature(s: Styles) -> Table:
    """Signature and date lines, with a box for the company seal (公章) on the right (the
    confirmation sheet and the delivery note both end with it)."""
    gap = 8 * mm
    line = (WIDTH - SEAL - 2 * gap) * 0.6
    date = WIDTH - SEAL - 2 * gap - line
    labels = [
        Paragraph(bilingual("客户签字", "Customer signature", 7), s.label),
        "",
        Paragraph(bilingual("日期", "Date", 7), s.label),
        "",
        Paragraph(bilingual("客户盖章", "Company seal", 7), s.label),
    ]
    table = Table(
        [["", "", "", "", ""], labels],
        colWidths=[line, gap, date, gap, SEAL],
        rowHeights=[SEAL - 6 * mm, None],
    )
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (0, 0), 0.8, NAVY),
                ("LINEBELOW", (2, 0), (2, 0), 0.8, NAVY),
                ("BOX", (4, 0), (4, 0), 0.6, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 1), (-1, 1), 3),
            ]
        )
    )
    return table

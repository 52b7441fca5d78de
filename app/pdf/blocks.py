"""Building blocks shared by the sheet's sections: headings, label/value grids, table styles."""

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer, Table, TableStyle

from app.pdf.styles import BAND, NAVY, RULE, Styles, bilingual

WIDTH = 178 * mm  # A4 minus the 16 mm side margins
LABEL_WIDTH = 33 * mm
GRID = [("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE), ("VALIGN", (0, 0), (-1, -1), "TOP")]


def heading(zh: str, en: str, s: Styles) -> Flowable:
    """A section heading on a light band with a navy bar on the left."""
    table = Table([[Paragraph(bilingual(zh, en, 9), s.section)]], colWidths=[WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), BAND),
                ("LINEBEFORE", (0, 0), (0, 0), 3, NAVY),
                ("TOPPADDING", (0, 0), (-1, -1), 3.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def section(
    zh: str, en: str, s: Styles, body: list[Flowable], keep: float = 30 * mm
) -> list[Flowable]:
    """A heading that starts a new page unless `keep` points of its body fit below it."""
    return [Spacer(1, 5 * mm), CondPageBreak(keep), heading(zh, en, s), Spacer(1, 2 * mm)] + body


def pairs(rows: list[tuple[str, str, str]], s: Styles, width: float) -> Table:
    """A label / value grid; labels are bilingual, values are already paragraph markup."""
    data = [[Paragraph(bilingual(zh, en, 7), s.label), Paragraph(v, s.value)] for zh, en, v in rows]
    table = Table(data, colWidths=[LABEL_WIDTH, width - LABEL_WIDTH], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            GRID
            + [
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def head_row(labels: list[tuple[str, str]], s: Styles, right: tuple[int, ...] = ()) -> list:
    """A table header row, Chinese above English; columns in `right` are right-aligned."""
    return [
        Paragraph(f"{zh}<br/>{en}", s.head_right if i in right else s.head)
        for i, (zh, en) in enumerate(labels)
    ]


def no_padding() -> list[tuple]:
    """Table style commands that remove all cell padding."""
    sides = ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")
    return [(side, (0, 0), (-1, -1), 0) for side in sides]

"""Pieces the one-page-family documents share (the delivery note, the quotation): the A4
document itself, the title block with the document's number, the two-line footer, and the
striped table of items."""

from collections.abc import Callable
from functools import partial
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app.pdf.blocks import GRID, WIDTH, no_padding
from app.pdf.confirmation import MARGIN_TOP, MARGIN_X, PAGE_WIDTH, _frame, _NumberedCanvas
from app.pdf.fonts import register_font
from app.pdf.styles import BAND, MUTED, NAVY, RULE, ZEBRA, Styles, bilingual, text


def render(
    info: tuple[str, str, str],
    footer: tuple[str, str],
    story: Callable[[Styles], list[Flowable]],
) -> bytes:
    """An A4 PDF of one page template: `info` is its (title, author, subject), `footer` the two
    lines at the foot of every page, `story` what to print given the styles on the embedded
    font; pages are numbered "n / total"."""
    font = register_font()
    buffer = BytesIO()
    title, author, subject = info
    doc = BaseDocTemplate(
        buffer, pagesize=A4, title=title, author=author, subject=subject, creator="OrderGate"
    )

    def on_page(canvas: Canvas, _doc) -> None:
        draw_footer(canvas, font, *footer)

    doc.addPageTemplates([PageTemplate("page", [_frame(MARGIN_TOP)], onPage=on_page)])
    doc.build(story(Styles(font)), canvasmaker=partial(_NumberedCanvas, font=font))
    return buffer.getvalue()


def title_block(company: str, title: tuple[str, str], number: tuple[str, str, str], s: Styles):
    """Company and bilingual title on the left, the labelled document number on the right."""
    left = [
        Paragraph(text(company), s.company),
        Spacer(1, 2 * mm),
        Paragraph(title[0], s.title),
        Paragraph(title[1], s.subtitle),
    ]
    right = [Paragraph(bilingual(number[0], number[1], 7), s.label)]
    right.append(Paragraph(text(number[2]), s.section))
    table = Table([[left, right]], colWidths=[WIDTH - 50 * mm, 50 * mm])
    table.setStyle(
        TableStyle(
            no_padding()
            + [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LINEBELOW", (0, 0), (-1, -1), 1.5, NAVY),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
            ]
        )
    )
    return [table, Spacer(1, 4 * mm)]


def draw_footer(canvas: Canvas, font: str, first: str, second: str) -> None:
    """A rule and two small lines at the foot of every page."""
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN_X, 14 * mm, PAGE_WIDTH - MARGIN_X, 14 * mm)
    canvas.setFillColor(MUTED)
    canvas.setFont(font, 7)
    canvas.drawString(MARGIN_X, 10 * mm, first)
    canvas.drawString(MARGIN_X, 6.5 * mm, second)
    canvas.restoreState()


def item_table(rows: list, columns: tuple, zebra_until: int = -1) -> Flowable:
    """The items: a banded header row repeated on every page, striped rows; a column width of
    None takes what the others leave."""
    fixed = sum(w for w in columns if w)
    table = Table(rows, colWidths=[w or WIDTH - fixed for w in columns], repeatRows=1)
    commands = [
        ("BACKGROUND", (0, 0), (-1, 0), BAND),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, NAVY),
        ("ROWBACKGROUNDS", (0, 1), (-1, zebra_until), [None, ZEBRA]),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    table.setStyle(TableStyle(GRID + commands))
    return table

"""The order confirmation sheet (订单确认书) the customer signs, rendered as a bilingual A4 PDF."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from io import BytesIO
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageTemplate

from app.pdf import sections
from app.pdf.fonts import register_font
from app.pdf.styles import MUTED, NAVY, RULE, moment

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 16 * mm
MARGIN_TOP = 14 * mm
MARGIN_TOP_LATER = 24 * mm  # room for the running header on pages 2+
MARGIN_BOTTOM = 20 * mm


@dataclass(frozen=True)
class SheetLine:
    """One order line; `specs` maps a bilingual label to the non-standard item's requirement."""

    position: int
    code: str
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    specs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SheetCondition:
    """A condition a department attached to its approval; it binds the customer too."""

    department: str
    text: str


@dataclass(frozen=True, kw_only=True)
class ConfirmationSheet:
    """Everything printed on the sheet, already resolved to display strings and numbers."""

    company: str
    order_number: str
    revision: int
    revision_hash: str
    customer_name: str
    customer_contact: str = ""
    customer_address: str = ""
    customer_po: str = ""
    order_type: str = "regular"
    requested_date: date | None = None
    promised_date: date | None = None
    currency: str = "CNY"
    lines: list[SheetLine] = field(default_factory=list)
    total: Decimal = Decimal(0)
    conditions: list[SheetCondition] = field(default_factory=list)
    notes: str = ""
    confirm_url: str | None = None
    generated_at: datetime
    signed_by: str | None = None
    signed_at: datetime | None = None
    signed_ip: str | None = None

    @property
    def short_hash(self) -> str:
        """The first 12 characters of the revision hash, enough to tell revisions apart."""
        return self.revision_hash[:12]


def render_confirmation_pdf(sheet: ConfirmationSheet, tz: str = "Asia/Shanghai") -> bytes:
    """Render the sheet as an A4 PDF; times are shown in the zone named by `tz`."""
    ZoneInfo(tz)  # an unknown zone fails here, before any drawing
    font = register_font()
    buffer = BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        title=f"订单确认书 Order Confirmation {sheet.order_number}",
        author=sheet.company,
        subject=f"{sheet.order_number} rev. {sheet.revision} ({sheet.short_hash})",
        creator="OrderGate",
    )
    footer = partial(_decorate, sheet=sheet, font=font, tz=tz)
    doc.addPageTemplates(
        [
            PageTemplate("first", [_frame(MARGIN_TOP)], onPage=partial(footer, running=False)),
            PageTemplate("later", [_frame(MARGIN_TOP_LATER)], onPage=partial(footer, running=True)),
        ]
    )
    story = [NextPageTemplate("later"), *sections.story(sheet, font, tz)]
    doc.build(story, canvasmaker=partial(_NumberedCanvas, font=font))
    return buffer.getvalue()


def _frame(top: float) -> Frame:
    """The body frame between the margins; pages 2+ start lower, under the running header."""
    height = PAGE_HEIGHT - top - MARGIN_BOTTOM
    return Frame(MARGIN_X, MARGIN_BOTTOM, PAGE_WIDTH - 2 * MARGIN_X, height, 0, 0, 0, 0)


def _decorate(canvas: Canvas, doc, *, sheet: ConfirmationSheet, font: str, tz: str, running: bool):
    """Draw the footer on every page and, from page 2 on, a running header."""
    canvas.saveState()
    right = PAGE_WIDTH - MARGIN_X
    if running:
        _running_header(canvas, sheet, font)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN_X, 14 * mm, right, 14 * mm)
    canvas.setFillColor(MUTED)
    canvas.setFont(font, 7)
    canvas.drawString(
        MARGIN_X,
        10 * mm,
        f"订单号 Order No. {sheet.order_number}  ·  版本 Revision {sheet.revision}  ·  "
        f"{sheet.short_hash}",
    )
    canvas.drawString(MARGIN_X, 6.5 * mm, f"生成时间 Generated {moment(sheet.generated_at, tz)}")
    canvas.restoreState()


def _running_header(canvas: Canvas, sheet: ConfirmationSheet, font: str) -> None:
    """Company on the left, document and order number on the right, a rule below."""
    top, right = PAGE_HEIGHT - 12 * mm, PAGE_WIDTH - MARGIN_X
    title = f"订单确认书 Order Confirmation  ·  {sheet.order_number}"
    canvas.setFillColor(NAVY)
    canvas.setFont(font, 9)
    canvas.drawRightString(right, top, title)
    # A long company name shrinks rather than running into the title.
    room = right - MARGIN_X - canvas.stringWidth(title, font, 9) - 8 * mm
    width = max(canvas.stringWidth(sheet.company, font, 9), 1)
    canvas.setFont(font, min(9, 9 * room / width))
    canvas.drawString(MARGIN_X, top, sheet.company)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN_X, top - 3 * mm, right, top - 3 * mm)


class _NumberedCanvas(Canvas):
    """Holds pages back until the end so each can say "第 n / N 页 Page n of N"."""

    def __init__(self, *args, font: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._font = font
        self._pages: list[dict] = []

    def showPage(self):  # noqa: N802 - reportlab's name
        """Keep the finished page's state instead of emitting it."""
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        """Stamp the page numbers, now that the count is known, then write the file."""
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.saveState()
            self.setFont(self._font, 8)
            self.setFillColor(NAVY)
            label = f"第 {number} / {total} 页 Page {number} of {total}"
            self.drawRightString(PAGE_WIDTH - MARGIN_X, 10 * mm, label)
            self.restoreState()
            super().showPage()
        super().save()

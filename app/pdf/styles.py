"""Colours, paragraph styles and value formatting shared by the PDF sections."""

from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle

INK = colors.HexColor("#1b2430")
NAVY = colors.HexColor("#1f3a5f")
MUTED_HEX = "#5f6b7a"
MUTED = colors.HexColor(MUTED_HEX)
RULE = colors.HexColor("#b7c1cc")
BAND = colors.HexColor("#e8edf3")
ZEBRA = colors.HexColor("#f6f8fa")
EMPTY = "—"


class Styles:
    """The paragraph styles of one document, all in the embedded CJK font."""

    def __init__(self, font: str):
        def style(name: str, size: float, **kw) -> ParagraphStyle:
            kw.setdefault("leading", size * 1.35)
            kw.setdefault("textColor", INK)
            # CJK wrapping breaks between Chinese characters but keeps Latin words whole.
            return ParagraphStyle(name, fontName=font, fontSize=size, wordWrap="CJK", **kw)

        self.font = font
        self.company = style("company", 12.5, textColor=NAVY, leading=16)
        self.title = style("title", 22, textColor=NAVY, leading=27)
        self.subtitle = style("subtitle", 11, textColor=MUTED, leading=14)
        self.section = style("section", 10.5, textColor=NAVY, leading=13)
        self.label = style("label", 7.8, textColor=MUTED, leading=10)
        self.value = style("value", 9, leading=12)
        self.cell = style("cell", 8.5, leading=11.2)
        self.cell_right = style("cell_right", 8.5, leading=11.2, alignment=TA_RIGHT)
        self.head = style("head", 7.8, leading=10, textColor=NAVY)
        self.head_right = style("head_right", 7.8, leading=10, textColor=NAVY, alignment=TA_RIGHT)
        self.body = style("body", 9, leading=13)
        self.small = style("small", 7.5, textColor=MUTED, leading=10)
        self.caption = style("caption", 7, textColor=MUTED, leading=9, alignment=TA_CENTER)
        self.total = style("total", 10, leading=13, alignment=TA_RIGHT, textColor=NAVY)


def bilingual(zh: str, en: str, en_size: float | None = None) -> str:
    """Paragraph markup for a label in Chinese followed by its English, in a lighter grey."""
    size = f' size="{en_size}"' if en_size else ""
    return f'{zh} <font color="{MUTED_HEX}"{size}>{en}</font>'


def text(value: str | None) -> str:
    """User text made safe for paragraph markup, line breaks kept; a dash when empty."""
    if value is None or not str(value).strip():
        return EMPTY
    return escape(str(value).strip()).replace("\r\n", "\n").replace("\n", "<br/>")


def money(value: Decimal | int) -> str:
    """An amount with thousands separators and 2 decimals (up to 4 when the price needs them)."""
    value = Decimal(value)
    exponent = value.normalize().as_tuple().exponent
    places = min(4, max(2, -exponent if isinstance(exponent, int) else 2))
    return f"{value:,.{places}f}"


def quantity(value: Decimal | int) -> str:
    """A quantity without trailing zeros: 1,200 and 12.5, never 1.2E+3."""
    return f"{Decimal(value).normalize():,f}"


def day(value: date | None) -> str:
    """A calendar date as YYYY-MM-DD, or a dash."""
    return value.isoformat() if value else EMPTY


def moment(value: datetime | None, tz: str) -> str:
    """An aware datetime shown in the configured zone, named so the reader knows which."""
    if value is None:
        return EMPTY
    if value.tzinfo is None:
        raise ValueError("datetimes on the confirmation sheet must be timezone-aware")
    local = value.astimezone(ZoneInfo(tz))
    offset = f"{local:%z}"
    return f"{local:%Y-%m-%d %H:%M} {tz} (UTC{offset[:3]}:{offset[3:]})"

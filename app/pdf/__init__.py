"""PDF documents rendered from plain data: no Flask, no database (see docs/PDF.md)."""

from app.pdf.confirmation import (
    ConfirmationSheet,
    SheetCondition,
    SheetLine,
    render_confirmation_pdf,
)
from app.pdf.fonts import FONT_PACKAGE, FontNotFoundError

__all__ = [
    "FONT_PACKAGE",
    "ConfirmationSheet",
    "FontNotFoundError",
    "SheetCondition",
    "SheetLine",
    "render_confirmation_pdf",
]

"""PDF documents rendered from plain data: no Flask, no database (see docs/PDF.md)."""

from app.pdf.confirmation import (
    ConfirmationSheet,
    SheetCondition,
    SheetLine,
    render_confirmation_pdf,
)
from app.pdf.delivery import DeliveryNote, NoteLine, render_delivery_note_pdf
from app.pdf.fonts import FONT_PACKAGE, FontNotFoundError
from app.pdf.quotation import QuotationSheet, QuoteLine, render_quotation_pdf

__all__ = [
    "FONT_PACKAGE",
    "ConfirmationSheet",
    "DeliveryNote",
    "FontNotFoundError",
    "NoteLine",
    "QuotationSheet",
    "QuoteLine",
    "SheetCondition",
    "SheetLine",
    "render_confirmation_pdf",
    "render_delivery_note_pdf",
    "render_quotation_pdf",
]

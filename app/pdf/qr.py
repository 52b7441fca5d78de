"""A QR code flowable drawn with reportlab's own encoder, kept in one named form XObject."""

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.platypus import Flowable

# Tests find the code by this name (the PDF resource is /FormXob.<name>) and decode it.
FORM_NAME = "ConfirmQR"


class QrFlowable(Flowable):
    """A square QR code of `value`, `size` points wide, with the standard 4-module quiet zone."""

    def __init__(self, value: str, size: float):
        super().__init__()
        self.value = value
        self.size = size

    def wrap(self, available_width, available_height):
        """The code is a fixed square."""
        return self.size, self.size

    def draw(self):
        """Draw the code once into a form XObject, then place it."""
        widget = QrCodeWidget(self.value, barLevel="M", barWidth=self.size, barHeight=self.size)
        drawing = Drawing(self.size, self.size)
        drawing.add(widget)
        canvas = self.canv
        if not canvas.hasForm(FORM_NAME):
            canvas.beginForm(FORM_NAME, 0, 0, self.size, self.size)
            renderPDF.draw(drawing, canvas, 0, 0)
            canvas.endForm()
        canvas.doForm(FORM_NAME)

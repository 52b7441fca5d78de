"""Shared by the shipping tests: a released two-line order with production's figures set."""

from decimal import Decimal
from io import BytesIO

from app.extensions import db
from app.modules.orders.services.orders import LineInput
from tests.answers import SPECS

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def two_line_order(make_order, status="released", made=("0", "0"), quantities=("100", "40")):
    """An order of 100 + 40 units, released (the review walk is not what these tests are
    about), with what production reported made on each line."""
    lines = [
        LineInput(description=f"Rack {i + 1}", quantity=q, unit_price="10", specs=dict(SPECS))
        for i, q in enumerate(quantities)
    ]
    order = make_order(lines=lines)
    order.status = status
    for line, done in zip(order.lines, made, strict=True):
        line.quantity_done = Decimal(done)
    db.session.commit()
    return order


def png_file(name="signed.png"):
    """A tiny upload that passes the signature check of a PNG."""
    return (BytesIO(PNG), name)

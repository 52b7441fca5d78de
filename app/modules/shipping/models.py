"""Shipments (发货) of an order's made goods, and the customer's receipt (签收) of each."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.core.columns import UTCDateTime
from app.extensions import db
from app.modules.orders.models import Attachment, Order, OrderLine


class Shipment(db.Model):
    """One dispatch of goods to the customer: what left, how, and when the customer signed."""

    __tablename__ = "shipment"
    __table_args__ = (UniqueConstraint("order_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    sequence: Mapped[int] = mapped_column()  # 1, 2, … per order: the delivery note's number
    carrier: Mapped[str] = mapped_column(String(100))
    tracking_number: Mapped[str] = mapped_column(String(60), default="")
    ship_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The customer's receipt: the signed delivery note, as uploaded by the warehouse or sales.
    received_on: Mapped[date | None] = mapped_column(Date)
    receipt_signer: Mapped[str] = mapped_column(String(100), default="")
    receipt_attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id"))
    receipt_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    receipt_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    order: Mapped[Order] = relationship()
    lines: Mapped[list["ShipmentLine"]] = relationship(
        back_populates="shipment", cascade="all, delete-orphan", order_by="ShipmentLine.id"
    )
    receipt_attachment: Mapped[Attachment | None] = relationship()

    @property
    def number(self) -> str:
        """The delivery note's number: the order's number and the shipment's sequence."""
        return f"{self.order.number}-D{self.sequence}"

    @property
    def is_received(self) -> bool:
        """Whether the customer's signed receipt is recorded."""
        return self.received_on is not None


class ShipmentLine(db.Model):
    """How much of one order line a shipment carried."""

    __tablename__ = "shipment_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipment.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))

    shipment: Mapped[Shipment] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()

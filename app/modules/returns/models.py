"""Return requests against delivered orders, their refunds, and customer complaints."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.core.columns import UTCDateTime
from app.extensions import db
from app.modules.orders.models import Attachment, Customer, Order, OrderLine


class ReturnRequest(db.Model):
    """A return (退货) of goods of a delivered order: inspected, approved, then refunded or
    exchanged, or rejected."""

    __tablename__ = "return_request"
    # The list of one status, newest first, read in index order (issue 14).
    __table_args__ = (Index("ix_return_request_status_newest", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    reason_category: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text)
    requested_outcome: Mapped[str] = mapped_column(String(20))  # refund | exchange
    # open, rejected, refund_due, refunded, exchanged, cancelled
    status: Mapped[str] = mapped_column(String(20), default="open")
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 4))  # returned quantity x unit price
    currency: Mapped[str] = mapped_column(String(3))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    replacement_order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id"))

    order: Mapped[Order] = relationship(foreign_keys=[order_id])
    customer: Mapped[Customer] = relationship()
    replacement_order: Mapped[Order | None] = relationship(foreign_keys=[replacement_order_id])
    lines: Mapped[list["ReturnLine"]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="ReturnLine.id"
    )
    photos: Mapped[list["ReturnPhoto"]] = relationship(
        cascade="all, delete-orphan", order_by="ReturnPhoto.id"
    )
    refund: Mapped["Refund | None"] = relationship(back_populates="request")


class ReturnLine(db.Model):
    """How much of one order line comes back."""

    __tablename__ = "return_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("return_request.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))

    request: Mapped[ReturnRequest] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()


class ReturnPhoto(db.Model):
    """A photo of the returned goods: an order attachment (kind "return_photo")."""

    __tablename__ = "return_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("return_request.id"), index=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachment.id"))

    attachment: Mapped[Attachment] = relationship()


class Refund(db.Model):
    """The money owed back for an approved return; finance confirms it as paid."""

    __tablename__ = "refund"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("return_request.id"), unique=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20), default="due")  # due | paid
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_reference: Mapped[str] = mapped_column(String(120), default="")
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    request: Mapped[ReturnRequest] = relationship(back_populates="refund")


class Complaint(db.Model):
    """A customer complaint (客户投诉) about an order, with or without a return."""

    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    category: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship()
    customer: Mapped[Customer] = relationship()

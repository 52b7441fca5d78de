"""Close-out (订单结案): an order's actual cost against its price and planned cost, the labour
and machine rates it is costed with, and the per-product cost history closed orders feed."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.core.columns import UTCDateTime
from app.extensions import db
from app.modules.orders.models import Order, OrderLine, ProductionLine

CLOSEOUT_STATUSES = ("open", "costed", "closed", "cancelled")


class CostRate(db.Model):
    """The labour and machine rates (CNY per hour) of a production line from a day on. Rows are
    never changed: a new rate is a new row, so every close-out can say which rate it used."""

    __tablename__ = "cost_rate"
    __table_args__ = (Index("ix_cost_rate_line_from", "line_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("production_line.id"))
    labour_rate: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    machine_rate: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    valid_from: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    line: Mapped[ProductionLine] = relationship()
    set_by = relationship("User")


class Closeout(db.Model):
    """One order's close-out: the figures finance entered, in CNY cents, and who closed it."""

    __tablename__ = "order_closeout"
    # The list of one status, newest first, read in index order (issue 14).
    __table_args__ = (Index("ix_order_closeout_status_newest", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    exchange_rate: Mapped[Decimal | None] = mapped_column(Numeric(14, 6))
    revenue: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    planned_cost: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    actual_cost: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    margin: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    margin_pct: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    needs_gm: Mapped[bool | None] = mapped_column()
    notes: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    costed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    costed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))

    order: Mapped[Order] = relationship()
    costed_by = relationship("User")
    lines: Mapped[list["CloseoutLine"]] = relationship(
        back_populates="closeout", cascade="all, delete-orphan", order_by="CloseoutLine.position"
    )


class CloseoutLine(db.Model):
    """One order line's figures at close-out (CNY; each amount rounded half up to cents)."""

    __tablename__ = "order_closeout_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    closeout_id: Mapped[int] = mapped_column(ForeignKey("order_closeout.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"))
    position: Mapped[int] = mapped_column()
    # The catalogue product whose cost history the line feeds (a standardised item's product).
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("production_line.id"))
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    revenue: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    planned_cost: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    material_cost: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    labour_hours: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    labour_rate: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    labour_cost: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    machine_hours: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    machine_rate: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    machine_cost: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    other_cost: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    actual_cost: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    closeout: Mapped[Closeout] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()
    line: Mapped[ProductionLine] = relationship()


class ProductCost(db.Model):
    """A product's cost history, summed as orders close (one row per product), so the product
    page and quotations read one row, never every closed order."""

    __tablename__ = "product_cost"

    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), primary_key=True)
    orders_closed: Mapped[int] = mapped_column(default=0)
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 3), default=Decimal(0))
    actual_cost: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal(0))
    revenue: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal(0))
    latest_unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(16, 4))
    latest_margin_pct: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    latest_order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id"))
    latest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    latest_order: Mapped[Order | None] = relationship()

"""The persisted production plan (生产排程) and rush requests (插单申请)."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.orders import Order, ProductionLine

RUSH_STATUSES = ("open", "applied", "rejected", "cancelled")


class ProductionPlan(db.Model):
    """The one plan row: a version counter and the fingerprint of the schedule last written.

    Every change of the plan (PMC reordering, an applied rush) locks this row first, so two
    changes are serialised and the second one sees the first one's result.
    """

    __tablename__ = "production_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class PlanSlot(db.Model):
    """An order's place in PMC's plan: its line, position there and the planned dates."""

    __tablename__ = "plan_slot"

    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("production_line.id"), index=True)
    position: Mapped[int] = mapped_column()
    planned_start: Mapped[date] = mapped_column(Date)
    planned_finish: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship()
    line: Mapped[ProductionLine] = relationship()


class RushRequest(db.Model):
    """A request to insert an order ahead of the plan, with the impact preview it was shown."""

    __tablename__ = "rush_request"
    # One open rush request per order: a second one is refused with the open one's number.
    __table_args__ = (
        Index("uq_rush_request_open_order", "order_id", unique=True,
              postgresql_where=text("status = 'open'"), sqlite_where=text("status = 'open'")),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    required_by: Mapped[date] = mapped_column(Date)
    line_code: Mapped[str | None] = mapped_column(String(40))  # requested line; None = best
    reason: Mapped[str] = mapped_column(Text)
    customer_ref: Mapped[str] = mapped_column(String(120), default="")
    department: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    # The preview (JSON) last shown for a decision, and the fingerprint of its base schedule.
    preview: Mapped[str] = mapped_column(Text)
    base_fingerprint: Mapped[str] = mapped_column(String(64))
    applied_plan_version: Mapped[int | None] = mapped_column()
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))

    order: Mapped[Order] = relationship()
    requested_by = relationship("User")


class CalendarDay(db.Model):
    """A factory's own calendar date: an extra holiday, or an extra working day (e.g. 调休)."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # "holiday" or "workday"
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

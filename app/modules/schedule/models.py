"""The persisted production plan (生产排程) and rush requests (插单申请)."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.core.columns import UTCDateTime
from app.extensions import db
from app.modules.orders.models import Order, ProductionLine


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

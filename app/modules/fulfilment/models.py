"""Order fulfilment (订单履行): production progress reports (生产进度) per order line, the
milestone steps they name, and the lateness flags the owners were told about.

Shipments, delivery, close-out and returns (issue 12's later parts) add their own tables here;
the order's status column (`sales_order.status`) takes their statuses after
`production_complete` (docs/FULFILMENT.md).
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.core.columns import UTCDateTime
from app.extensions import db
from app.modules.orders.models import Order, OrderLine

REPORT_KINDS = ("report", "correction")
LATE_KINDS = ("behind", "at_risk", "late")


class ProgressStep(db.Model):
    """A product's own milestone steps, in order (工序节点); a product without any uses the
    default list of the `PROGRESS_STEPS` setting. Each step has an equal share of the hours."""

    __tablename__ = "progress_step"
    __table_args__ = (UniqueConstraint("product_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    position: Mapped[int] = mapped_column()
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    name_zh: Mapped[str] = mapped_column(String(100))


class ProgressReport(db.Model):
    """Production's report on one order line: the step reached and the quantity made so far.

    `quantity_done` is cumulative (what is done in total after this report); the line keeps the
    latest in `order_line.quantity_done`. A correction (by the reporter's head, with a reason)
    is a row of its own naming the report it corrects; nothing is ever overwritten.
    """

    __tablename__ = "progress_report"
    __table_args__ = (Index("ix_progress_report_line", "order_line_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"))
    kind: Mapped[str] = mapped_column(String(12), default="report")
    step: Mapped[str] = mapped_column(String(40))
    quantity_done: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    previous_done: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    note: Mapped[str] = mapped_column(Text, default="")
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("progress_report.id"))

    order: Mapped[Order] = relationship()
    line: Mapped[OrderLine] = relationship()
    reported_by = relationship("User")


class LateFlag(db.Model):
    """An open order found behind plan, at risk or late, and when its owner was told; cleared
    when it is on time again, so the owner hears of a new delay once."""

    __tablename__ = "late_flag"

    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    finish: Mapped[str] = mapped_column(String(10))  # the plan's finish (ISO date) when flagged
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

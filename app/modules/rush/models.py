"""Rush requests (插单申请): an order to insert ahead of the plan, with its impact preview."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.core.columns import UTCDateTime
from app.extensions import db
from app.modules.orders.models import Order

RUSH_STATUSES = ("open", "applied", "rejected", "cancelled")


class RushRequest(db.Model):
    """A request to insert an order ahead of the plan, with the impact preview it was shown."""

    __tablename__ = "rush_request"
    # One open rush request per order: a second one is refused with the open one's number.
    __table_args__ = (
        Index("uq_rush_request_open_order", "order_id", unique=True,
              postgresql_where=text("status = 'open'"), sqlite_where=text("status = 'open'")),
        # The list of one status, newest first, read in index order (issue 14).
        Index("ix_rush_request_status_newest", "status", "id"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    required_by: Mapped[date] = mapped_column(Date)
    line_code: Mapped[str | None] = mapped_column(String(40))  # requested line; None = best
    reason: Mapped[str] = mapped_column(Text)
    customer_ref: Mapped[str] = mapped_column(String(120), default="")
    department: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="open")
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

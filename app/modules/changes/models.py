"""Change notices (变更通知书) on released orders: drafts that apply only once approved."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.core.columns import UTCDateTime
from app.extensions import db
from app.modules.orders.models import Order


class ChangeRequest(db.Model):
    """A change notice (变更通知书): a draft revision that applies only once approved."""

    __tablename__ = "change_request"
    # At most one open change per order, enforced by the database so two racing requests
    # cannot both open (refused, not queued: the second raiser is told which one is open).
    __table_args__ = (
        Index(
            "uq_change_request_open_order",
            "order_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    base_revision: Mapped[int] = mapped_column()
    draft: Mapped[str] = mapped_column(Text)  # JSON of the order as it would become
    diff: Mapped[str] = mapped_column(Text)  # JSON list of {field, line, old, new}
    reason_category: Mapped[str] = mapped_column(String(30), index=True)
    reason: Mapped[str] = mapped_column(Text)
    customer_ref: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    department: Mapped[str] = mapped_column(String(40))
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    applied_revision: Mapped[int | None] = mapped_column()
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))

    order: Mapped[Order] = relationship()

"""The persisted production plan (生产排程) and rush requests (插单申请)."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.core.columns import UTCDateTime
from app.core.users.models import User
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


class PlanInput(db.Model):
    """The version of everything the plan is computed from (docs/PLANNING.md, "The stored plan").

    One row, moved on at the commit of any transaction that wrote a plan input (an order's
    status, an item's quantity, a line's capacity, a slot, a material date...): a stored plan
    of another version is stale. `generation` is drawn anew when the row is made again (an
    emptied database), so a version number never names two different sets of inputs.
    """

    __tablename__ = "plan_input"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
    generation: Mapped[str] = mapped_column(String(32), default="")


class PlanSnapshot(db.Model):
    """The plan computed for one input version, start day and language, shared by every process.

    `data` is the computed plan, serialized (services/stored.py); rows of older versions are
    removed when a newer one is stored.
    """

    __tablename__ = "plan_snapshot"

    generation: Mapped[str] = mapped_column(String(32), primary_key=True)
    input_version: Mapped[int] = mapped_column(primary_key=True)
    start: Mapped[date] = mapped_column(Date, primary_key=True)
    locale: Mapped[str] = mapped_column(String(16), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


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


class MaterialOverride(db.Model):
    """PMC's word on when an order's materials are ready, over what the material sources say.

    One row per order while it stands; setting, changing and removing it each write an audit row
    (who, when, why), and the order page shows the standing one (docs/PLANNING.md).
    """

    __tablename__ = "material_override"

    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), primary_key=True)
    ready_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    set_by: Mapped[User | None] = relationship()

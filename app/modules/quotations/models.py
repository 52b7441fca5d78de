"""Customer quotations (客户报价): their lines with the cost basis they were priced on, and
every revision sent to the customer."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.core.columns import UTCDateTime
from app.core.users.models import User
from app.extensions import db
from app.modules.orders.models import Customer, Order, Product, SpecColumns

# draft: sales edits it; in_approval: a flagged quotation waits for its approvers;
# approved: may be sent; rejected: the approvers refused it (sales may edit it again);
# sent: the customer has it; accepted: the customer signed it; ordered: it became an order.
STATUSES = ("draft", "in_approval", "approved", "rejected", "sent", "accepted", "ordered")
EDITABLE_STATUSES = ("draft", "approved", "rejected", "sent")


class Quotation(db.Model):
    """A quotation to a customer; `revision` is the number of its current revision."""

    __tablename__ = "quotation"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    revision: Mapped[int] = mapped_column(default=1)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    payment_terms: Mapped[str] = mapped_column(String(200), default="")
    valid_until: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    # Whether a line is flagged (below the minimum margin or far below past prices): the
    # quotation then needs approval before it is sent.
    flagged: Mapped[bool] = mapped_column(default=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_name: Mapped[str] = mapped_column(String(200), default="")
    accepted_via: Mapped[str] = mapped_column(String(20), default="")  # scan | link
    accepted_revision: Mapped[int | None] = mapped_column()
    signed_file_name: Mapped[str] = mapped_column(String(255), default="")
    signed_stored_name: Mapped[str] = mapped_column(String(100), default="")
    signed_sha256: Mapped[str] = mapped_column(String(64), default="")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id"), unique=True)

    customer: Mapped[Customer] = relationship()
    owner: Mapped[User | None] = relationship()
    order: Mapped[Order | None] = relationship()
    lines: Mapped[list["QuotationLine"]] = relationship(
        back_populates="quotation", cascade="all, delete-orphan", order_by="QuotationLine.position"
    )
    revisions: Mapped[list["QuotationRevision"]] = relationship(
        back_populates="quotation",
        cascade="all, delete-orphan",
        order_by="QuotationRevision.number",
    )

    @property
    def total(self) -> Decimal:
        """The quoted value: the sum of quantity times unit price."""
        return sum((line.amount for line in self.lines), Decimal(0))


class QuotationLine(SpecColumns, db.Model):
    """One quoted line, with the cost basis and flags computed when it was saved."""

    __tablename__ = "quotation_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    quotation_id: Mapped[int] = mapped_column(ForeignKey("quotation.id"), index=True)
    position: Mapped[int] = mapped_column(default=1)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    description: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=0)
    # The cost basis (CNY per unit): "history" (closed orders' actual cost), "standard" (the
    # product's standard cost) or "none" (a non-standard item); `cost_orders`: closed orders.
    cost_source: Mapped[str] = mapped_column(String(10), default="none")
    unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    cost_orders: Mapped[int] = mapped_column(default=0)
    margin_pct: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    past_median: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    # JSON list of flags: {"code": "low_margin" | "below_past" | "no_rate", ...facts}.
    flags: Mapped[str] = mapped_column(Text, default="[]")

    quotation: Mapped[Quotation] = relationship(back_populates="lines")
    product: Mapped[Product | None] = relationship()

    @property
    def amount(self) -> Decimal:
        """Quantity times unit price."""
        return self.quantity * self.unit_price


class QuotationRevision(db.Model):
    """One revision of a quotation as it stood: its header and lines with their cost basis
    (`content`, JSON). A revision is frozen once sent; an edit after that makes the next one."""

    __tablename__ = "quotation_revision"
    __table_args__ = (UniqueConstraint("quotation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quotation_id: Mapped[int] = mapped_column(ForeignKey("quotation.id"), index=True)
    number: Mapped[int] = mapped_column()
    content: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    quotation: Mapped[Quotation] = relationship(back_populates="revisions")
    created_by: Mapped[User | None] = relationship()

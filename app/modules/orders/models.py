"""Customers, products and sales orders."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.core.columns import UTCDateTime
from app.core.tasks.models import ProcessInstance
from app.core.users.models import User
from app.extensions import db

ORDER_TYPES = ("regular", "new", "non_standard")
ORDER_STATUSES = (
    "in_review",
    "rejected",
    "review_passed",
    "awaiting_customer",
    "confirmed",  # by the customer; the review meeting is next
    "released",
    "in_production",  # production reported progress (app/modules/progress)
    "production_complete",  # every line made in full; it has left the production plan
    "partly_shipped",  # some goods shipped (app/modules/shipping)
    "shipped",  # every line shipped in full
    "delivered",  # the customer signed for every line in full
    "closed",  # delivered and closed out by finance (app/modules/closeout)
    "cancelled",
    "error",
)
# The statuses of an order whose production is still to do: the plan reads these (by the
# status index), never the finished history. Shipping and delivery (partly_shipped, shipped,
# delivered) and close-out add statuses after "production_complete"; they stay out of this
# tuple, so the plan's cost stays bounded.
IN_PLAN_STATUSES = ("released", "in_production")
# Released to production, whatever happened since (a repeat customer, a change request's scope).
RELEASED_STATUSES = (
    "released",
    "in_production",
    "production_complete",
    "partly_shipped",
    "shipped",
    "delivered",
    "closed",
)
# The specification a non-standard line must carry (DOMAIN.md: 非标 items).
SPEC_FIELDS = (
    "structure_function",
    "dimensions_performance",
    "technical_requirements",
    "process_requirements",
    "quality_requirements",
    "packaging_requirements",
    "packaging_materials",
)
# What sales types on an order: its header, and each line (a catalogue line also names its
# product). A revision or a change replaces exactly these; the change diff compares them.
HEADER_FIELDS = (
    "customer",
    "customer_po",
    "order_type",
    "requested_date",
    "promised_date",
    "currency",
    "notes",
)
LINE_FIELDS = ("description", "quantity", "unit_price", *SPEC_FIELDS)


class Customer(db.Model):
    """A customer who places orders."""

    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    contact: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    tier: Mapped[str] = mapped_column(String(20), default="standard")
    # Where quotations are mailed (app/modules/quotations); empty: they are downloaded only.
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")


class ProductionLine(db.Model):
    """A production line (产线) that can make products."""

    __tablename__ = "production_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Hours of work the line can do on a working day (shifts x hours x stations), for planning.
    daily_hours: Mapped[Decimal] = mapped_column(
        Numeric(8, 2), default=Decimal("16"), server_default="16"
    )


class Product(db.Model):
    """A standard catalogue product."""

    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20), default="pcs")
    standard_cost: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rates: Mapped[list["ProductLineRate"]] = relationship(
        back_populates="product", cascade="all, delete-orphan"
    )


class ProductChange(db.Model):
    """One change of a product (its creation included): who, when, why, each field before and
    after (`changes`: JSON list of {"field", "before", "after"}; rates as "rate:<line code>")."""

    __tablename__ = "product_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # create | edit
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[str] = mapped_column(Text, default="[]")

    changed_by: Mapped[User | None] = relationship()


class ProductLineRate(db.Model):
    """Which line can make a product, and how many hours a unit takes there."""

    __tablename__ = "product_line_rate"

    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("production_line.id"), primary_key=True)
    hours_per_unit: Mapped[Decimal] = mapped_column(Numeric(10, 4))

    product: Mapped[Product] = relationship(back_populates="rates")
    line: Mapped[ProductionLine] = relationship()


class Order(db.Model):
    """A sales order (订单); its process instance carries it through review."""

    __tablename__ = "sales_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    customer_po: Mapped[str] = mapped_column(String(80), default="")
    order_type: Mapped[str] = mapped_column(String(20), default="regular")
    status: Mapped[str] = mapped_column(String(20), default="in_review", index=True)
    requested_date: Mapped[date | None] = mapped_column(Date)
    promised_date: Mapped[date | None] = mapped_column(Date)
    revision: Mapped[int] = mapped_column(default=1)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    # CNY per unit of `currency`, recorded when the customer confirms (config EXCHANGE_RATES);
    # close-out converts the order's prices with it (finance enters it there when missing).
    exchange_rate: Mapped[Decimal | None] = mapped_column(Numeric(14, 6))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The return flag: a return was requested against the order (app/modules/returns sets it),
    # so the order list can filter them without reading the returns' tables.
    has_returns: Mapped[bool] = mapped_column(default=False, server_default=false(), index=True)
    # Entered from a quotation the customer accepted (app/modules/quotations): the intake
    # decision table (workflows/intake_route.dmn) reads it as order['from_quotation'].
    from_quotation: Mapped[bool] = mapped_column(default=False, server_default=false())

    customer: Mapped[Customer] = relationship()
    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.position"
    )
    # The processes run for this order (the core names it as subject "order" + id).
    instances: Mapped[list[ProcessInstance]] = relationship(
        ProcessInstance,
        primaryjoin="and_(foreign(ProcessInstance.subject_key) == Order.id,"
        " ProcessInstance.subject_type == 'order')",
        order_by=ProcessInstance.id,
        viewonly=True,
    )
    revisions: Mapped[list["OrderRevision"]] = relationship(
        back_populates="order", order_by="OrderRevision.number"
    )
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="order", order_by="Attachment.id"
    )

    @property
    def total(self) -> Decimal:
        """The order value: the sum of quantity times unit price."""
        return sum((line.amount for line in self.lines), Decimal(0))


class SpecColumns:
    """The columns of a non-standard item's specification (SPEC_FIELDS), shared by an order line
    and a quoted line (app/modules/quotations), which becomes one."""

    structure_function: Mapped[str] = mapped_column(Text, default="")
    dimensions_performance: Mapped[str] = mapped_column(Text, default="")
    technical_requirements: Mapped[str] = mapped_column(Text, default="")
    process_requirements: Mapped[str] = mapped_column(Text, default="")
    quality_requirements: Mapped[str] = mapped_column(Text, default="")
    packaging_requirements: Mapped[str] = mapped_column(Text, default="")
    packaging_materials: Mapped[str] = mapped_column(Text, default="")


class OrderLine(SpecColumns, db.Model):
    """One line of an order: a catalogue product or a described non-standard item."""

    __tablename__ = "order_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    position: Mapped[int] = mapped_column(default=1)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    description: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=0)
    # Each reviewing department's estimate for a non-standard item, kept apart: the plan uses
    # production's when given, else engineering's (`planned_estimate`, docs/PLANNING.md).
    eng_hours_per_unit: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    eng_line_id: Mapped[int | None] = mapped_column(ForeignKey("production_line.id"))
    prod_hours_per_unit: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    prod_line_id: Mapped[int | None] = mapped_column(ForeignKey("production_line.id"))
    standard_product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    # What production reported made so far (0..quantity), kept by the progress reports
    # (app/modules/fulfilment); the plan counts only the hours of the rest.
    quantity_done: Mapped[Decimal] = mapped_column(
        Numeric(14, 3), default=Decimal(0), server_default="0"
    )

    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped[Product | None] = relationship(foreign_keys=[product_id])
    eng_line: Mapped[ProductionLine | None] = relationship(foreign_keys=[eng_line_id])
    prod_line: Mapped[ProductionLine | None] = relationship(foreign_keys=[prod_line_id])
    standard_product: Mapped[Product | None] = relationship(foreign_keys=[standard_product_id])

    def estimate_of(self, department: str) -> "Estimate | None":
        """The department's (`engineering` or `production`) estimate for this item, if given."""
        hours, line = (
            (self.prod_hours_per_unit, self.prod_line)
            if department == "production"
            else (self.eng_hours_per_unit, self.eng_line)
        )
        return Estimate(department, hours, line) if hours and line is not None else None

    @property
    def estimates(self) -> list["Estimate"]:
        """Every department's estimate, the one the plan uses first."""
        found = [self.estimate_of(d) for d in ESTIMATE_DEPARTMENTS]
        return [estimate for estimate in found if estimate is not None]

    @property
    def planned_estimate(self) -> "Estimate | None":
        """The estimate the plan uses: production's when given, else engineering's."""
        return next(iter(self.estimates), None)

    @property
    def is_standard(self) -> bool:
        """A catalogue product line, as opposed to a described non-standard item."""
        return self.product_id is not None

    @property
    def amount(self) -> Decimal:
        """Quantity times unit price."""
        return (self.quantity or 0) * (self.unit_price or 0)


# Who estimates a non-standard item, in the order the plan prefers their estimate.
ESTIMATE_DEPARTMENTS = ("production", "engineering")


@dataclass(frozen=True)
class Estimate:
    """One department's hours per unit for an item, on the line it would make it on."""

    department: str
    hours_per_unit: Decimal
    line: ProductionLine


class OrderRevision(db.Model):
    """An immutable snapshot of an order's data; the newest approved one is current."""

    __tablename__ = "order_revision"
    __table_args__ = (UniqueConstraint("order_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    number: Mapped[int] = mapped_column()
    data: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    order: Mapped[Order] = relationship(back_populates="revisions")


class Attachment(db.Model):
    """A file attached to an order (drawings, specs, a signed confirmation scan)."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30), default="document")
    file_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    order: Mapped[Order] = relationship(back_populates="attachments")

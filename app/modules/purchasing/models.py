"""Purchasing (采购管理): components and bills of materials, the stock ledger and its balances,
material requirements and reservations of released orders, purchase requests, suppliers,
purchase orders and their receipts (docs/PURCHASING.md)."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.core.columns import UTCDateTime
from app.core.users.models import User
from app.extensions import db
from app.modules.orders.models import Order, OrderLine, Product

MOVE_KINDS = ("receipt", "issue", "adjustment")
REQUEST_STATUSES = ("open", "ordered", "cancelled")
PO_STATUSES = (
    "draft",
    "pending_approval",
    "approved",
    "rejected",
    "partly_received",
    "received",
    "cancelled",
)
RECEIPT_STATUSES = ("pending_inspection", "accepted")


class Component(db.Model):
    """A purchased material or part (物料) with its one unit of measure."""

    __tablename__ = "component"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BomLine(db.Model):
    """How much of a component one unit of a product (or of a non-standard order line, as
    engineering gives it in review) takes, in the component's unit."""

    __tablename__ = "bom_line"
    __table_args__ = (
        UniqueConstraint("product_id", "component_id", name="uq_bom_line_product_component"),
        UniqueConstraint("order_line_id", "component_id", name="uq_bom_line_item_component"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"), index=True)
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_line.id"), index=True)
    component_id: Mapped[int] = mapped_column(ForeignKey("component.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))

    product: Mapped[Product | None] = relationship()
    order_line: Mapped[OrderLine | None] = relationship()
    component: Mapped[Component] = relationship()


class StockBalance(db.Model):
    """A component's stock: what is on hand, how much of it orders reserved, and its value (CNY,
    moving average). Changed only together with a ledger row, in the same transaction, and
    under a row lock (SELECT ... FOR UPDATE)."""

    __tablename__ = "stock_balance"

    component_id: Mapped[int] = mapped_column(ForeignKey("component.id"), primary_key=True)
    on_hand: Mapped[Decimal] = mapped_column(Numeric(16, 3), default=Decimal(0))
    reserved: Mapped[Decimal] = mapped_column(Numeric(16, 3), default=Decimal(0))
    value: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal(0))

    component: Mapped[Component] = relationship()

    @property
    def free(self) -> Decimal:
        """On hand less reserved: what a new requirement may take."""
        return self.on_hand - self.reserved


class StockMove(db.Model):
    """One movement of stock (a ledger row, never changed): a receipt in, an issue to an order
    out, or an adjustment with its reason. Quantity and value are signed (out is negative)."""

    __tablename__ = "stock_move"
    __table_args__ = (Index("ix_stock_move_component_id_id", "component_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    component_id: Mapped[int] = mapped_column(ForeignKey("component.id"))
    kind: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[Decimal] = mapped_column(Numeric(16, 3))
    value: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    reason: Mapped[str] = mapped_column(Text, default="")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id"), index=True)
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_line.id"))
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("po_receipt.id"))
    moved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    moved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    component: Mapped[Component] = relationship()
    order: Mapped[Order | None] = relationship()
    moved_by: Mapped[User | None] = relationship()


class Requirement(db.Model):
    """What one order line needs of one component (its BOM x the line's quantity), how much of
    it is reserved from stock and how much was issued to production."""

    __tablename__ = "material_requirement"
    __table_args__ = (
        UniqueConstraint("order_line_id", "component_id", name="uq_requirement_line_component"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"))
    component_id: Mapped[int] = mapped_column(ForeignKey("component.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Numeric(16, 3))
    reserved: Mapped[Decimal] = mapped_column(Numeric(16, 3), default=Decimal(0))
    issued: Mapped[Decimal] = mapped_column(Numeric(16, 3), default=Decimal(0))
    promised_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship()
    order_line: Mapped[OrderLine] = relationship()
    component: Mapped[Component] = relationship()

    @property
    def shortage(self) -> Decimal:
        """What is neither reserved nor issued yet."""
        return max(self.quantity - self.reserved, Decimal(0))


class Reservation(db.Model):
    """Units of a component set aside for a requirement (from free stock, or from a receipt
    that fulfils it). Rows are never changed; a requirement's `reserved` is their sum."""

    __tablename__ = "stock_reservation"

    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("material_requirement.id"), index=True)
    component_id: Mapped[int] = mapped_column(ForeignKey("component.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Numeric(16, 3))
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("po_receipt.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    requirement: Mapped[Requirement] = relationship()


class Supplier(db.Model):
    """A supplier (供应商) purchasing orders from."""

    __tablename__ = "supplier"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PurchaseOrder(db.Model):
    """A purchase order (采购单) to one supplier; above an amount it needs approval."""

    __tablename__ = "purchase_order"
    # Serves the list's "of one status, newest first, a page" (and status lookups on their own).
    __table_args__ = (Index("ix_purchase_order_status_newest", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    total: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal(0))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    # When the people concerned last heard that it is late (told once per late spell).
    late_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    supplier: Mapped[Supplier] = relationship()
    created_by: Mapped[User | None] = relationship()
    lines: Mapped[list["PurchaseOrderLine"]] = relationship(
        back_populates="purchase_order",
        cascade="all, delete-orphan",
        order_by="PurchaseOrderLine.id",
    )


class PurchaseOrderLine(db.Model):
    """One component on a purchase order: quantity, price, expected arrival, and what arrived."""

    __tablename__ = "purchase_order_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    component_id: Mapped[int] = mapped_column(ForeignKey("component.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Numeric(16, 3))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    expected_date: Mapped[date] = mapped_column(Date)
    received: Mapped[Decimal] = mapped_column(Numeric(16, 3), default=Decimal(0))  # accepted
    rejected: Mapped[Decimal] = mapped_column(Numeric(16, 3), default=Decimal(0))
    pending: Mapped[Decimal] = mapped_column(Numeric(16, 3), default=Decimal(0))  # inspecting

    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="lines")
    component: Mapped[Component] = relationship()

    @property
    def open_quantity(self) -> Decimal:
        """What is still to arrive (rejected units are to arrive again)."""
        return max(self.quantity - self.received - self.pending, Decimal(0))


class PurchaseRequest(db.Model):
    """A shortage of a component for an order (请购), until purchasing puts it on an order."""

    __tablename__ = "purchase_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("material_requirement.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    component_id: Mapped[int] = mapped_column(ForeignKey("component.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Numeric(16, 3))
    needed_by: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    po_line_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_order_line.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    requirement: Mapped[Requirement] = relationship()
    order: Mapped[Order] = relationship()
    component: Mapped[Component] = relationship()
    po_line: Mapped[PurchaseOrderLine | None] = relationship()


class Receipt(db.Model):
    """What arrived against a purchase order line (partial deliveries are several receipts);
    quality may inspect it first, accepting part and rejecting part with a reason."""

    __tablename__ = "po_receipt"

    id: Mapped[int] = mapped_column(primary_key=True)
    po_line_id: Mapped[int] = mapped_column(ForeignKey("purchase_order_line.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Numeric(16, 3))
    accepted: Mapped[Decimal] = mapped_column(Numeric(16, 3), default=Decimal(0))
    rejected: Mapped[Decimal] = mapped_column(Numeric(16, 3), default=Decimal(0))
    reject_reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="accepted", index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    inspected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    inspected_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    po_line: Mapped[PurchaseOrderLine] = relationship()

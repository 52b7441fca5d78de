"""What the shipping pages read: per-line quantities (ordered, made, shipped, delivered) and an
order's shipments. Everything is per order, so a page's cost is one order's, never history's."""

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import case, func

from app.errors import NotFound
from app.extensions import db
from app.modules.orders.models import Order, OrderLine
from app.modules.shipping.models import Shipment, ShipmentLine

ZERO = Decimal(0)


@dataclass(frozen=True)
class LineShipping:
    """One order line's quantities: ordered, made (production's report), shipped, delivered."""

    line: OrderLine
    shipped: Decimal
    delivered: Decimal

    @property
    def ordered(self) -> Decimal:
        """What the customer ordered."""
        return self.line.quantity

    @property
    def made(self) -> Decimal:
        """What production reported made so far."""
        return self.line.quantity_done or ZERO

    @property
    def shippable(self) -> Decimal:
        """What may still ship: made and not yet shipped (never more than is still ordered)."""
        return max(ZERO, min(self.made, self.ordered) - self.shipped)

    @property
    def shipped_in_full(self) -> bool:
        """Every unit ordered has shipped."""
        return self.shipped >= self.ordered

    @property
    def delivered_in_full(self) -> bool:
        """The customer signed for every unit ordered."""
        return self.delivered >= self.ordered


def line_totals(order: Order) -> list[LineShipping]:
    """Each line of the order with what has shipped and what the customer signed for."""
    received = Shipment.received_on.is_not(None)
    rows = db.session.execute(
        db.select(
            ShipmentLine.order_line_id,
            func.sum(ShipmentLine.quantity),
            func.sum(case((received, ShipmentLine.quantity), else_=0)),
        )
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(Shipment.order_id == order.id)
        .group_by(ShipmentLine.order_line_id)
        .order_by(ShipmentLine.order_line_id)
    ).all()
    sums = {line_id: (Decimal(shipped), Decimal(done)) for line_id, shipped, done in rows}
    return [
        LineShipping(line, *sums.get(line.id, (ZERO, ZERO)))
        for line in sorted(order.lines, key=lambda item: item.position)
    ]


def shipments_of(order: Order) -> list[Shipment]:
    """The order's shipments, first first."""
    return list(
        db.session.scalars(
            db.select(Shipment).where(Shipment.order_id == order.id).order_by(Shipment.sequence)
        )
    )


def has_shipments(order_id: int) -> bool:
    """Whether anything of the order has shipped."""
    found = db.session.scalar(db.select(Shipment.id).where(Shipment.order_id == order_id).limit(1))
    return found is not None


def get_shipment(shipment_id: int) -> Shipment:
    """One shipment or NotFound."""
    shipment = db.session.get(Shipment, shipment_id)
    if shipment is None:
        raise NotFound(_("This shipment does not exist."))
    return shipment

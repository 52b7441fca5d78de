"""The material cost of an order's lines for close-out: the value of the stock issued to each
line (issues go out at the moving average of what receipts brought in at their purchase
prices), less what came back to stock for it. Registered with close-out (hooks.py), which
pre-fills its costing form with it."""

from decimal import Decimal

from app.extensions import db
from app.modules.orders.models import Order
from app.modules.purchasing.models import StockMove


def material_cost(order: Order) -> dict[int, Decimal]:
    """Per order line id, the value of the material issued to it (CNY); lines with none are
    left out."""
    rows = db.session.execute(
        db.select(StockMove.order_line_id, db.func.sum(StockMove.value))
        .where(StockMove.order_id == order.id, StockMove.kind == "issue")
        .group_by(StockMove.order_line_id)
        .order_by(StockMove.order_line_id)
    )
    return {line_id: -Decimal(total) for line_id, total in rows if line_id is not None and total}

"""Demo data for returns (`flask seed-demo`): each delivered demo order gets a customer complaint
and a return of one piece for an exchange, waiting for quality's inspection."""

from app.core.users.models import User
from app.extensions import db
from app.modules.orders.models import Order
from app.modules.returns.models import Complaint, ReturnRequest
from app.modules.returns.services import complaints, requests


def seed(sales: User) -> int:
    """A complaint and a return on every delivered order that has neither; returns how many
    orders got them. Running it again changes nothing."""
    seeded = 0
    for order in db.session.scalars(
        db.select(Order).where(Order.status == "delivered").order_by(Order.id)
    ):
        has_any = db.session.scalar(
            db.select(ReturnRequest.id).where(ReturnRequest.order_id == order.id).limit(1)
        ) or db.session.scalar(
            db.select(Complaint.id).where(Complaint.order_id == order.id).limit(1)
        )
        if has_any:
            continue
        complaints.record_complaint(
            sales, order.id, "packaging", "两箱外包装破损，客户要求改进包装。"
        )
        available = [item for item in requests.returnable_lines(order) if item.available >= 1]
        if available:
            requests.request_return(
                sales,
                order.id,
                {available[0].line.id: "1"},
                "defective",
                "一件产品表面划伤，客户要求换货。",
                "exchange",
            )
        seeded += 1
    return seeded

"""Customer complaints (客户投诉) recorded against an order and its customer, with or without a
return; they count in the customer's history."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import limits
from app.core.audit import services as audit
from app.core.notifications import services as notifications
from app.core.submissions import uniqueness
from app.core.users import permissions
from app.core.users.models import User
from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.modules.orders.models import Order
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.access import deny_order
from app.modules.returns.models import Complaint

CATEGORIES = {
    "quality": _l("Product quality"),
    "delivery": _l("Delivery (late, incomplete, damaged in transit)"),
    "packaging": _l("Packaging"),
    "documents": _l("Documents or invoicing"),
    "service": _l("Service and communication"),
    "other": _l("Other"),
}
# Orders a complaint may concern: any the customer holds a commitment on (not a draft in review).
NOT_COMPLAINABLE = ("in_review", "rejected", "cancelled")


def may_record(actor: User, order: Order) -> bool:
    """Whether `actor` may record a complaint about `order` (the order page offers it then)."""
    return order.status not in NOT_COMPLAINABLE and permissions.may_handle_orders(actor)


@uniqueness.in_savepoint
def record_complaint(
    actor: User, order_id: int, category: str, description: str, form_token: str = ""
) -> Complaint:
    """Record a complaint; quality and the order's owner are told. Sent twice, the form answers
    with the first complaint."""
    order = db.session.get(Order, order_id)
    if order is None:
        raise NotFound(_("This order does not exist."))
    if not permissions.may_handle_orders(actor):
        raise deny_order(actor, order, "complaint")
    submission = uniqueness.claim_submission(actor, form_token, "complaint")
    errors: dict[str, str] = {}
    if order.status in NOT_COMPLAINABLE:
        errors["__form__"] = _("An order still in review or cancelled takes no complaint.")
    if category not in CATEGORIES:
        errors["category"] = _("Choose what the complaint is about.")
    description = limits.check_text(description, "notes", errors, "description")
    if not description and "description" not in errors:
        errors["description"] = _("Say what the customer complains about.")
    if errors:
        raise InvalidInput(errors=errors)
    complaint = Complaint(
        order=order,
        customer_id=order.customer_id,
        category=category,
        description=description,
        raised_by_id=actor.id,
    )
    db.session.add(complaint)
    db.session.flush()
    uniqueness.bind_submission(submission, complaint.id)
    audit.record(
        actor,
        "complaint.record",
        "complaint",
        complaint.id,
        subject=order_subject.ref(order),
        data={"category": category},
    )
    notifications.notify_users(
        [*notifications.department_member_ids("quality"), order.created_by_id],
        order_subject.ref(order),
        "complaint_recorded",
        {"number": order.number, "complaint": complaint.id, "category": category},
    )
    return complaint

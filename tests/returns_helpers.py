"""Shared steps of the returns tests: a delivered order, a return asked as the page does, the
return's open step completed by its department."""

from io import BytesIO

from werkzeug.datastructures import FileStorage, MultiDict

from app.core import clock
from app.core.tasks import completion as tasks
from app.core.tasks.models import HumanTask
from app.extensions import db
from app.modules.orders.services.orders import LineInput
from app.modules.returns.models import ReturnRequest
from app.modules.returns.services import requests
from app.modules.shipping.services import shipping
from tests.answers import SPECS

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
ACCEPT = {"decision": "approve", "reason": "Cracks confirmed on 3 pieces"}
APPROVE = {"decision": "approve"}


def deliver(order, warehouse) -> None:
    """Make, ship and have the customer sign for every line in full (shipping's services): the
    order is then delivered, with its delivered quantities recorded per line."""
    order.status = "production_complete"  # production's figures (fulfilment) set directly
    for line in order.lines:
        line.quantity_done = line.quantity
    db.session.commit()
    today = clock.today().isoformat()
    shipped = shipping.record_shipment(
        warehouse, order.id, {line.id: str(line.quantity) for line in order.lines}, "SF", "SF1",
        today, "",
    )  # fmt: skip
    db.session.commit()
    signed = FileStorage(stream=BytesIO(PNG), filename="signed.png")
    shipping.record_receipt(warehouse, shipped.id, signed, "Ann Smith", today)
    db.session.commit()
    db.session.refresh(order)
    assert order.status == "delivered", order.status


def delivered_order(make_order, make_user, quantity="10", price="2.5", **overrides):
    """An order with one non-standard line, made, shipped and signed for in full."""
    lines = overrides.pop("lines", None) or [
        LineInput(description="Custom bracket", quantity=quantity, unit_price=price, specs=SPECS)
    ]
    order = make_order(lines=lines, **overrides)
    deliver(order, make_user("warehouse"))
    return order


def ask(order, actor, quantities: dict, outcome="exchange", **extra) -> ReturnRequest:
    """A return request as the form sends it; committed."""
    request = requests.request_return(
        actor,
        order.id,
        {line_id: str(qty) for line_id, qty in quantities.items()},
        extra.pop("reason_category", "defective"),
        extra.pop("reason", "Cracked welds"),
        outcome,
        extra.pop("files", ()),
        extra.pop("form_token", ""),
    )
    db.session.commit()
    return request


def open_step(request: ReturnRequest) -> HumanTask | None:
    """The return's one open step, if any."""
    return db.session.scalar(
        db.select(HumanTask).where(
            HumanTask.instance_id == request.instance_id, HumanTask.state == "ready"
        )
    )


def act(request: ReturnRequest, make_user, answers: dict, user=None) -> HumanTask:
    """Complete the open step as its department (its head for a head-only step)."""
    task = open_step(request)
    assert task is not None, "no open step"
    if user is None:
        user = make_user(task.department.key, role="head" if task.role == "head" else "member")
    tasks.complete_task(task.id, user, MultiDict(answers))
    db.session.commit()
    db.session.refresh(request)
    return task

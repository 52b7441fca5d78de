"""The fulfilment process after "ready to ship" (workflows/order_fulfilment.bpmn): the shipping
pages send shipped_in_full and delivered; a shipment in full overtakes the warehouse's open
goods-receipt step."""

from io import BytesIO

import pytest
from werkzeug.datastructures import FileStorage

from app.core import clock
from app.core.tasks.models import HumanTask
from app.extensions import db
from app.modules.fulfilment.services import process, reporting
from app.modules.shipping.services import shipping
from tests.shipping_helpers import PNG


@pytest.fixture
def made_order(released_order, make_user):
    """The released order (10 units of a non-standard item) made in full: production complete."""
    reporting.report(make_user("production"), released_order.lines[0].id, "packing", "10", "")
    db.session.commit()
    assert released_order.status == "production_complete"
    return released_order


def steps(order) -> dict[str, str]:
    instance = process.fulfilment_of(order.id)
    rows = db.session.scalars(
        db.select(HumanTask).where(HumanTask.instance_id == instance.id).order_by(HumanTask.id)
    )
    return {row.spec_name: row.state for row in rows}


def ship(keeper, order, quantity):
    line = order.lines[0]
    today = clock.today().isoformat()
    row = shipping.record_shipment(keeper, order.id, {line.id: quantity}, "SF", "", today, "")
    db.session.commit()
    return row


def receive(user, shipment):
    upload = FileStorage(BytesIO(PNG), filename="signed.png", content_type="image/png")
    today = clock.today().isoformat()
    shipping.record_receipt(user, shipment.id, upload, "王建国", today)
    db.session.commit()


def test_shipping_in_full_then_delivery_ends_the_process(made_order, make_user):
    keeper = make_user("warehouse")
    assert steps(made_order) == {"receive_finished_goods": "ready"}
    first = ship(keeper, made_order, "4")
    assert made_order.status == "partly_shipped"
    assert steps(made_order) == {"receive_finished_goods": "ready"}  # nothing overtaken yet
    second = ship(keeper, made_order, "6")
    instance = process.fulfilment_of(made_order.id)
    assert made_order.status == "shipped" and instance.status == "running"
    # The goods left: the warehouse's receipt step was completed by the event.
    assert steps(made_order) == {"receive_finished_goods": "completed"}
    receive(keeper, first)
    assert made_order.status == "shipped" and instance.status == "running"
    receive(make_user("sales"), second)
    db.session.refresh(instance)
    assert made_order.status == "delivered" and instance.status == "completed"


def test_goods_shipped_during_production_count_once_it_completes(released_order, make_user):
    reporter, keeper = make_user("production"), make_user("warehouse")
    line = released_order.lines[0]
    reporting.report(reporter, line.id, "assembly", "4", "")
    db.session.commit()
    ship(keeper, released_order, "4")
    assert released_order.status == "in_production"  # production's status while it goes on
    # The last report completes production; the process's script says production_complete,
    # and the shipment puts the order straight on to partly shipped.
    reporting.report(reporter, line.id, "packing", "10", "")
    db.session.commit()
    assert released_order.status == "partly_shipped"
    assert steps(released_order) == {"receive_finished_goods": "ready"}


def test_the_warehouse_receives_first_then_the_message_is_caught(made_order, make_user, complete):
    keeper = make_user("warehouse")
    complete(made_order, "receive_finished_goods", {"received": "in_full", "location": "A-01"})
    db.session.refresh(made_order)
    assert made_order.status == "production_complete"
    shipment = ship(keeper, made_order, "10")
    instance = process.fulfilment_of(made_order.id)
    assert made_order.status == "shipped" and instance.status == "running"
    receive(keeper, shipment)  # the process took shipped_in_full, so delivered ends it
    db.session.refresh(instance)
    assert made_order.status == "delivered" and instance.status == "completed"

"""The close-out starts from a real delivery: shipping records the customer's receipt of the
last goods, the fulfilment process hears `delivered`, and the close-out of the order starts
(once) with its costing step in finance's inbox."""

from datetime import date

from werkzeug.datastructures import FileStorage

from app.extensions import db
from app.modules.closeout.models import Closeout
from app.modules.closeout.services import process as closeout
from app.modules.fulfilment.services import process as fulfilment
from app.modules.shipping.services import shipping
from tests.closeout_world import CloseoutWorld
from tests.shipping_helpers import png_file, two_line_order


def test_the_last_receipt_starts_the_close_out(make_order, make_user):
    order = two_line_order(make_order, "released", made=("100", "40"))
    fulfilment.start_for(order, None)
    order.status = "production_complete"
    assert fulfilment.tell_production_complete(order)
    db.session.commit()
    keeper = make_user("warehouse")
    today = date.today().isoformat()
    typed = {line.id: str(line.quantity) for line in order.lines}
    shipment = shipping.record_shipment(keeper, order.id, typed, "SF", "SF1", today, "", "")
    db.session.commit()
    assert order.status == "shipped" and closeout.closeout_of(order.id) is None
    stream, name = png_file()
    upload = FileStorage(stream, filename=name, content_type="image/png")
    shipping.record_receipt(keeper, shipment.id, upload, "王建国", today, "")
    db.session.commit()
    assert order.status == "delivered"
    started = closeout.closeout_of(order.id)
    assert started is not None and started.status == "open"
    assert CloseoutWorld.task(None, order, closeout.COSTING_STEP) is not None
    assert db.session.scalar(db.select(db.func.count(Closeout.id))) == 1

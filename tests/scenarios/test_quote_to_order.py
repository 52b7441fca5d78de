"""Issue 13's acceptance for quotations: a quote below the minimum margin goes to approval (the
sales head, then the general manager below 5 %), is approved, sent, accepted by the customer
and becomes an order in one action, with its lines and prices, the two linked both ways; the
order's intake takes the short route the intake table gives an accepted quotation.

Hand-computed figures (QUOTATION_MIN_MARGIN_PCT 15):
- line 1: 10 x Q-100 at 84.00; standard cost 80.00 -> margin (84 - 80) / 84 = 4.7619 -> 4.76 %,
  below 15: flagged; below 5: the general manager approves too;
- line 2: 20 x Q-200 at 12.00; cost history of 4 closed orders, 200 units for 1,700.00 -> 8.5000
  a unit -> margin (12 - 8.5) / 12 = 29.1666 -> 29.17 %, not flagged;
- total 10 x 84 + 20 x 12 = 840 + 240 = 1,080.00 CNY.
"""

from decimal import Decimal

import pytest
from werkzeug.datastructures import FileStorage, MultiDict

from app.core.notifications.models import MailOutbox, Notification
from app.core.tasks import completion
from app.core.tasks.models import HumanTask
from app.extensions import db
from app.modules.closeout.models import ProductCost
from app.modules.quotations.services import acceptance, approval, sending
from tests.answers import FORM_ANSWERS
from tests.conftest import open_task
from tests.quotations_helpers import QuoteWorld
from tests.shipping_helpers import png_file

D = Decimal


def quotation_task(quotation, spec_name: str) -> HumanTask | None:
    return db.session.scalar(
        db.select(HumanTask).where(
            HumanTask.subject_type == "quotation",
            HumanTask.subject_key == quotation.id,
            HumanTask.spec_name == spec_name,
            HumanTask.state == "ready",
        )
    )


def decide(quotation, spec_name: str, user, answers: dict) -> None:
    task = quotation_task(quotation, spec_name)
    assert task is not None, f"{spec_name} is not open"
    completion.complete_task(task.id, user, MultiDict(answers))
    db.session.commit()


@pytest.fixture
def world(make_user, app, monkeypatch) -> QuoteWorld:
    monkeypatch.setitem(app.config, "MAIL_HOST", "mail.example")  # the outbox takes mail
    found = QuoteWorld(make_user)
    db.session.add(
        ProductCost(product_id=found.p200.id, orders_closed=4, quantity=D("200"),
                    actual_cost=D("1700"), revenue=D("2400"))
    )  # fmt: skip
    db.session.commit()
    return found


def test_a_quote_below_margin_is_approved_accepted_and_becomes_an_order(world, make_user):
    quote = world.quote(world.line(world.p100, "10", "84"), world.line(world.p200, "20", "12"))
    first, second = quote.lines
    assert (first.cost_source, first.unit_cost, first.margin_pct) == (
        "standard",
        D("80"),
        D("4.76"),
    )
    assert (second.cost_source, second.unit_cost, second.cost_orders) == ("history", D("8.5"), 4)
    assert second.margin_pct == D("29.17") and quote.total == D("1080.00")
    assert quote.flagged and not sending.may_send(quote)

    approval.request_approval(world.sales, quote.id)
    db.session.commit()
    assert quote.status == "in_approval" and approval.lowest_margin(quote) == D("4.76")
    decide(quote, "quotation_approval_sales", world.sales_head, {"decision": "approve"})
    assert quote.status == "in_approval"  # below 5 %: the general manager too
    decide(quote, "quotation_approval_gm", make_user("management", role="head"),
           {"decision": "approve"})  # fmt: skip
    db.session.expire_all()
    assert quote.status == "approved"
    told = db.session.scalars(
        db.select(Notification).where(Notification.kind == "quotation_news")
    ).all()
    assert [note.user_id for note in told] == [world.sales.id]

    sending.send_quotation(world.sales, quote.id)
    db.session.commit()
    assert quote.status == "sent" and quote.revisions[0].sent_at is not None
    mailed = db.session.scalar(db.select(MailOutbox).where(MailOutbox.user_id.is_(None)))
    assert mailed.recipient == "buyer@huadong.example" and "1080.00 CNY" in mailed.body_text

    scan = FileStorage(*png_file(), content_type="image/png")
    acceptance.accept_with_scan(world.sales, quote.id, scan, "王建国")
    db.session.commit()
    assert (quote.status, quote.accepted_by_name, quote.accepted_revision) == (
        "accepted",
        "王建国",
        1,
    )

    order = acceptance.convert_to_order(world.sales, quote.id)
    db.session.commit()
    db.session.expire_all()
    assert quote.status == "ordered" and quote.order_id == order.id
    assert acceptance.from_order(order.id).id == quote.id
    assert (order.customer_id, order.currency, order.order_type) == (
        world.customer.id, "CNY", "regular",
    )  # fmt: skip
    assert [(line.product_id, line.quantity, line.unit_price) for line in order.lines] == [
        (world.p100.id, D("10"), D("84")),
        (world.p200.id, D("20"), D("12")),
    ]
    assert order.total == D("1080") and order.from_quotation and order.status == "in_review"
    # A new customer's regular order of catalogue products from an accepted quotation: the
    # intake table's short route (PMC checks it alone).
    completion.complete_task(
        open_task(order, "confirm_order").id,
        world.sales,
        MultiDict({**FORM_ANSWERS["confirm_order"], "order_category": "regular"}),
    )  # fmt: skip
    db.session.commit()
    assert open_task(order, "pmc_check") is not None and open_task(order, "pmc_dispatch") is None


def test_a_non_standard_item_still_gets_the_cross_department_review(world):
    quote = world.quote(world.line(world.p100, "10", "100"), world.line(None, "2", "500"))
    sending.send_quotation(world.sales, quote.id)
    scan = FileStorage(*png_file(), content_type="image/png")
    acceptance.accept_with_scan(world.sales, quote.id, scan, "Li Na")
    order = acceptance.convert_to_order(world.sales, quote.id)
    db.session.commit()
    assert order.order_type == "non_standard" and order.lines[1].structure_function
    completion.complete_task(
        open_task(order, "confirm_order").id,
        world.sales,
        MultiDict({**FORM_ANSWERS["confirm_order"], "order_category": "non_standard"}),
    )  # fmt: skip
    db.session.commit()
    assert open_task(order, "pmc_dispatch") is not None and open_task(order, "pmc_check") is None

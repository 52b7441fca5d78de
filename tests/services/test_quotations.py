"""Quotations: the cost basis, margin and flags against hand-computed numbers, the bounds of
what sales types, revisions, and who may write them (docs/QUOTATIONS.md)."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest

from app.core import clock
from app.core.audit.models import AuditEvent
from app.errors import Conflict, InvalidInput, PermissionDenied
from app.extensions import db
from app.modules.closeout.models import ProductCost
from app.modules.orders.models import Customer
from app.modules.orders.services.order_input import LineInput
from app.modules.quotations.models import Quotation
from app.modules.quotations.services import pricing, quotations
from tests.quotations_helpers import QuoteWorld

D = Decimal


@pytest.fixture
def world(make_user) -> QuoteWorld:
    return QuoteWorld(make_user)


def flags(line) -> list[str]:
    return [flag["code"] for flag in pricing.stored_flags(line.flags)]


def test_standard_cost_basis_and_margin(world):
    # Q-100 costs 80 (standard): at 100 the margin is 20/100 = 20.00 % (not flagged, min 15);
    # at 90 it is 10/90 = 11.11 % -> flagged "low_margin".
    fine = world.quote(world.line(world.p100, "10", "100"))
    (line,) = fine.lines
    assert (line.cost_source, line.unit_cost, line.cost_orders) == ("standard", D("80"), 0)
    assert line.margin_pct == D("20.00") and flags(line) == [] and not fine.flagged
    low = world.quote(world.line(world.p100, "10", "90"))
    (line,) = low.lines
    assert line.margin_pct == D("11.11") and flags(line) == ["low_margin"] and low.flagged
    assert "11.11" in pricing.flag_text(pricing.stored_flags(line.flags)[0])


def test_cost_history_from_closed_orders_wins_over_the_standard_cost(world):
    # Four closed orders: 200 units cost 1700.00 in all -> 8.5000 per unit (close-out's
    # quantity-weighted average); at 10.00 the margin is 1.5/10 = 15.00 % (not below 15).
    db.session.add(
        ProductCost(
            product_id=world.p200.id,
            orders_closed=4,
            quantity=D("200"),
            actual_cost=D("1700"),
            revenue=D("2400"),
        )
    )
    db.session.commit()
    found = world.quote(world.line(world.p200, "5", "10"))
    (line,) = found.lines
    assert (line.cost_source, line.unit_cost, line.cost_orders) == ("history", D("8.5000"), 4)
    assert line.margin_pct == D("15.00") and flags(line) == []


def test_far_below_the_customers_past_prices(world):
    # Six earlier orders of Q-200 at 50 (oldest), 100, 110, 105, 120, 95: the last five give a
    # median of 105; 15 % below is 89.25. At 89 the price is (105-89)/105 = 15.24 % below.
    for price in ("50", "100", "110", "105", "120", "95"):
        _order_for(world, price)
    below = world.quote(world.line(world.p200, "1", "89"))
    (line,) = below.lines
    assert line.past_median == D("105") and flags(line) == ["below_past"]
    flag = pricing.stored_flags(line.flags)[0]
    assert (flag["below"], flag["count"]) == ("15.24", 5)
    at_floor = world.quote(world.line(world.p200, "1", "89.25"))
    assert flags(at_floor.lines[0]) == []


def _order_for(world, price: str):
    """An order of one Q-200 at `price` for the world's customer."""
    from app.modules.orders.services import orders
    from app.modules.orders.services.order_input import OrderInput

    data = OrderInput(
        customer_id=str(world.customer.id),
        order_type="regular",
        lines=[LineInput(product_id=str(world.p200.id), quantity="1", unit_price=price)],
    )
    orders.create_order(world.sales, data)
    db.session.commit()


def test_another_currency_needs_a_rate(world, app, monkeypatch):
    # USD at 7.2 CNY: 12.50 USD = 90.00 CNY against a cost of 80 -> 11.11 %.
    monkeypatch.setitem(app.config, "EXCHANGE_RATES", {"USD": "7.2"})
    usd = world.quote(world.line(world.p100, "1", "12.50"), currency="USD")
    assert usd.lines[0].margin_pct == D("11.11") and flags(usd.lines[0]) == ["low_margin"]
    eur = world.quote(world.line(world.p100, "1", "20"), currency="EUR")
    assert eur.lines[0].margin_pct is None and flags(eur.lines[0]) == ["no_rate"]


def test_configured_thresholds(world, app, monkeypatch):
    monkeypatch.setitem(app.config, "QUOTATION_MIN_MARGIN_PCT", 25)
    found = world.quote(world.line(world.p100, "1", "100"))  # 20 % < 25
    assert flags(found.lines[0]) == ["low_margin"]


def test_a_non_standard_item_has_no_cost_basis(world):
    found = world.quote(world.line(None, "3", "500"))
    (line,) = found.lines
    assert (line.cost_source, line.unit_cost, line.margin_pct) == ("none", None, None)
    assert line.structure_function and not found.flagged


@pytest.mark.parametrize(
    ("header", "line", "field"),
    [
        ({"valid_until": "2000-01-01"}, ("1", "100"), "valid_until"),
        ({"valid_until": "tomorrow"}, ("1", "100"), "valid_until"),
        ({"valid_until": "far"}, ("1", "100"), "valid_until"),
        ({"payment_terms": "x" * 201}, ("1", "100"), "payment_terms"),
        ({"payment_terms": " "}, ("1", "100"), "payment_terms"),
        ({"notes": "n" * 4001}, ("1", "100"), "notes"),
        ({"currency": "XXX"}, ("1", "100"), "currency"),
        ({"customer_id": "999999"}, ("1", "100"), "customer_id"),
        ({}, ("0", "100"), "lines-0-quantity"),
        ({}, ("1", "-1"), "lines-0-unit_price"),
        ({}, ("1", "1.001"), "lines-0-unit_price"),
        ({}, ("1", "NaN"), "lines-0-unit_price"),
    ],
)
def test_bad_input_is_refused_and_stores_nothing(world, header, line, field):
    if header.get("valid_until") == "far":
        header["valid_until"] = (clock.today() + timedelta(days=366)).isoformat()
    typed = LineInput(product_id=str(world.p100.id), quantity=line[0], unit_price=line[1], row=0)
    with pytest.raises(InvalidInput) as refused:
        quotations.create_quotation(world.sales, world.data(typed, **header))
    db.session.rollback()
    assert field in refused.value.errors
    assert db.session.scalar(db.select(db.func.count(Quotation.id))) == 0


def test_no_lines_is_refused(world):
    with pytest.raises(InvalidInput) as refused:
        quotations.create_quotation(world.sales, world.data())
    assert "lines" in refused.value.errors


def test_only_sales_writes_quotations(world, make_user):
    engineer = make_user("engineering")
    with pytest.raises(PermissionDenied):
        quotations.create_quotation(engineer, world.data(world.line(world.p100, "1", "100")))
    db.session.commit()
    denied = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "denied.quotation_create")
    )
    assert denied is not None and denied.user_id == engineer.id
    found = world.quote(world.line(world.p100, "1", "100"))
    with pytest.raises(PermissionDenied):
        quotations.update_quotation(
            engineer, found.id, world.data(world.line(world.p100, "1", "1"))
        )
    with pytest.raises(PermissionDenied):
        quotations.require_prices(make_user("production"), found.id)


def test_an_edit_before_sending_keeps_the_revision_after_sending_makes_the_next(world):
    found = world.quote(world.line(world.p100, "10", "100"))
    assert found.number.startswith("QT-") and found.revision == 1
    quotations.update_quotation(
        world.sales, found.id, world.data(world.line(world.p100, "10", "95"))
    )
    db.session.commit()
    assert found.revision == 1 and len(found.revisions) == 1
    assert json.loads(found.revisions[0].content)["lines"][0]["unit_price"] == "95"
    found.revisions[0].sent_at = clock.utcnow()  # the customer has revision 1
    found.status = "sent"
    db.session.commit()
    with pytest.raises(InvalidInput) as refused:
        quotations.update_quotation(
            world.sales, found.id, world.data(world.line(world.p100, "10", "90"))
        )
    assert "reason" in refused.value.errors
    db.session.rollback()
    quotations.update_quotation(
        world.sales, found.id, world.data(world.line(world.p100, "10", "90")), "Volume discount"
    )
    db.session.commit()
    assert (found.revision, found.status, found.flagged) == (2, "draft", True)
    shown = [(r.number, json.loads(r.content)["lines"][0]["unit_price"]) for r in found.revisions]
    assert shown == [(1, "95"), (2, "90")]
    assert found.revisions[1].reason == "Volume discount"


def test_an_accepted_quotation_cannot_be_edited(world):
    found = world.quote(world.line(world.p100, "10", "100"))
    found.status = "accepted"
    db.session.commit()
    with pytest.raises(Conflict):
        quotations.update_quotation(
            world.sales, found.id, world.data(world.line(world.p100, "10", "1"))
        )


def test_customer_email_is_checked(make_user):
    from app.modules.orders.services import catalogue

    sales = make_user("sales")
    with pytest.raises(InvalidInput) as refused:
        catalogue.create_customer(sales, "Bad Mail Ltd", "", "", "standard", email="not-an-email")
    assert "email" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        catalogue.create_customer(
            sales, "Long Mail Ltd", "", "", "standard", email="a" * 250 + "@x.cn"
        )
    assert "email" in refused.value.errors
    db.session.rollback()
    found = catalogue.create_customer(sales, "Good Mail Ltd", "", "", "standard", email="a@b.cn")
    assert db.session.get(Customer, found.id).email == "a@b.cn"

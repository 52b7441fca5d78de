"""Who reads prices (issue 9): the rule, kept prices on changes, masked form history."""

import json

from app.core.users.permissions import can_see_prices, is_price_field
from app.extensions import db
from app.modules.changes.models import ChangeRequest
from tests.answers import SPECS


def test_the_rule_names_sales_pmc_finance_management_and_admins(make_user):
    for dept in ("sales", "pmc", "finance", "management"):
        assert can_see_prices(make_user(dept)) and can_see_prices(make_user(dept, role="head"))
    for dept in ("engineering", "production", "quality", "warehouse", "purchasing"):
        assert not can_see_prices(make_user(dept, role="head"))
    assert can_see_prices(make_user(None, is_admin=True))
    assert not can_see_prices(make_user(None, is_process_owner=True))
    assert not can_see_prices(None)
    assert is_price_field("standard_cost") and is_price_field("unit_price")
    assert not is_price_field("quantity") and not is_price_field("hours_per_unit")


def _change_form(order, **over):
    data = {
        "customer_id": str(order.customer_id),
        "order_type": order.order_type,
        "currency": order.currency,
        "requested_date": "2027-03-01",
        "promised_date": "2027-03-05",
        "lines-0-description": order.lines[0].description,
        "lines-0-quantity": "12",
        **{f"lines-0-{k}": v for k, v in SPECS.items()},
        "reason_category": "quality",
        "reason": "More parts",
    }
    data.update(over)
    return data


def test_a_department_without_prices_raises_a_change_and_the_price_stays(
    client, login, make_user, released_order
):
    login(make_user("quality"))
    page = client.get(f"/orders/{released_order.id}/changes/new").get_data(as_text=True)
    assert "unit_price" not in page and "2.5" not in page
    # A price typed into the hidden field is ignored: the current price is kept.
    form = _change_form(released_order, **{"lines-0-unit_price": "999"})
    assert client.post(f"/orders/{released_order.id}/changes/new", data=form).status_code == 302
    change = db.session.scalar(db.select(ChangeRequest))
    fields = {row["field"] for row in json.loads(change.diff)}
    assert fields == {"quantity"}
    assert json.loads(change.draft)["lines"][0]["unit_price"] == "2.5"


def test_the_standard_cost_in_the_history_is_hidden_from_engineering(
    client, login, make_user, released_order, complete
):
    complete(
        released_order,
        "standardise_item",
        {"make_standard": "on", "code": "BR-77", "name": "Bracket", "standard_cost": "1234.56"},
    )
    login(make_user("engineering"))
    assert "1234.56" not in client.get(f"/orders/{released_order.id}").get_data(as_text=True)
    login(make_user("finance"))
    assert "1234.56" in client.get(f"/orders/{released_order.id}").get_data(as_text=True)

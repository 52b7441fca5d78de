"""The order list's customer filter: a text field with at most 20 suggestions instead of a
dropdown of every customer (issue 14), filtering by exact name or by id (older bookmarks)."""

import re

from app.extensions import db
from app.modules.orders.models import Customer
from app.modules.orders.services.orders import CUSTOMER_SUGGESTIONS


def _orders_of(plan_world, name: str, number: str):
    customer = Customer(name=name)
    db.session.add(customer)
    order = plan_world.order(number, 5, "2027-04-01")
    order.customer = customer
    db.session.commit()
    return customer


def _listed(page: str) -> list[str]:
    return sorted(re.findall(r">(SO-C-\d+)</a>", page))


def test_the_list_filters_by_exact_name_or_id_and_names_an_unknown_one(
    client, login, make_user, plan_world
):
    acme = _orders_of(plan_world, "ACME Pumps", "SO-C-1")
    _orders_of(plan_world, "Beta Works", "SO-C-2")
    login(make_user("sales"))
    client.post("/language", data={"lang": "en"})
    assert _listed(client.get("/orders").get_data(as_text=True)) == ["SO-C-1", "SO-C-2"]
    by_name = client.get("/orders", query_string={"customer": " ACME Pumps "})
    assert _listed(by_name.get_data(as_text=True)) == ["SO-C-1"]
    by_id = client.get(f"/orders?customer={acme.id}").get_data(as_text=True)
    assert _listed(by_id) == ["SO-C-1"] and 'value="ACME Pumps"' in by_id
    unknown = client.get("/orders", query_string={"customer": "Nobody Ltd"}).get_data(as_text=True)
    assert _listed(unknown) == [] and "data-customer-unknown" in unknown
    assert "No customer is named “Nobody Ltd”" in unknown
    client.post("/language", data={"lang": "zh_CN"})
    zh = client.get("/orders", query_string={"customer": "Nobody Ltd"}).get_data(as_text=True)
    assert "未找到名为“Nobody Ltd”的客户" in zh
    too_long = client.get("/orders", query_string={"customer": "x" * 201})
    assert too_long.status_code == 400


def test_suggestions_are_at_most_twenty_names_that_contain_the_text(
    client, login, make_user, plan_world
):
    names = [f"Kunde {n:02d}" for n in range(CUSTOMER_SUGGESTIONS + 5)] + ["Other_Co", "100%"]
    db.session.add_all(Customer(name=name) for name in names)
    db.session.commit()
    login(make_user("sales"))
    page = client.get("/orders").get_data(as_text=True)
    assert '<select id="customer"' not in page
    assert len(re.findall(r'<option value="Kunde', page)) <= CUSTOMER_SUGGESTIONS

    def suggested(text):
        response = client.get("/orders/customer-suggestions", query_string={"customer": text})
        assert response.status_code == 200
        return re.findall(r'<option value="([^"]*)">', response.get_data(as_text=True))

    kunden = sorted(n for n in names if "kunde" in n.lower())
    assert suggested("KUNDE") == kunden[:CUSTOMER_SUGGESTIONS]
    assert suggested("de 2") == ["Kunde 20", "Kunde 21", "Kunde 22", "Kunde 23", "Kunde 24"]
    assert suggested("_") == ["Other_Co"] and suggested("%") == ["100%"]
    assert suggested("nobody") == []
    too_long = client.get("/orders/customer-suggestions", query_string={"customer": "x" * 201})
    assert too_long.status_code == 400

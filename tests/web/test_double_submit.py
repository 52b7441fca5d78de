"""A create form sent twice (a double click on Save, a resend) saves once and shows that result."""

import re

from app.core.audit.models import AuditEvent
from app.extensions import db
from app.modules.changes.models import ChangeRequest
from app.modules.orders.models import Customer, Order, Product
from app.modules.rush.models import RushRequest
from tests.web.test_change_pages import form as change_form
from tests.web.test_order_entry import entry


def token_of(page: str) -> str:
    """The once-only token the page's form carries."""
    return re.search(r'name="form_token" value="([\w-]+)"', page).group(1)


def english(client) -> None:
    client.post("/language", data={"lang": "en"})


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


NOTE = "This form was sent twice; it was saved only once. Here is the result."


def test_an_order_form_sent_twice_enters_one_order_and_shows_it(client, login, make_user):
    customer = Customer(name="ACME", contact="Ann", address="1 Road", tier="standard")
    db.session.add(customer)
    db.session.commit()
    login(make_user("sales"))
    english(client)
    page = client.get("/orders/new").get_data(as_text=True)
    data = entry(customer, form_token=token_of(page))
    first = client.post("/orders/new", data=data)
    order = db.session.scalar(db.select(Order))
    assert first.status_code == 302 and first.headers["Location"].endswith(f"/orders/{order.id}")
    second = client.post("/orders/new", data=data)
    assert second.status_code == 303
    assert second.headers["Location"].endswith(f"/orders/{order.id}")
    assert NOTE in client.get(second.headers["Location"]).get_data(as_text=True)
    assert count(Order) == 1
    # A fresh form gets a fresh token and enters a second order.
    fresh = token_of(client.get("/orders/new").get_data(as_text=True))
    assert fresh != data["form_token"]
    assert client.post("/orders/new", data={**data, "form_token": fresh}).status_code == 302
    assert count(Order) == 2


def test_a_refused_order_form_keeps_its_token_so_the_corrected_submit_saves(
    client, login, make_user
):
    customer = Customer(name="ACME", contact="Ann", address="1 Road", tier="standard")
    db.session.add(customer)
    db.session.commit()
    login(make_user("sales"))
    token = token_of(client.get("/orders/new").get_data(as_text=True))
    bad = client.post("/orders/new", data=entry(customer, form_token=token, customer_id="x"))
    assert bad.status_code == 400 and token_of(bad.get_data(as_text=True)) == token
    assert client.post("/orders/new", data=entry(customer, form_token=token)).status_code == 302
    assert count(Order) == 1


def test_a_damaged_token_is_refused_with_a_message_and_saves_nothing(client, login, make_user):
    customer = Customer(name="ACME", contact="Ann", address="1 Road", tier="standard")
    db.session.add(customer)
    db.session.commit()
    login(make_user("sales"))
    english(client)
    response = client.post("/orders/new", data=entry(customer, form_token="<x>"))
    assert response.status_code == 400
    assert "This form is damaged or out of date" in response.get_data(as_text=True)
    assert count(Order) == 0


def test_master_data_forms_sent_twice_save_once(client, login, make_user):
    login(make_user("engineering", is_admin=True))
    english(client)
    for path, data, model in (
        ("/catalogue/customers", {"name": "ACME", "tier": "standard"}, Customer),
        ("/catalogue/products", {"code": "P-1", "name": "Flange", "unit": "pcs"}, Product),
    ):
        token = token_of(client.get(path).get_data(as_text=True))
        assert client.post(path, data={**data, "form_token": token}).status_code == 302
        again = client.post(path, data={**data, "form_token": token})
        assert again.status_code == 303 and again.headers["Location"].endswith(path)
        assert NOTE in client.get(path).get_data(as_text=True)
        assert count(model) == 1
    # Without a token (another form, a script) a duplicate still gets the form's message.
    again = client.post("/catalogue/customers", data={"name": "ACME", "tier": "standard"})
    assert again.status_code == 400 and "This customer already exists." in again.get_data(True)


def test_a_calendar_day_sent_twice_is_marked_once(client, login, make_user, plan_world):
    login(make_user("pmc"))
    token = token_of(client.get("/schedule").get_data(as_text=True))
    data = {"calendar_day": "2027-03-02", "calendar_kind": "holiday", "form_token": token}
    assert client.post("/schedule/calendar", data=data).status_code == 302
    again = client.post("/schedule/calendar", data=data)
    assert again.status_code == 303 and again.headers["Location"].endswith("/schedule#calendar")
    marks = db.select(db.func.count()).where(AuditEvent.action == "calendar.set")
    assert db.session.scalar(marks.select_from(AuditEvent)) == 1


def test_a_change_request_sent_twice_is_raised_once(client, login, make_user, released_order):
    login(make_user("sales"))
    path = f"/orders/{released_order.id}/changes/new"
    token = token_of(client.get(path).get_data(as_text=True))
    data = change_form(released_order, **{"lines-0-quantity": "11", "form_token": token})
    assert client.post(path, data=data).status_code == 302
    change = db.session.scalar(db.select(ChangeRequest))
    again = client.post(path, data=data)
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/changes/{change.id}")
    assert count(ChangeRequest) == 1


def test_a_rush_request_sent_twice_is_submitted_once(client, login, make_user, plan_world):
    order = plan_world.order("SO-C", 24, "2027-03-31")
    login(make_user("sales"))
    form = {"order_id": str(order.id), "required_by": "2027-03-03", "reason": "VIP"}
    page = client.post("/rush/new", data={**form, "action": "preview"}).get_data(as_text=True)
    preview_key = re.search(r'name="preview_key" value="(\w+)"', page).group(1)
    data = {**form, "action": "submit", "preview_key": preview_key, "form_token": token_of(page)}
    assert client.post("/rush/new", data=data).status_code == 302
    rush = db.session.scalar(db.select(RushRequest))
    again = client.post("/rush/new", data=data)
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/rush/{rush.id}")
    assert count(RushRequest) == 1

"""Input bounds (app/limits.py): every line is kept, every value out of bounds is refused with
its bound in the message, NUL is refused everywhere, and nothing is stored on a refusal."""

import io
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from app.core.calendar.models import CalendarDay
from app.core.processes import forms
from app.core.processes.models import ProcessDraft
from app.errors import InvalidInput
from app.extensions import db
from app.modules.changes.models import ChangeRequest
from app.modules.confirmations.services import confirmations
from app.modules.orders.models import Customer, Order, OrderLine, Product, ProductionLine
from app.modules.orders.services import catalogue, orders
from app.modules.orders.services.orders import LineInput, OrderInput
from app.pdf.amounts import AmountOutOfRange, rmb_in_words
from tests.answers import SPECS
from tests.conftest import REVIEW_STEPS
from tests.web.test_order_entry import entry

NUL_EN = "The input contains a NUL character"
NUL_ZH = "输入内容包含 NUL 字符"


@pytest.fixture
def customer():
    found = Customer(name="华东精密", contact="王", address="上海", tier="key")
    db.session.add(found)
    db.session.commit()
    return found


def rows(count: int) -> dict:
    """`count` non-standard lines, numbered 0, 2, 4 … (rows removed in the page leave gaps)."""
    data = {}
    for n in range(count):
        p = f"lines-{2 * n}-"
        data.update({p + "description": f"Item {n}", p + "quantity": str(n + 1)})
        data.update({p + "unit_price": "1.5", **{p + k: v for k, v in SPECS.items()}})
    return data


def english(client):
    client.post("/language", data={"lang": "en"})


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_seven_posted_lines_are_seven_stored_lines_in_page_order(
    client, login, make_user, customer
):
    login(make_user("sales"))
    data = {k: v for k, v in entry(customer).items() if not k.startswith("lines-")}
    response = client.post("/orders/new", data={**data, **rows(7)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    order = db.session.scalar(db.select(Order))
    assert [line.description for line in order.lines] == [f"Item {n}" for n in range(7)]
    assert [line.position for line in order.lines] == list(range(1, 8))
    page = client.get(f"/orders/{order.id}/edit").get_data(as_text=True)
    assert 'name="lines-6-quantity"' in page and 'value="Item 6"' in page
    assert "data-line-template" in page and "dist/order_lines.js" in page


def test_201_lines_are_refused_with_the_bound_and_nothing_is_stored(
    client, login, make_user, customer
):
    login(make_user("sales"))
    english(client)
    data = {k: v for k, v in entry(customer).items() if not k.startswith("lines-")}
    response = client.post("/orders/new", data={**data, **rows(201)})
    assert response.status_code == 400
    assert "An order holds at most 200 lines; this one has 201." in response.get_data(as_text=True)
    assert count(Order) == 0 and count(OrderLine) == 0


def test_the_line_bound_comes_from_the_app_config(app, make_user, customer, monkeypatch):
    monkeypatch.setitem(app.config, "LIMITS", {"order_lines": 3})
    lines = [LineInput(description="x", quantity="1", specs=dict(SPECS)) for _ in range(4)]
    data = OrderInput(customer_id=str(customer.id), order_type="new", lines=lines)
    with pytest.raises(InvalidInput) as refused:
        orders.create_order(make_user("sales"), data)
    assert "最多 3 行" in refused.value.errors["lines"]  # services speak the default language


def test_revision_and_change_draft_keep_every_line(
    client, login, make_user, make_order, released_order
):
    order = make_order()
    login(make_user("sales"))
    data = {k: v for k, v in entry(order.customer).items() if not k.startswith("lines-")}
    response = client.post(f"/orders/{order.id}/edit", data={**data, **rows(7), "reason": "more"})
    assert response.status_code == 302
    db.session.expire_all()
    assert len(db.session.get(Order, order.id).lines) == 7
    change = {
        **data,
        **rows(6),
        "order_type": released_order.order_type,
        "customer_id": str(released_order.customer_id),
        "reason_category": "customer_request",
        "reason": "Six items now",
    }
    response = client.post(f"/orders/{released_order.id}/changes/new", data=change)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    raised = db.session.scalar(db.select(ChangeRequest))
    assert '"line_added"' in raised.diff and raised.diff.count('"line_added"') == 5


def test_ten_megabytes_of_notes_are_refused_not_cut(make_user, customer):
    line = LineInput(description="x", quantity="1", specs=dict(SPECS))
    data = OrderInput(
        customer_id=str(customer.id), order_type="new", notes="n" * 10_000_000, lines=[line]
    )
    with pytest.raises(InvalidInput) as refused:
        orders.create_order(make_user("sales"), data)
    assert "4,000" in refused.value.errors["notes"]
    assert count(Order) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("standard_cost", "1e20", "Enter a number between 0 and 100,000,000."),
        ("standard_cost", "1.234", "Use at most 2 decimal places."),
        ("rate", "99999999", "Enter a number between 0.0001 and 1,000."),
        ("rate", "0.00001", "Enter a number between 0.0001 and 1,000."),
        ("rate", "0.12345", "Use at most 4 decimal places."),
        ("rate", "inf", "Enter a number between 0.0001 and 1,000."),
        ("name", "N" * 201, "At most 200 characters (this has 201)."),
        ("unit", "u" * 21, "At most 20 characters (this has 21)."),
    ],
)
def test_product_numbers_past_the_columns_are_refused(
    client, login, make_user, field, value, message
):
    line = ProductionLine(code="L1", name="Line 1")
    db.session.add(line)
    db.session.commit()
    login(make_user("engineering"))
    english(client)
    data = {"code": "P-9", "name": "Board", "unit": "pcs", "standard_cost": "2", "rate": "0.5"}
    data[field] = value
    data[f"rate-{line.id}"] = data.pop("rate")
    response = client.post("/catalogue/products", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(Product) == 0


@pytest.mark.parametrize(
    ("hours", "ok"),
    [("0.49", False), ("0.5", True), ("24", True), ("24.01", False), ("8.125", False)],
)
def test_line_capacity_is_half_an_hour_to_a_day(make_user, hours, ok):
    actor = make_user("engineering")
    if ok:
        assert catalogue.create_line(actor, "L7", "Line", hours).daily_hours == Decimal(hours)
    else:
        with pytest.raises(InvalidInput) as refused:
            catalogue.create_line(actor, "L7", "Line", hours)
        assert "daily_hours" in refused.value.errors
        assert count(ProductionLine) == 0


def test_customer_texts_are_bounded_and_refused_in_chinese(client, login, make_user):
    login(make_user("sales"))
    response = client.post(
        "/catalogue/customers",
        data={"name": "ACME", "contact": "c" * 201, "address": "a" * 4001, "tier": "key"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "最多 200 个字符（当前为 201 个）" in page and "最多 4,000 个字符" in page
    assert count(Customer) == 0


def test_calendar_note_and_far_dates_are_refused(client, login, make_user):
    login(make_user("pmc"))
    english(client)
    long_note = {"calendar_day": "2027-05-03", "calendar_kind": "holiday", "note": "n" * 201}
    response = client.post("/schedule/calendar", data=long_note)
    assert response.status_code == 400
    assert "At most 200 characters" in response.get_data(as_text=True)
    far = {"calendar_day": "9999-01-01", "calendar_kind": "holiday", "note": ""}
    response = client.post("/schedule/calendar", data=far)
    assert response.status_code == 400
    assert "between 2000 and 2100" in response.get_data(as_text=True)
    assert count(CalendarDay) == 0


def test_inputs_carry_their_bounds(client, login, make_user):
    db.session.add(ProductionLine(code="L1", name="Line 1"))
    db.session.commit()
    login(make_user("sales"))
    page = client.get("/orders/new").get_data(as_text=True)
    assert 'min="0.001" max="1000000" step="0.001"' in page
    assert 'min="0" max="100000000" step="0.01"' in page
    assert 'id="notes" name="notes" rows="2" maxlength="4000"' in page
    login(make_user("engineering"))
    page = client.get("/catalogue/products").get_data(as_text=True)
    assert 'min="0.0001" max="1000" step="0.0001"' in page
    assert 'min="0.5" max="24" step="0.01"' in page


def test_nul_is_refused_everywhere_before_any_view(
    app, client, login, make_user, make_order, complete
):
    # Login name: nobody is logged in yet, and the refusal says why.
    assert client.post("/login", data={"username": "a\x00b", "password": "x"}).status_code == 400
    english(client)
    refused = client.post("/login", data={"username": "a\x00b", "password": "x"})
    assert refused.status_code == 400 and NUL_EN in refused.get_data(as_text=True)
    sales = make_user("sales")
    login(sales)
    order = make_order()
    # Search box, notes, an upload's file name.
    assert client.get("/orders?q=SO\x00").status_code == 400
    data = {**entry(order.customer), "notes": "a\x00b"}
    assert client.post("/orders/new", data=data).status_code == 400
    upload = {"attachments": [(io.BytesIO(b"%PDF-1.4"), "a\x00.pdf")]}
    files = client.post(f"/orders/{order.id}/files", data=upload)
    assert files.status_code == 400
    # An htmx request gets a fragment, not a page.
    fragment = client.post("/orders/new", data=data, headers={"HX-Request": "true"})
    assert fragment.status_code == 400 and "<html" not in fragment.get_data(as_text=True)
    # The modeler's JSON body gets JSON back.
    login(make_user(None, is_process_owner=True))
    published = client.post("/processes/rush_order/publish", json={"xml": "<a>\x00</a>"})
    assert published.status_code == 400 and NUL_EN in published.get_json()["error"]
    drafted = client.post("/processes/rush_order/draft", json={"xml": "<a/>", "token": "\x00"})
    assert drafted.status_code == 400 and count(ProcessDraft) == 0
    # The customer's signature on the confirmation link page, in Chinese by default.
    for step in ("confirm_order", "pmc_dispatch", *REVIEW_STEPS, "pmc_consolidate"):
        complete(order, step)
    token = confirmations.issue_link(db.session.get(Order, order.id), sales)
    db.session.commit()
    customer = app.test_client()
    signed = customer.post(f"/confirm/{token}", data={"signer_name": "A\x00", "agree": "1"})
    assert signed.status_code == 400 and NUL_ZH in signed.get_data(as_text=True)
    db.session.expire_all()
    assert count(Order) == 1 and db.session.get(Order, order.id).attachments == []
    assert db.session.get(Order, order.id).status == "awaiting_customer"


def test_amount_in_words_up_to_the_bound_and_a_clear_error_beyond():
    assert rmb_in_words(Decimal("999999999999.99")).startswith("玖仟玖佰玖拾玖亿")
    assert rmb_in_words(Decimal("1000100000000")) == "壹万零壹亿元整"
    assert rmb_in_words(Decimal("9999999999999999.99")).endswith("玖角玖分")
    for beyond in ("1e16", "12345678901234567", "NaN", "Infinity", "9999999999999999.995"):
        with pytest.raises(AmountOutOfRange):
            rmb_in_words(Decimal(beyond))


def test_a_stored_total_too_large_for_words_gives_a_message_not_a_500(
    client, login, make_user, make_order
):
    order = make_order()
    order.lines[0].quantity, order.lines[0].unit_price = Decimal("1e10"), Decimal("1e7")
    db.session.commit()  # written past the bounds, as rows from before them may be
    login(make_user("sales"))
    english(client)
    response = client.get(f"/orders/{order.id}/confirmation.pdf")
    assert response.status_code == 400
    assert "too large to be written in words" in response.get_data(as_text=True)


def test_task_form_text_without_max_length_gets_the_notes_bound():
    doc = {
        "type": "object",
        "properties": {
            "free": {"type": "string"},
            "short": {"type": "string", "maxLength": 10},
            "long": {"type": "string", "maxLength": 5000},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
    }
    ok = MultiDict({"free": "f" * 4000, "long": "l" * 4500, "tags": "t" * 4000})
    assert forms.parse_submission(doc, ok)[1] == {}
    bad = MultiDict({"free": "f" * 4001, "short": "s" * 11, "tags": "t" * 4001})
    errors = forms.parse_submission(doc, bad)[1]
    assert "4,000" in errors["free"] and "4,000" in errors["tags"]
    assert "10" in errors["short"] and "4,000" not in errors["short"]

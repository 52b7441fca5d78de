"""Hostile input: generated values posted into every field of the forms users type into.

For every value: never a 500; a refusal (4xx) stores nothing and says why in the user's language
(Chinese messages carry Chinese characters, English ones none). Sizes come from
tests/reliability.py: small in the suite, large under `make reliability`.
"""

import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.core.calendar.models import CalendarDay
from app.core.tasks.models import HumanTask
from app.extensions import db
from app.modules.changes.models import ChangeRequest
from app.modules.fulfilment.models import ProgressReport, ProgressStep
from app.modules.orders.models import (
    Customer,
    Order,
    OrderLine,
    OrderRevision,
    Product,
    ProductionLine,
    ProductLineRate,
)
from app.modules.orders.services.order_input import LineInput
from app.modules.returns.models import Complaint, ReturnRequest
from app.modules.rush.models import RushRequest
from tests.answers import FORM_ANSWERS, SPECS
from tests.conftest import open_task
from tests.reliability import record, scale
from tests.returns_helpers import deliver

pytestmark = pytest.mark.reliability

EXAMPLES = scale(25, 500)
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NASTY = [
    "",
    " ",
    "0",
    "-0",
    "-1",
    "0.0001",
    "0.001",
    "0.00001",
    "1e-7",
    "1e308",
    "-1e308",
    "1E+20",
    "99999999",
    "100000000.01",
    "1000000.001",
    "999999999999999999999999999999",
    "NaN",
    "-nan",
    "sNaN",
    "Infinity",
    "-inf",
    "1_000",
    "1,000.5",
    "０.５",
    "²",
    "١٢",
    "𝟏",
    "0x10",
    "1/2",
    "\x00",
    "a\x00b",
    "\x01\x02\x1b[31m\x7f",
    "\r\n\t",
    "\u202eevil",
    "\ufeff1",
    "\ud7ff",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}{% raw %}",
    "'; DROP TABLE customer; --",
    "%s%n%(x)s",
    "../../etc/passwd",
    "🙂" * 30,
    "中文名称",
    "2027-02-30",
    "9999-12-31",
    "0001-01-01",
]
# Tried in every field on every run, besides the generated values: the ones that broke pages.
SWEEP = ["a\x00b", "²", "1e20", "sNaN", "0.0001", "长" * 4001]
_CJK = re.compile(r"[\u4e00-\u9fff]")
_MESSAGE = re.compile(r'<p class="(?:field-error|flash flash-error)"[^>]*>(.*?)</p>', re.S)


def hostile() -> st.SearchStrategy[str]:
    """Numbers huge and tiny, NaN and infinities, exponent forms, long texts, NUL, control
    characters, unicode digits and HTML/JS."""
    return st.one_of(
        st.sampled_from(NASTY),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.floats().map(repr),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.builds("{}e{}".format, st.integers(-999, 999), st.integers(-400, 400)),
        st.text(max_size=40),
        st.builds(
            lambda char, n: char * n,
            st.sampled_from(["x", "长", "\x01"]),
            st.sampled_from([21, 41, 81, 121, 201, 4001, 300_000]),
        ),
    )


def _counts(models) -> tuple[int, ...]:
    db.session.rollback()  # a fresh look at what the requests committed
    return tuple(
        db.session.scalar(db.select(db.func.count()).select_from(model)) for model in models
    )


def _messages(client, response) -> list[str]:
    body = response.get_data(as_text=True)
    if response.status_code in (302, 303):
        body = client.get(response.headers["Location"]).get_data(as_text=True)
    return [re.sub(r"\s+", " ", text).strip() for text in _MESSAGE.findall(body)]


def _in_language(text: str, lang: str) -> bool:
    return bool(_CJK.search(text)) == (lang == "zh_CN")


def attack(
    name: str,
    client,
    lang: str,
    send: Callable[[dict], object],
    base: dict,
    fields: list[str],
    models: tuple = (),
    refused: Callable[[object], bool] = lambda r: 400 <= r.status_code < 500,
    after_success: Callable[[], None] | None = None,
) -> None:
    """Post `base` with one field replaced by a hostile value (every SWEEP value in every field,
    then `EXAMPLES` generated ones), and check each reply."""
    client.post("/language", data={"lang": lang})
    figures = {"tried": 0, "refused": 0}

    @SETTINGS
    @given(field=st.sampled_from(fields), value=hostile())
    def one(field: str, value: str) -> None:
        before = _counts(models)
        response = send({**base, field: value})
        figures["tried"] += 1
        assert response.status_code < 500, (field, value[:200], response.status_code)
        if refused(response):
            figures["refused"] += 1
            assert _counts(models) == before, (field, value[:200])
            texts = _messages(client, response)
            assert texts, (field, value[:200], response.get_data(as_text=True)[:2000])
            assert all(_in_language(text, lang) for text in texts), (lang, texts)
        elif after_success is not None:
            after_success()

    for field in fields:
        for value in SWEEP:
            one = example(field=field, value=value)(one)
    one()
    record("hostile_input", name, lang=lang, **figures)


def _bounds_hold() -> None:
    """Whatever was stored is inside the bounds (nothing rounded to zero, nothing huge)."""
    db.session.rollback()
    for quantity, price in db.session.execute(db.select(OrderLine.quantity, OrderLine.unit_price)):
        assert Decimal("0.001") <= quantity <= Decimal("1000000"), quantity
        assert Decimal(0) <= price <= Decimal("100000000"), price
    for (hours,) in db.session.execute(db.select(ProductionLine.daily_hours)):
        assert Decimal("0.5") <= hours <= Decimal(24), hours
    for (rate,) in db.session.execute(db.select(ProductLineRate.hours_per_unit)):
        assert Decimal("0.0001") <= rate <= Decimal(1000), rate


@pytest.fixture
def world(make_user):
    """A customer, a catalogue product and a production line."""
    customer = Customer(name="华东精密", contact="王", address="上海", tier="key")
    line = ProductionLine(code="HX-1", name="Hostile line", daily_hours=Decimal(8))
    product = Product(code="P-1", name="Flange", unit="pcs", standard_cost=3)
    product.rates.append(ProductLineRate(line=line, hours_per_unit=Decimal("0.5")))
    db.session.add_all([customer, line, product])
    db.session.commit()
    return {"customer": customer, "line": line, "product": product}


def order_form(customer_id: int, product_id: int) -> dict:
    data = {
        "customer_id": str(customer_id),
        "customer_po": "PO-1",
        "order_type": "non_standard",
        "currency": "CNY",
        "requested_date": "2027-03-01",
        "promised_date": "2027-03-05",
        "notes": "Call first",
        "lines-0-description": "定制支架",
        "lines-0-quantity": "20",
        "lines-0-unit_price": "12.5",
        **{f"lines-0-{k}": v for k, v in SPECS.items()},
        "lines-1-product_id": str(product_id),
        "lines-1-quantity": "5",
        "lines-1-unit_price": "3",
    }
    return data


ORDER_MODELS = (Order, OrderLine, OrderRevision, ChangeRequest)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_order_entry(client, login, make_user, world, lang):
    login(make_user("sales"))
    base = order_form(world["customer"].id, world["product"].id)
    fields = [*base, "lines-7-quantity", "lines-999999-description"]
    attack(
        "order_entry",
        client,
        lang,
        lambda d: client.post("/orders/new", data=d),
        base,
        fields,
        ORDER_MODELS,
    )
    _bounds_hold()


def test_order_revision(client, login, make_user, make_order, world):
    order = make_order()
    login(make_user("sales"))
    base = {**order_form(order.customer_id, world["product"].id), "reason": "Customer asked"}
    url = f"/orders/{order.id}/edit"
    attack(
        "order_revision",
        client,
        "zh_CN",
        lambda d: client.post(url, data=d),
        base,
        list(base),
        ORDER_MODELS,
    )
    _bounds_hold()


def test_change_request_draft(client, login, make_user, released_order, world):
    login(make_user("sales"))
    base = {
        **order_form(released_order.customer_id, world["product"].id),
        "order_type": released_order.order_type,
        "reason_category": "customer_request",
        "reason": "Customer asked",
        "customer_ref": "MAIL-7",
    }
    url = f"/orders/{released_order.id}/changes/new"

    def reopen() -> None:  # let the next example raise a change again
        db.session.execute(db.update(ChangeRequest).values(status="rejected"))
        db.session.commit()

    attack(
        "change_request",
        client,
        "en",
        lambda d: client.post(url, data=d),
        base,
        list(base),
        ORDER_MODELS,
        after_success=reopen,
    )


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_customers(client, login, make_user, lang):
    login(make_user("sales"))
    base = {
        "name": "ACME",
        "contact": "Ann",
        "address": "1 Road",
        "tier": "standard",
        "email": "buyer@acme.example",
    }
    attack(
        "customers",
        client,
        lang,
        lambda d: client.post("/catalogue/customers", data=d),
        base,
        list(base),
        (Customer,),
    )


def test_products(client, login, make_user, world):
    login(make_user("engineering"))
    rate = f"rate-{world['line'].id}"
    base = {"code": "P-9", "name": "Board", "unit": "pcs", "standard_cost": "2", rate: "0.5"}
    attack(
        "products",
        client,
        "en",
        lambda d: client.post("/catalogue/products", data=d),
        base,
        list(base),
        (Product, ProductLineRate),
    )
    _bounds_hold()


def test_production_lines_and_capacity(client, login, make_user, world):
    login(make_user("engineering"))
    base = {"line_code": "L9", "line_name": "Line 9", "daily_hours": "16"}
    flashed = lambda r: r.status_code == 303 or 400 <= r.status_code < 500  # noqa: E731
    attack(
        "production_line",
        client,
        "zh_CN",
        lambda d: client.post("/catalogue/lines", data=d),
        base,
        list(base),
        (ProductionLine,),
        refused=flashed,
    )
    url = f"/catalogue/lines/{world['line'].id}/capacity"
    attack(
        "line_capacity",
        client,
        "en",
        lambda d: client.post(url, data=d),
        {"daily_hours": "8"},
        ["daily_hours"],
        refused=flashed,
    )
    _bounds_hold()


def test_calendar_days(client, login, make_user):
    login(make_user("pmc"))
    base = {"calendar_day": "2027-05-03", "calendar_kind": "holiday", "note": "Shutdown"}
    attack(
        "calendar_day",
        client,
        "zh_CN",
        lambda d: client.post("/schedule/calendar", data=d),
        base,
        list(base),
        (CalendarDay,),
    )


def test_rush_requests(client, login, make_user, released_order, world):
    login(make_user("sales"))
    base = {"order_id": str(released_order.id), "required_by": "2027-02-20", "line_code": ""}
    preview = client.post("/rush/new", data={**base, "action": "preview"})
    preview_key = re.search(r'name="preview_key" value="([^"]*)"', preview.get_data(as_text=True))
    attack(
        "rush_preview",
        client,
        "en",
        lambda d: client.post("/rush/new", data=d),
        {**base, "action": "preview"},
        list(base),
        (RushRequest,),
    )
    submit = {
        **base,
        "action": "submit",
        "reason": "Line down at the customer",
        "customer_ref": "MAIL-9",
        "preview_key": preview_key.group(1) if preview_key else "",
    }
    attack(
        "rush_submit",
        client,
        "zh_CN",
        lambda d: client.post("/rush/new", data=d),
        submit,
        list(submit),
        (RushRequest,),
    )


def test_progress_reports_and_corrections(client, login, make_user, plan_world):
    order = plan_world.order("SO-HOSTILE", 1000, "2027-06-30")
    line = order.lines[0]
    reporter = make_user("production")
    login(reporter)
    base = {"line_id": str(line.id), "step": "cutting", "quantity_done": "5", "note": "ok"}
    attack(
        "progress_report",
        client,
        "zh_CN",
        lambda d: client.post(f"/orders/{order.id}/progress", data=d),
        base,
        list(base),
        (ProgressReport,),
    )
    db.session.rollback()
    latest = db.session.scalar(
        db.select(ProgressReport.id)
        .where(ProgressReport.order_line_id == line.id)
        .order_by(ProgressReport.id.desc())
        .limit(1)
    )
    if latest is None:
        client.post(f"/orders/{order.id}/progress", data=base)
        latest = db.session.scalar(db.select(ProgressReport.id).order_by(ProgressReport.id.desc()))
    login(make_user("production", role="head"))
    attack(
        "progress_correct",
        client,
        "en",
        lambda d: client.post(f"/progress/reports/{latest}/correct", data=d),
        {"quantity_done": "not a number", "reason": "Miscounted"},
        ["quantity_done", "reason"],
        (ProgressReport,),
        # once one succeeds, the report is no longer the latest: the others get 409 and why
    )


def test_shipments(client, login, make_user, make_order):
    from app.core import clock
    from app.modules.shipping.models import Shipment, ShipmentLine
    from tests.shipping_helpers import two_line_order

    order = two_line_order(
        make_order, "production_complete", made=("100000", "40"), quantities=("100000", "40")
    )
    login(make_user("warehouse"))
    first, second = (f"qty_{line.id}" for line in order.lines)
    base = {
        first: "1",
        second: "",
        "carrier": "顺丰",
        "tracking_number": "SF1",
        "ship_date": clock.today().isoformat(),
        "note": "",
    }
    attack(
        "shipment",
        client,
        "zh_CN",
        lambda d: client.post(f"/orders/{order.id}/shipments/new", data=d),
        base,
        list(base),
        (Shipment, ShipmentLine),
    )


def test_product_steps(client, login, make_user, world):
    login(make_user("engineering"))
    product_id = str(world["product"].id)
    attack(
        "progress_steps",
        client,
        "zh_CN",
        lambda d: client.post("/progress/steps", data={"product_id": product_id, **d}),
        {"steps": "weld, Welding, 焊接"},
        ["steps"],
        (ProgressStep,),
    )


def test_return_requests_and_complaints(client, login, make_user, make_order):
    login(make_user("sales"))
    order = make_order(
        lines=[
            LineInput(description="Bracket", quantity="1000", unit_price="2.5", specs=dict(SPECS))
        ]
    )
    deliver(order, make_user("warehouse"))
    base = {
        f"qty-{order.lines[0].id}": "0.001",
        "reason_category": "defective",
        "reason": "Cracked welds",
        "requested_outcome": "refund",
    }
    attack(
        "return_request",
        client,
        "zh_CN",
        lambda d: client.post(f"/returns/orders/{order.id}/new", data=d),
        base,
        list(base),
        (ReturnRequest,),
    )
    complaint = {"category": "quality", "description": "Burrs on the edges"}
    attack(
        "complaint",
        client,
        "en",
        lambda d: client.post(f"/returns/orders/{order.id}/complaint", data=d),
        complaint,
        list(complaint),
        (Complaint,),
    )


def test_quotation_editor(client, login, make_user, world):
    from datetime import timedelta

    from app.core import clock
    from app.modules.quotations.models import Quotation, QuotationLine

    login(make_user("sales"))
    base = {
        "customer_id": str(world["customer"].id),
        "currency": "CNY",
        "payment_terms": "30 days net",
        "valid_until": (clock.today() + timedelta(days=30)).isoformat(),
        "notes": "",
        "lines-0-product_id": str(world["product"].id),
        "lines-0-quantity": "10",
        "lines-0-unit_price": "100",
    }
    attack(
        "quotation",
        client,
        "zh_CN",
        lambda d: client.post("/quotations/new", data=d),
        base,
        list(base),
        (Quotation, QuotationLine),
    )


def test_task_form(client, login, make_user, make_order):
    user = make_user("sales")
    login(user)
    state = {"task": open_task(make_order(actor=user), "confirm_order")}
    base = dict(FORM_ANSWERS["confirm_order"], notes="ok")

    def send(data):
        return client.post(f"/tasks/{state['task'].id}/complete", data=data)

    def next_order() -> None:  # the step is done: the next example needs a fresh one
        state["task"] = open_task(make_order(actor=user), "confirm_order")

    completed = db.select(HumanTask).where(HumanTask.state == "completed")
    attack(
        "task_form",
        client,
        "en",
        send,
        base,
        list(base),
        (completed.subquery(),),
        after_success=next_order,
    )


def test_login_and_search_boxes(app, client, login, make_user, make_order):
    # The attack comes from its own address: at full size it trips the address's log-in
    # block (as it should), which must not lock out the staff member logging in below.
    anonymous = app.test_client()
    anonymous.environ_base["REMOTE_ADDR"] = "198.51.100.66"
    base = {"username": "nobody", "password": "wrong"}
    attack("login", anonymous, "en", lambda d: anonymous.post("/login", data=d), base, list(base))
    make_order()
    login(make_user("sales"))
    searches = {
        "q": "SO",
        "customer": "1",
        "waiting": "1",
        "status": "released",
        "type": "new",
        "from": "2027-01-01",
        "to": "2027-12-31",
    }
    attack(
        "order_search",
        client,
        "zh_CN",
        lambda d: client.get("/orders", query_string=d),
        searches,
        list(searches),
    )
    inbox = {"q": "SO", "dept": "sales", "mine": "1", "unassigned": "1", "overdue": "1"}
    attack(
        "inbox_search",
        client,
        "en",
        lambda d: client.get("/inbox", query_string=d),
        inbox,
        list(inbox),
    )


def test_closeout_rates_and_costing(client, login, make_user):
    from app.modules.closeout.models import CloseoutLine, CostRate
    from tests.closeout_world import CloseoutWorld

    closeouts = CloseoutWorld(make_user)
    login(make_user("finance"))
    base = {"line_id": str(closeouts.l1.id), "labour_rate": "42", "machine_rate": "20",
            "valid_from": "2026-06-01", "note": "新工资"}  # fmt: skip
    ok = lambda r: r.status_code == 303  # noqa: E731
    attack(
        "cost_rates",
        client,
        "zh_CN",
        lambda d: client.post("/closeout/rates", data=d),
        base,
        list(base),
        (CostRate,),
        refused=lambda r: not ok(r),
    )
    for labour, machine in db.session.execute(
        db.select(CostRate.labour_rate, CostRate.machine_rate)
    ):
        assert Decimal(0) <= min(labour, machine) and max(labour, machine) <= Decimal("1e8")
    state = {"order": closeouts.started(closeouts.catalogue("2", "50"), currency="USD")}

    def form() -> dict:
        order = state["order"]
        data = closeouts.costing_form(order, ("10", "1.5", "2", "0"))
        return {**data.to_dict(), "co-exchange_rate": "7.1"}

    def send(data):
        task = closeouts.task(state["order"], "closeout_costing")
        keyed = {
            k.replace(f"co-{state['order'].lines[0].id}-", "co-X-"): v for k, v in form().items()
        }
        keyed.update(data)
        real = {
            k.replace("co-X-", f"co-{state['order'].lines[0].id}-"): v for k, v in keyed.items()
        }
        return client.post(f"/tasks/{task.id}/complete", data=real)

    def next_order() -> None:
        state["order"] = closeouts.started(closeouts.catalogue("2", "50"), currency="USD")

    fields = ["co-X-material", "co-X-labour_hours", "co-X-machine_hours", "co-X-other",
              "co-X-line", "co-exchange_rate"]  # fmt: skip
    attack(
        "closeout_costing",
        client,
        "en",
        send,
        {},
        fields,
        (CloseoutLine,),
        after_success=next_order,
    )


def test_purchasing_components_boms_stock_and_suppliers(client, login, make_user):
    from app.modules.purchasing.models import BomLine, Component, StockMove, Supplier
    from app.modules.purchasing.services import components

    engineer = make_user("engineering")
    login(engineer)
    base = {"code": "ST-1", "name": "Steel sheet", "unit": "kg"}
    send = lambda d: client.post("/purchasing/components", data=d)  # noqa: E731
    attack("components", client, "zh_CN", send, base, list(base), (Component,))
    steel = components.create_component(engineer, components.ComponentInput("ST-X", "S", "kg"))
    product = Product(code="P-H", name="Part", unit="pcs")
    db.session.add(product)
    db.session.commit()
    base = {"component_id": str(steel.id), "quantity": "2.5"}
    send = lambda d: client.post(f"/purchasing/products/{product.id}/bom", data=d)  # noqa: E731
    attack("product_bom", client, "en", send, base, list(base), (BomLine,))
    login(make_user("warehouse"))
    base = {"quantity": "1", "reason": "Count"}
    send = lambda d: client.post(f"/purchasing/stock/{steel.id}", data=d)  # noqa: E731
    attack("stock_adjustment", client, "zh_CN", send, base, list(base), (StockMove,))
    login(make_user("purchasing"))
    base = {"code": "SUP-1", "name": "Steel & Co", "contact": "Li", "phone": "123",
            "email": "li@example.com"}  # fmt: skip
    send = lambda d: client.post("/purchasing/suppliers", data=d)  # noqa: E731
    attack("suppliers", client, "en", send, base, list(base), (Supplier,))

"""Products are edited (with their line rates) on their own page, every change kept with who,
when, why and before -> after; standardisation asks the rates (docs/PRODUCTS.md)."""

import json
from decimal import Decimal
from functools import partial

import flask_babel

from app.core.users.models import User
from app.extensions import db
from app.modules.orders.models import (
    Order,
    OrderLine,
    Product,
    ProductChange,
    ProductionLine,
    ProductLineRate,
)
from app.modules.orders.services import products
from app.modules.orders.services.orders import LineInput
from tests.answers import SPECS
from tests.races import kinds, run_together


def _world() -> tuple[Product, ProductionLine, ProductionLine]:
    l1 = ProductionLine(code="L1", name="Line 1")
    l2 = ProductionLine(code="L2", name="Line 2")
    product = Product(code="P-9", name="Board", unit="pcs", standard_cost=Decimal("12.5"))
    product.rates = [ProductLineRate(line=l1, hours_per_unit=Decimal("0.25"))]
    db.session.add_all([l1, l2, product])
    db.session.commit()
    return product, l1, l2


def _as(client, login, user: User, lang: str = "en") -> None:
    login(user)
    client.post("/language", data={"lang": lang})
    flask_babel.refresh()


def _form(l1, l2, **changes) -> dict:
    data = {
        "code": "P-9",
        "name": "Board",
        "unit": "pcs",
        "standard_cost": "12.5",
        f"rate-{l1.id}": "0.25",
        f"rate-{l2.id}": "",
        "reason": "",
    }
    return {**data, **changes}


def test_engineering_edits_rates_and_the_history_shows_before_and_after(client, login, make_user):
    product, l1, l2 = _world()
    engineer = make_user("engineering", display_name="Erik Engineer")
    _as(client, login, engineer)
    form = _form(l1, l2, name="Board v2", **{f"rate-{l1.id}": "0.3", f"rate-{l2.id}": "0.5"})
    form["reason"] = "Measured on the first batch"
    form["standard_cost"] = "99"  # engineering cannot see costs: ignored, the cost stays
    response = client.post(f"/catalogue/products/{product.id}", data=form)
    assert response.status_code == 302
    db.session.expire_all()
    product = db.session.get(Product, product.id)
    assert product.name == "Board v2" and product.standard_cost == Decimal("12.5")
    assert {r.line.code: r.hours_per_unit for r in product.rates} == {
        "L1": Decimal("0.3"),
        "L2": Decimal("0.5"),
    }
    change = db.session.scalar(db.select(ProductChange))
    assert (change.action, change.changed_by_id, change.reason) == (
        "edit",
        engineer.id,
        "Measured on the first batch",
    )
    assert json.loads(change.changes) == [
        {"field": "name", "old": "Board", "new": "Board v2"},
        {"field": "rate:L1", "old": "0.25", "new": "0.3"},
        {"field": "rate:L2", "old": "", "new": "0.5"},
    ]
    page = client.get(f"/catalogue/products/{product.id}").get_data(as_text=True)
    for text in ("Erik Engineer", "Measured on the first batch", "Hours per unit on L1", "0.25"):
        assert text in page
    assert "12.5" not in page  # the cost is not engineering's to read


def test_bad_edits_change_nothing_and_say_why(client, login, make_user):
    product, l1, l2 = _world()
    db.session.add(Product(code="P-10", name="Other", unit="pcs"))
    db.session.commit()
    _as(client, login, make_user("engineering"))
    cases = [
        (_form(l1, l2, reason="x", **{f"rate-{l1.id}": "0"}), "Enter a number between 0.0001"),
        (_form(l1, l2, reason="x", **{f"rate-{l1.id}": "1000.5"}), "and 1,000."),
        (_form(l1, l2, reason="x", **{f"rate-{l1.id}": "0.00001"}), "Enter a number between"),
        (_form(l1, l2, reason="x", **{f"rate-{l1.id}": ""}), "at least one line"),
        (_form(l1, l2, name="Board v3"), "Say why the product changes."),
        (_form(l1, l2, reason="x" * 4001, name="B"), "At most 4,000 characters"),
        (_form(l1, l2, reason="x", name="n" * 201), "At most 200 characters"),
        (_form(l1, l2, reason="x", code="p-10"), "Product code P-10 is already in the catalogue."),
        (_form(l1, l2, reason="x", code="p 9"), "Use 2-40 capital letters"),
        (_form(l1, l2, reason="x", unit=""), "Enter the unit"),
        (_form(l1, l2, reason="Nothing really"), "Nothing was changed."),
    ]
    for data, message in cases:
        response = client.post(f"/catalogue/products/{product.id}", data=data)
        assert response.status_code == 400, message
        assert message in response.get_data(as_text=True), message
    db.session.expire_all()
    product = db.session.get(Product, product.id)
    assert (product.code, product.name, product.unit) == ("P-9", "Board", "pcs")
    assert [(r.line.code, r.hours_per_unit) for r in product.rates] == [("L1", Decimal("0.25"))]
    assert db.session.scalar(db.select(db.func.count()).select_from(ProductChange)) == 0


def test_refusals_are_in_chinese_and_readers_cannot_edit(client, login, make_user):
    product, l1, l2 = _world()
    _as(client, login, make_user("production"), "zh_CN")
    response = client.post(f"/catalogue/products/{product.id}", data=_form(l1, l2, name="B2"))
    assert response.status_code == 400
    assert "请说明产品修改的原因。" in response.get_data(as_text=True)
    _as(client, login, make_user("quality"), "zh_CN")
    page = client.get(f"/catalogue/products/{product.id}").get_data(as_text=True)
    assert "修改产品" not in page and "产品修改记录" in page
    denied = client.post(f"/catalogue/products/{product.id}", data=_form(l1, l2, reason="x"))
    assert denied.status_code == 403
    assert client.get("/catalogue/products/999999").status_code == 404


def test_a_cost_reader_changes_the_cost_and_only_cost_readers_see_that_row(
    client, login, make_user
):
    product, l1, l2 = _world()
    admin = make_user(None, username="admin", is_admin=True)
    _as(client, login, admin)
    data = _form(l1, l2, standard_cost="13", reason="New supplier price")
    assert client.post(f"/catalogue/products/{product.id}", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Product, product.id).standard_cost == Decimal("13")
    page = client.get(f"/catalogue/products/{product.id}").get_data(as_text=True)
    assert "Standard cost" in page and "12.5" in page
    _as(client, login, make_user("engineering"))
    page = client.get(f"/catalogue/products/{product.id}").get_data(as_text=True)
    assert "New supplier price" in page and "12.5" not in page and ">13<" not in page


def _two_item_order(make_order) -> Order:
    items = [
        LineInput(description=f"Bracket {n}", quantity="10", unit_price="3", specs=dict(SPECS))
        for n in (1, 2)
    ]
    return make_order(lines=items)


def test_standardisation_asks_rates_prefilled_from_the_plans_estimate(
    client, login, make_user, released_order, task_of
):
    task = task_of(released_order, "standardise_item")
    line = db.session.scalar(db.select(ProductionLine).where(ProductionLine.code == "L1"))
    engineer = make_user("engineering")
    _as(client, login, engineer)
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert f'name="rate-{line.id}"' in page and 'value="1.5"' in page  # the estimate, 1.5 h on L1
    assert "Prefilled from the estimate the plan uses: 1.5 h/unit on L1." in page
    wanted = {"make_standard": "on", "code": "BR-9", "name": "Bracket", "standard_cost": "2"}
    refused = client.post(f"/tasks/{task.id}/complete", data={**wanted, f"rate-{line.id}": ""})
    assert refused.status_code == 400
    assert "at least one line" in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(Product).where(Product.code == "BR-9")) is None
    done = client.post(f"/tasks/{task.id}/complete", data={**wanted, f"rate-{line.id}": "1.4"})
    assert done.status_code == 302
    db.session.expire_all()
    product = db.session.scalar(db.select(Product).where(Product.code == "BR-9"))
    assert [(r.line.code, r.hours_per_unit) for r in product.rates] == [("L1", Decimal("1.4"))]
    change = db.session.scalar(db.select(ProductChange))
    assert change.action == "create" and change.changed_by_id == engineer.id
    assert change.reason == f"{released_order.number} #1"
    assert {"field": "rate:L1", "old": "", "new": "1.4"} in json.loads(change.changes)
    order_page = client.get(f"/orders/{released_order.id}").get_data(as_text=True)
    assert f'href="/catalogue/products/{product.id}"' in order_page  # "Standardised as BR-9"


def _create(user_id: int, line_id: int, code: str):
    actor = db.session.get(User, user_id)
    item = db.session.get(OrderLine, line_id)
    l1 = db.session.scalar(db.select(ProductionLine).where(ProductionLine.code == "L1"))
    data = products.ProductInput(code=code, name="Bracket", standard_cost="1")
    return products.create_from_item(actor, item, data, {l1: Decimal("1")}, "race").id


def test_one_code_standardised_twice_at_once_gives_the_code_message(app, make_order, make_user):
    db.session.add(ProductionLine(code="L1", name="Line 1"))
    db.session.commit()
    order = _two_item_order(make_order)
    engineer = make_user("engineering")
    first, second = (line.id for line in order.lines)
    outcomes = run_together(
        app,
        [
            partial(_create, engineer.id, first, "BR-X"),
            partial(_create, engineer.id, second, "BR-X"),
        ],
    )
    assert kinds(outcomes) == ["invalid", "ok"], outcomes
    loser = next(outcome for outcome, _r in outcomes if outcome.startswith("invalid"))
    assert "BR-X" in loser and "'code'" in loser  # the field's own message, not an error page
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(Product)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(ProductChange)) == 1

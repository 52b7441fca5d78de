"""Engineering's and production's estimates of a non-standard item are kept apart; the plan uses
production's when given, else engineering's, and the pages say which (docs/PLANNING.md)."""

from decimal import Decimal

import flask_babel

from app.extensions import db
from app.modules.orders.models import Order, ProductionLine
from app.modules.schedule.services import jobs


def _lines() -> tuple[ProductionLine, ProductionLine]:
    l1 = ProductionLine(code="L1", name="Line 1")
    l2 = ProductionLine(code="L2", name="Line 2")
    db.session.add_all([l1, l2])
    db.session.commit()
    return l1, l2


def _estimate(order: Order, hours: str, line: ProductionLine) -> dict:
    item = order.lines[0]
    return {f"est-{item.id}-hours": hours, f"est-{item.id}-line": str(line.id)}


def _reviewed(make_order, complete, production: str | None) -> Order:
    l1, l2 = _lines()
    order = make_order()  # one non-standard item, quantity 10
    for step in ("confirm_order", "pmc_dispatch"):
        complete(order, step)
    complete(order, "review_engineering", _estimate(order, "1.2", l2))
    if production is None:
        blank = {key: "" for key in _estimate(order, "", l1)}  # the fixture's defaults left out
        rejected = {"decision": "reject", "comments": "No capacity", **blank}
        complete(order, "review_production", rejected)
    else:
        complete(order, "review_production", _estimate(order, production, l1))
    db.session.expire_all()
    return db.session.get(Order, order.id)


def test_both_estimates_are_kept_and_the_plan_uses_productions(make_order, complete):
    order = _reviewed(make_order, complete, "0.8")
    item = order.lines[0]
    assert (item.eng_hours_per_unit, item.eng_line.code) == (Decimal("1.2"), "L2")
    assert (item.prod_hours_per_unit, item.prod_line.code) == (Decimal("0.8"), "L1")
    assert item.planned_estimate.department == "production"
    assert [e.department for e in item.estimates] == ["production", "engineering"]
    # 10 units x 0.8 h on L1: production's figure, not engineering's 12 h on L2.
    assert jobs.job_for(order).hours_by_line == {"L1": 8.0}


def test_without_productions_estimate_the_plan_uses_engineerings(make_order, complete):
    order = _reviewed(make_order, complete, None)
    item = order.lines[0]
    assert item.prod_hours_per_unit is None and item.prod_line_id is None
    assert item.planned_estimate.department == "engineering"
    assert jobs.job_for(order).hours_by_line == {"L2": 12.0}  # 10 x 1.2


def _page(client, login, user, url: str, lang: str) -> str:
    login(user)
    client.post("/language", data={"lang": lang})
    flask_babel.refresh()
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_order_page_says_which_estimate_the_plan_uses(make_order, complete, client, login,
                                                      make_user):  # fmt: skip
    order = _reviewed(make_order, complete, "0.8")
    page = _page(client, login, make_user("sales"), f"/orders/{order.id}", "en")
    assert "The plan uses production's estimate: 0.8 h/unit on L1." in page
    assert "Engineering's estimate, not used by the plan: 1.2 h/unit on L2." in page


def test_order_page_in_chinese_names_engineerings_estimate_when_production_gave_none(
    make_order, complete, client, login, make_user
):
    order = _reviewed(make_order, complete, None)
    page = _page(client, login, make_user("sales"), f"/orders/{order.id}", "zh_CN")
    assert "计划采用技术部的估算（生产部未估算）：L2 产线每件 1.2 小时。" in page
    assert "计划未采用" not in page  # no other estimate to show


def test_production_sees_engineerings_estimate_and_a_bad_one_changes_nothing(
    make_order, complete, client, login, make_user, task_of
):
    l1, l2 = _lines()
    order = make_order()
    for step in ("confirm_order", "pmc_dispatch"):
        complete(order, step)
    complete(order, "review_engineering", _estimate(order, "1.2", l2))
    task = task_of(order, "review_production")
    production = make_user("production")
    page = _page(client, login, production, f"/tasks/{task.id}", "en")
    assert "Engineering's estimate" in page and "1.2 h/unit on L2" in page
    assert "Estimated hours per unit" not in page and "Suggested production line" not in page
    item = order.lines[0]
    bad = {"decision": "approve", f"est-{item.id}-hours": "1000.5", f"est-{item.id}-line": ""}
    refused = client.post(f"/tasks/{task.id}/complete", data=bad)
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "Enter a number between 0.0001 and 1,000." in text
    assert "Choose the production line." in text
    db.session.expire_all()
    assert db.session.get(Order, order.id).lines[0].prod_hours_per_unit is None

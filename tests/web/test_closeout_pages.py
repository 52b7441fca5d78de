"""Close-out pages: the costing task (inputs, refusals in the reader's language, completion by
the form), the approval with the figures, the order's section, rates and the cost history."""

from decimal import Decimal

import pytest

from app.extensions import db
from app.modules.closeout.services import process
from tests.closeout_world import CloseoutWorld


@pytest.fixture
def world(make_user) -> CloseoutWorld:
    return CloseoutWorld(make_user)


def english(client, login, user):
    login(user)
    client.post("/language", data={"lang": "en"})


def test_finance_costs_on_the_task_page_and_the_head_sees_the_figures(client, login, world):
    order = world.started(world.catalogue("100", "18.50"))
    english(client, login, world.make_user("finance"))
    task = world.task(order, "closeout_costing")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert (
        "Actual costs per line (CNY)" in page and f'name="co-{order.lines[0].id}-material"' in page
    )
    form = world.costing_form(order, ("620.40", "8.5", "6.25", "15")).to_dict()
    bad = client.post(
        f"/tasks/{task.id}/complete", data={**form, f"co-{order.lines[0].id}-labour_hours": "x"}
    )
    assert bad.status_code == 400 and "Enter a number between" in bad.get_data(as_text=True)
    done = client.post(f"/tasks/{task.id}/complete", data=form)
    assert done.status_code in (302, 303)
    db.session.expire_all()
    assert process.closeout_of(order.id).actual_cost == Decimal("1131.65")
    english(client, login, world.make_user("finance", role="head"))
    approval = world.task(order, "closeout_approval_finance")
    page = client.get(f"/tasks/{approval.id}").get_data(as_text=True)
    assert "Close-out figures" in page and "1,131.65" in page and "38.83%" in page
    order_page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Close-out figures" in order_page and "718.35" in order_page


def test_chinese_costing_refusal(client, login, world):
    order = world.started(world.catalogue("1", "10"), currency="USD")
    user = world.make_user("finance")
    login(user)
    client.post("/language", data={"lang": "zh_CN"})
    task = world.task(order, "closeout_costing")
    form = world.costing_form(order, ("1", "0", "0", "0")).to_dict()
    page = client.post(f"/tasks/{task.id}/complete", data=form)
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and "请输入汇率：1 USD 折合人民币。" in text
    assert "各行实际成本（人民币）" in text


def test_rates_page_sets_a_rate_and_shows_history(client, login, world):
    english(client, login, world.make_user("finance"))
    data = {"line_id": str(world.l2.id), "labour_rate": "60", "machine_rate": "31.5",
            "valid_from": "2026-07-01", "note": "annual review"}  # fmt: skip
    saved = client.post("/closeout/rates", data=data)
    assert saved.status_code == 303
    page = client.get("/closeout/rates").get_data(as_text=True)
    assert "annual review" in page and "CNY\u00a060.00" in page
    login(world.make_user("sales"))
    refused = client.post("/closeout/rates", data=data)
    assert refused.status_code == 403


def test_product_cost_history_page(client, login, world):
    order = world.started(world.catalogue("100", "18.50"))
    world.cost(order, ("620.40", "8.5", "6.25", "15"))
    world.decide(order, "closeout_approval_finance")
    english(client, login, world.make_user("management"))
    page = client.get(f"/products/{world.product.id}/costs").get_data(as_text=True)
    # 1131.65 / 100 = 11.3165 per unit, shown to the cent; margin 38.83 %
    assert "CNY\u00a011.32" in page and "38.83%" in page and order.number in page
    index = client.get("/closeout/").get_data(as_text=True)
    assert order.number in index and "P-100" in index
    product_page = client.get(f"/catalogue/products/{world.product.id}").get_data(as_text=True)
    assert "cost-history" in product_page and "CNY\u00a011.32" in product_page
    login(world.make_user("production"))
    assert client.get(f"/products/{world.product.id}/costs").status_code == 403
    product_page = client.get(f"/catalogue/products/{world.product.id}").get_data(as_text=True)
    assert "cost-history" not in product_page and "11.32" not in product_page

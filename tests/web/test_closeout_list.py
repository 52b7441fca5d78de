"""The close-out list a page at a time (issue 14: it showed the newest 50, nothing older, and
read each row's order and customer on its own), newest first, of one status if asked, and the
product cost history with a pager of its own; the same statements however many there are."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app.extensions import db
from app.modules.closeout.models import Closeout, ProductCost
from app.modules.closeout.services import reading
from tests.pagers import pager_links
from tests.statements import counted


def _closed(plan_world, prefix: str, count: int, status: str = "closed", start: int = 1):
    for n in range(start, start + count):
        order = plan_world.order(f"SO-{prefix}-{n}", 1, None, status="closed")
        db.session.add(
            Closeout(order_id=order.id, status=status, revenue=Decimal(10), actual_cost=Decimal(7))
        )
    db.session.commit()


def _costed(plan_world, count: int, start: int = 1):
    """`count` products with a cost history, product n costed n hours after the first."""
    for n in range(start, start + count):
        product = plan_world.product({"L1": str(n)})
        db.session.flush()
        db.session.add(
            ProductCost(
                product_id=product.id,
                orders_closed=n,
                latest_unit_cost=Decimal(n),
                latest_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=n),
            )
        )
    db.session.commit()


def _orders(page: str) -> list[str]:
    return re.findall(r">(SO-\w+-\d+)</a>", page)


def _products(page: str) -> list[str]:
    return re.findall(r'<tr data-product="\d+"><td[^>]*><a [^>]*>(P-\d+) ', page)


def test_close_outs_and_product_costs_each_have_a_pager(
    client, login, make_user, plan_world, monkeypatch
):
    monkeypatch.setattr(reading, "PAGE", 2)
    _closed(plan_world, "C", 5)
    _closed(plan_world, "O", 1, status="open")  # filtered out by the status
    _costed(plan_world, 3)
    login(make_user("finance"))
    client.post("/language", data={"lang": "en"})

    first = client.get("/closeout/", query_string={"status": "closed"}).get_data(as_text=True)
    assert _orders(first) == ["SO-C-5", "SO-C-4"]
    assert "5 close-outs in all" in first and "Page 1 of 3" in first
    links = pager_links(first, "data-closeout-pager")
    assert "prev" not in links and "status=closed" in links["next"] and "page=2" in links["next"]
    second = client.get(links["next"]).get_data(as_text=True)
    assert _orders(second) == ["SO-C-3", "SO-C-2"]
    past = client.get("/closeout/", query_string={"status": "closed", "page": "99"})
    assert _orders(past.get_data(as_text=True)) == ["SO-C-1"]
    unknown = client.get("/closeout/", query_string={"status": "lost", "page": "x"})
    assert unknown.status_code == 200 and "6 close-outs in all" in unknown.get_data(True)

    # The products' pager moves only its list and keeps the other's page and filter.
    assert _products(first) == ["P-3", "P-2"]
    product_links = pager_links(second, "data-product-cost-pager")
    assert "page=2" in product_links["next"] and "products_page=2" in product_links["next"]
    both = client.get(product_links["next"]).get_data(as_text=True)
    assert _products(both) == ["P-1"] and _orders(both) == ["SO-C-3", "SO-C-2"]

    client.post("/language", data={"lang": "zh_CN"})
    zh = client.get("/closeout/", query_string={"status": "closed"}).get_data(as_text=True)
    assert "共 5 张结案单" in zh and "第 1 页，共 3 页" in zh


def test_the_list_reads_the_same_statements_however_many_close_outs(
    client, login, make_user, plan_world
):
    _closed(plan_world, "A", 3)
    _costed(plan_world, 3)
    login(make_user("finance"))
    with counted() as before:
        assert client.get("/closeout/").status_code == 200
    _closed(plan_world, "B", 60, start=4)
    _costed(plan_world, 60, start=4)
    with counted() as after:
        page = client.get("/closeout/").get_data(as_text=True)
    assert len(_orders(page)) == reading.PAGE and "data-closeout-pager" in page
    assert after.statements == before.statements

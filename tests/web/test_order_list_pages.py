"""The order list a page at a time (issue 14: 200 rows unpaged were 53 KB): newest first, the
total counted, a numbered pager whose links keep the filters, a page past the last shows the
last."""

import re

from app.modules.orders.services import orders as order_service
from tests.pagers import pager_links


def _listed(page: str) -> list[str]:
    return re.findall(r">(SO-P-\d+|SO-X-\d+)</a>", page)


def test_the_list_pages_its_filtered_orders_with_their_total(
    client, login, make_user, plan_world, monkeypatch
):
    monkeypatch.setattr(order_service, "ORDER_PAGE_SIZE", 2)
    for n in range(1, 6):
        plan_world.order(f"SO-P-{n}", 5, "2027-04-01")
    plan_world.order("SO-X-1", 5, "2027-04-01")  # filtered out by the number
    login(make_user("sales"))
    client.post("/language", data={"lang": "en"})

    first = client.get("/orders", query_string={"q": "SO-P"}).get_data(as_text=True)
    assert _listed(first) == ["SO-P-5", "SO-P-4"]
    assert "5 orders in all" in first and "Page 1 of 3" in first
    links = pager_links(first)
    assert "prev" not in links and "q=SO-P" in links["next"] and "page=2" in links["next"]

    second = client.get(links["next"]).get_data(as_text=True)
    assert _listed(second) == ["SO-P-3", "SO-P-2"]
    assert "page=1" in pager_links(second)["prev"] and "q=SO-P" in pager_links(second)["prev"]
    past = client.get("/orders", query_string={"q": "SO-P", "page": "99"}).get_data(as_text=True)
    assert _listed(past) == ["SO-P-1"] and "Page 3 of 3" in past
    assert "next" not in pager_links(past)
    nonsense = client.get("/orders", query_string={"q": "SO-P", "page": "x"})
    assert nonsense.status_code == 200 and _listed(nonsense.get_data(as_text=True))[0] == "SO-P-5"

    everything = client.get("/orders").get_data(as_text=True)
    assert _listed(everything) == ["SO-X-1", "SO-P-5"] and "6 orders in all" in everything
    client.post("/language", data={"lang": "zh_CN"})
    zh = client.get("/orders", query_string={"q": "SO-P"}).get_data(as_text=True)
    assert "共 5 个订单" in zh and "第 1 页，共 3 页" in zh


def test_one_page_has_no_pager(client, login, make_user, plan_world):
    plan_world.order("SO-P-1", 5, "2027-04-01")
    login(make_user("sales"))
    page = client.get("/orders").get_data(as_text=True)
    assert _listed(page) == ["SO-P-1"] and "data-order-pager" not in page

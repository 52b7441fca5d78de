"""The returns page a list at a time (issue 14: it showed the newest 200 returns and complaints,
nothing older, and read each row's order and customer on their own; its customer filter was a
dropdown of every customer): each list paged by its own numbered pager whose links keep the
filters and the other list's page, a status filter, the customer field of the order list, and
the same statements however much history there is."""

import re
from decimal import Decimal

from app.extensions import db
from app.modules.orders.models import Customer, Order
from app.modules.returns.models import Complaint, ReturnRequest
from app.modules.returns.services import reading
from tests.pagers import pager_links
from tests.statements import requested


def _history(owner, name: str, count: int, status: str = "refunded") -> None:
    """`count` more orders of the customer `name`, each with one return and one complaint."""
    customer = db.session.scalar(db.select(Customer).where(Customer.name == name))
    if customer is None:
        customer = Customer(name=name)
        db.session.add(customer)
    start = db.session.scalar(db.select(db.func.count(Order.id)).where(Order.customer == customer))
    for n in range(start, start + count):
        order = Order(
            number=f"SO-{name}-{n + 1}", customer=customer, status="closed", created_by_id=owner.id
        )
        db.session.add(order)
        db.session.flush()
        db.session.add_all(
            [
                ReturnRequest(
                    order_id=order.id,
                    customer_id=customer.id,
                    reason_category="damaged",
                    reason="Bent",
                    requested_outcome="refund",
                    status=status,
                    amount=Decimal(3),
                    currency="CNY",
                ),  # fmt: skip
                Complaint(
                    order_id=order.id,
                    customer_id=customer.id,
                    category="delivery",
                    description=f"Late {name} {n + 1}",
                ),  # fmt: skip
            ]
        )
    db.session.commit()


def _returned(html: str) -> list[str]:
    returns = html.split('<section class="card">')[1]  # the complaints list is the next card
    return re.findall(r">(SO-\w+-\d+)</a></td><td>", returns)


def _complained(html: str) -> list[str]:
    return re.findall(r"<td>Late (\w+ \d+)</td>", html)


def test_each_list_pages_by_itself_keeping_the_filters(client, login, make_user, monkeypatch):
    monkeypatch.setattr(reading, "PAGE_SIZE", 2)
    sales = make_user("sales")
    _history(sales, "Acme", 5)
    _history(sales, "Other", 1, status="open")
    login(sales)
    client.post("/language", data={"lang": "en"})

    first = client.get("/returns", query_string={"customer": "Acme"}).get_data(as_text=True)
    assert _returned(first) == ["SO-Acme-5", "SO-Acme-4"]
    assert _complained(first) == ["Acme 5", "Acme 4"]
    assert "5 returns in all" in first and "5 complaints in all" in first
    to_complaints = pager_links(first, "data-complaint-pager")["next"]
    assert "customer=Acme" in to_complaints and "complaints_page=2" in to_complaints
    second = client.get(to_complaints).get_data(as_text=True)
    assert _complained(second) == ["Acme 3", "Acme 2"] and _returned(second)[0] == "SO-Acme-5"
    to_returns = pager_links(second, "data-return-pager")["next"]
    assert "complaints_page=2" in to_returns and "page=2" in to_returns  # the other page kept
    both = client.get(to_returns).get_data(as_text=True)
    assert _returned(both) == ["SO-Acme-3", "SO-Acme-2"] and _complained(both)[0] == "Acme 3"
    past = client.get("/returns", query_string={"page": "99", "complaints_page": "x"})
    assert _returned(past.get_data(as_text=True)) == ["SO-Acme-2", "SO-Acme-1"]  # 3 of 3
    assert _complained(past.get_data(as_text=True)) == ["Other 1", "Acme 5"]

    open_only = client.get("/returns", query_string={"status": "open"}).get_data(as_text=True)
    assert _returned(open_only) == ["SO-Other-1"] and "1 returns in all" in open_only
    unknown = client.get("/returns", query_string={"customer": "Nobody"}).get_data(as_text=True)
    assert _returned(unknown) == [] and "No customer is named “Nobody”" in unknown
    bad = client.get("/returns", query_string={"status": "lost"}).get_data(as_text=True)
    assert "6 returns in all" in bad

    client.post("/language", data={"lang": "zh_CN"})
    zh = client.get("/returns", query_string={"customer": "Acme"}).get_data(as_text=True)
    assert "共 5 条退货" in zh and "共 5 条投诉" in zh and "第 1 页，共 3 页" in zh


def test_statements_do_not_grow_with_history(client, login, make_user):
    sales = make_user("sales")
    _history(sales, "First", 3)
    login(sales)
    client.get("/returns")

    def seen():
        found, html = requested(client, "/returns")
        return found.statements, len(_returned(html)), len(_complained(html))

    small = seen()
    _history(sales, "First", reading.PAGE_SIZE + 10)  # closed history, more than a page
    grown = seen()
    assert small == (grown[0], 3, 3) and grown[1:] == (reading.PAGE_SIZE, reading.PAGE_SIZE)

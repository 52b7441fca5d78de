"""The catalogue's customers and products a page at a time (issue 14: both lists showed every
row, and the products list read each product's line rates on its own, 25 statements with 20
products and 105 with 100): a search box, the total, a numbered pager whose links keep the
search, and the same statements however big the catalogue grows."""

import re
from decimal import Decimal

import pytest

from app.extensions import db
from app.modules.orders.models import Customer, Product, ProductionLine, ProductLineRate
from app.modules.orders.services import catalogue_listing
from tests.pagers import pager_links
from tests.statements import counted


def _customers(prefix: str, count: int) -> None:
    db.session.add_all(Customer(name=f"{prefix} {n:02d}") for n in range(1, count + 1))
    db.session.commit()


def _products(prefix: str, count: int) -> None:
    """`count` products, each with a rate on the line L-1."""
    line = db.session.scalar(db.select(ProductionLine).where(ProductionLine.code == "L-1"))
    if line is None:
        line = ProductionLine(code="L-1", name="Line 1")
        db.session.add(line)
    for n in range(1, count + 1):
        product = Product(code=f"{prefix}-{n:02d}", name=f"Part {n}", standard_cost=Decimal(1))
        product.rates.append(ProductLineRate(line=line, hours_per_unit=1))
        db.session.add(product)
    db.session.commit()


CUSTOMERS = ("/catalogue/customers", _customers, r"<tr><td>(Cust\w+ \d+)</td>", "customers")
PRODUCTS = ("/catalogue/products", _products, r'data-product="([\w-]+)"', "products")


@pytest.mark.parametrize(("url", "make", "row", "noun"), [CUSTOMERS, PRODUCTS])
def test_the_list_pages_its_search_with_the_total(
    url, make, row, noun, client, login, make_user, monkeypatch
):
    monkeypatch.setattr(catalogue_listing, "PAGE_SIZE", 2)
    make("CustA" if noun == "customers" else "A", 5)
    make("CustB" if noun == "customers" else "B", 1)  # not found by the search
    listed = lambda page: re.findall(row, page)  # noqa: E731
    login(make_user("sales"))
    client.post("/language", data={"lang": "en"})
    asked = {"q": "CustA" if noun == "customers" else "A-"}

    first = client.get(url, query_string=asked).get_data(as_text=True)
    assert len(listed(first)) == 2 and listed(first)[0].endswith("01")
    assert f"5 {noun} in all" in first and "Page 1 of 3" in first
    links = pager_links(first)
    assert "prev" not in links and f"q={asked['q']}" in links["next"]
    second = client.get(links["next"]).get_data(as_text=True)
    assert listed(second)[0].endswith("03") and "Page 2 of 3" in second
    past = client.get(url, query_string={**asked, "page": "99"}).get_data(as_text=True)
    assert [name[-2:] for name in listed(past)] == ["05"] and "Page 3 of 3" in past
    nonsense = client.get(url, query_string={**asked, "page": "-1"})
    assert nonsense.status_code == 200 and "Page 1 of 3" in nonsense.get_data(as_text=True)
    everything = client.get(url).get_data(as_text=True)
    assert f"6 {noun} in all" in everything
    nothing = client.get(url, query_string={"q": "%"}).get_data(as_text=True)
    assert listed(nothing) == [] and f"No {noun} match." in nothing
    too_long = client.get(url, query_string={"q": "x" * 500})
    assert too_long.status_code == 400 and "Search for at most" in too_long.get_data(True)

    client.post("/language", data={"lang": "zh_CN"})
    zh = client.get(url, query_string=asked).get_data(as_text=True)
    assert f"共 5 个{'客户' if noun == 'customers' else '产品'}" in zh and "第 1 页，共 3 页" in zh


@pytest.mark.parametrize(("url", "make", "row", "noun"), [CUSTOMERS, PRODUCTS])
def test_statements_and_rows_do_not_grow_with_the_catalogue(
    url, make, row, noun, client, login, make_user, monkeypatch
):
    monkeypatch.setattr(catalogue_listing, "PAGE_SIZE", 3)
    make("CustA" if noun == "customers" else "A", 3)
    login(make_user("engineering"))
    client.get(url)

    def seen():
        db.session.expire_all()
        with counted() as found:
            page = client.get(url).get_data(as_text=True)
        return found.statements, found.rows, len(re.findall(row, page)), "-pager" in page

    small = seen()
    make("CustZ" if noun == "customers" else "Z", 12)  # sorted after the first page
    grown = seen()
    assert grown[:3] == small[:3] and small[2] == 3 and grown[3] and not small[3]

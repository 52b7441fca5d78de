"""The purchase-order list a page at a time (issue 14: it showed the newest 100, nothing older,
and read each row's supplier on its own): newest first, of one status and/or matching a number
or supplier, the total counted, a numbered pager whose links keep the filters, a page past the
last shows the last, and the same statements however many orders there are."""

import re
from decimal import Decimal

from app.extensions import db
from app.modules.purchasing.models import PurchaseOrder, Supplier
from app.modules.purchasing.services import po_listing
from tests.pagers import pager_links
from tests.statements import counted


def _listed(page: str) -> list[str]:
    return re.findall(r">(PO-\w+-\d+)</a>", page)


def _placed(prefix: str, count: int, status: str = "approved", start: int = 1) -> None:
    """`count` purchase orders, each to a supplier of its own (as history has many)."""
    for n in range(start, start + count):
        supplier = Supplier(code=f"S-{prefix}-{n}", name=f"Supplier {prefix} {n}")
        db.session.add(supplier)
        db.session.flush()
        db.session.add(
            PurchaseOrder(
                number=f"PO-{prefix}-{n}", supplier_id=supplier.id, status=status, total=Decimal(5)
            )
        )
    db.session.commit()


def test_the_list_pages_its_filtered_orders_with_their_total(client, login, make_user, monkeypatch):
    monkeypatch.setattr(po_listing, "PAGE_SIZE", 2)
    _placed("A", 5)
    _placed("R", 1, status="received")  # filtered out by the status
    login(make_user("purchasing"))
    client.post("/language", data={"lang": "en"})

    asked = {"status": "approved"}
    first = client.get("/purchasing/orders", query_string=asked).get_data(as_text=True)
    assert _listed(first) == ["PO-A-5", "PO-A-4"]
    assert "5 purchase orders in all" in first and "Page 1 of 3" in first
    links = pager_links(first)
    assert "prev" not in links and "status=approved" in links["next"] and "page=2" in links["next"]

    second = client.get(links["next"]).get_data(as_text=True)
    assert _listed(second) == ["PO-A-3", "PO-A-2"]
    assert "status=approved" in pager_links(second)["prev"]
    past = client.get("/purchasing/orders", query_string={**asked, "page": "99"})
    assert _listed(past.get_data(as_text=True)) == ["PO-A-1"]
    assert "Page 3 of 3" in past.get_data(as_text=True)
    nonsense = client.get("/purchasing/orders", query_string={**asked, "page": "x"})
    assert nonsense.status_code == 200 and _listed(nonsense.get_data(as_text=True))[0] == "PO-A-5"

    by_supplier = client.get("/purchasing/orders", query_string={"q": "supplier a 3"})
    assert _listed(by_supplier.get_data(as_text=True)) == ["PO-A-3"]
    by_number = client.get("/purchasing/orders", query_string={"q": "PO-R"})
    assert _listed(by_number.get_data(as_text=True)) == ["PO-R-1"]
    literal = client.get("/purchasing/orders", query_string={"q": "PO_A"}).get_data(as_text=True)
    assert _listed(literal) == [] and "No purchase orders match." in literal
    unknown = client.get("/purchasing/orders", query_string={"status": "lost"})
    assert unknown.status_code == 200 and "6 purchase orders in all" in unknown.get_data(True)
    too_long = client.get("/purchasing/orders", query_string={"q": "x" * 500})
    assert too_long.status_code == 400 and "Search for at most" in too_long.get_data(True)

    client.post("/language", data={"lang": "zh_CN"})
    zh = client.get("/purchasing/orders", query_string=asked).get_data(as_text=True)
    assert "共 5 张采购单" in zh and "第 1 页，共 3 页" in zh


def test_one_page_has_no_pager(client, login, make_user):
    _placed("A", 1)
    login(make_user("purchasing"))
    page = client.get("/purchasing/orders").get_data(as_text=True)
    assert _listed(page) == ["PO-A-1"] and "data-po-pager" not in page


def test_statements_and_rows_do_not_grow_with_history(client, login, make_user, monkeypatch):
    monkeypatch.setattr(po_listing, "PAGE_SIZE", 3)
    _placed("A", 3)
    login(make_user("purchasing"))
    client.get("/purchasing/orders")

    def seen():
        db.session.expire_all()
        with counted() as found:
            page = client.get("/purchasing/orders").get_data(as_text=True)
        return found.statements, found.rows, len(_listed(page))

    small = seen()
    _placed("H", 12, status="received")  # closed history, each to another supplier
    assert seen() == small and small[2] == 3

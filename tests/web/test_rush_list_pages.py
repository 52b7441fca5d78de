"""The rush list a page at a time (issue 14: it showed the newest 200 rush requests and nothing
older): newest first, of one status if asked, the total, a numbered pager whose links keep the
filter, and the same statements however many requests there are."""

import re
from datetime import date

from app.extensions import db
from app.modules.rush.models import RushRequest
from app.modules.rush.services import reading
from tests.statements import requested


def _rushed(plan_world, owner, prefix: str, count: int, status: str = "applied") -> None:
    """`count` rush requests, each on an order of its own."""
    for n in range(1, count + 1):
        order = plan_world.order(f"SO-{prefix}-{n}", 4, "2027-03-31", status="closed")
        db.session.add(
            RushRequest(
                order=order,
                required_by=date(2027, 3, 3),
                reason="VIP",
                department="sales",
                status=status,
                preview="{}",
                base_fingerprint="",
                requested_by_id=owner.id,
            )  # fmt: skip
        )
    db.session.commit()


def _listed(html: str) -> list[str]:
    return re.findall(r"</a></td><td>(SO-\w+-\d+)</td>", html)


def test_the_list_pages_its_filtered_requests_with_the_total(
    client, login, make_user, plan_world, monkeypatch
):
    monkeypatch.setattr(reading, "PAGE_SIZE", 2)
    head = make_user("sales", role="head")
    _rushed(plan_world, head, "A", 5)
    _rushed(plan_world, head, "R", 1, status="rejected")
    login(head)
    client.post("/language", data={"lang": "en"})

    first = client.get("/rush", query_string={"status": "applied"}).get_data(as_text=True)
    assert _listed(first) == ["SO-A-5", "SO-A-4"]
    assert "5 rush requests in all" in first and "Page 1 of 3" in first
    following = re.search(r'href="([^"]*)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "status=applied" in following and "page=2" in following
    assert _listed(client.get(following).get_data(as_text=True)) == ["SO-A-3", "SO-A-2"]
    past = client.get("/rush", query_string={"status": "applied", "page": "99"})
    assert _listed(past.get_data(as_text=True)) == ["SO-A-1"]
    nonsense = client.get("/rush", query_string={"status": "lost", "page": "x"})
    assert nonsense.status_code == 200 and "6 rush requests in all" in nonsense.get_data(True)
    none = client.get("/rush", query_string={"status": "open"}).get_data(as_text=True)
    assert _listed(none) == [] and "No rush requests match." in none

    client.post("/language", data={"lang": "zh_CN"})
    zh = client.get("/rush", query_string={"status": "applied"}).get_data(as_text=True)
    assert "共 5 个插单申请" in zh and "第 1 页，共 3 页" in zh


def test_statements_and_rows_shown_do_not_grow_with_history(client, login, make_user, plan_world):
    head = make_user("sales", role="head")
    _rushed(plan_world, head, "A", 3)
    login(head)
    client.get("/rush")

    def seen():
        found, html = requested(client, "/rush")
        return found.statements, len(_listed(html))

    small = seen()
    _rushed(plan_world, head, "H", reading.PAGE_SIZE + 5)
    assert seen() == (small[0], reading.PAGE_SIZE) and small[1] == 3

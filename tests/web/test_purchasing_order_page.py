"""The order page's purchasing section (docs/PURCHASING.md): an order short and not yet ordered
says so, in both languages, also when the warehouse review's date is what the plan uses."""

from datetime import date

import pytest

from app.modules.schedule.services import materials
from app.modules.schedule.services.materials import MaterialStatus
from tests.services.test_purchasing_orders import World


def _section(page: str) -> str:
    """Purchasing's materials section of the order page (the plan's card is `#materials`: one
    id each, or a link to `#materials` lands on whichever comes first)."""
    assert page.count('id="materials"') == 1 and page.count('id="material-requirements"') == 1
    start = '<section class="card" id="material-requirements">'
    return page.split(start, 1)[1].split("</section>", 1)[0]


@pytest.mark.parametrize("review_date", [None, "2027-02-15"])
def test_not_yet_ordered_stays_visible_on_the_order_page(
    client, login, make_user, make_order, monkeypatch, review_date
):
    world = World(make_user, make_order)
    order = world.released("10", "2027-03-05")  # 20 kg short, no purchase order
    answers = {}
    if review_date:
        answers[order.id] = MaterialStatus.expected_by(date.fromisoformat(review_date), "Review")
    monkeypatch.setattr(materials, "warehouse_review", lambda ids: answers)
    login(make_user("pmc"))
    client.post("/language", data={"lang": "en"})
    section = _section(client.get(f"/orders/{order.id}").get_data(as_text=True))
    assert "Purchasing: short, not yet ordered" in section
    client.post("/language", data={"lang": "zh_CN"})
    section_zh = _section(client.get(f"/orders/{order.id}").get_data(as_text=True))
    assert "尚未下单" in section_zh
    if review_date:
        assert "Materials expected 2027-02-15" in section
        assert "not yet ordered (the warehouse review" in section, section
        assert "按仓库评审给出的日期" in section_zh
    else:
        assert "Material date unknown" in section


def test_purchasing_cancels_a_request_on_the_requests_page_in_both_languages(
    client, login, make_user, make_order
):
    from app.extensions import db
    from app.modules.purchasing.models import PurchaseRequest
    from app.modules.purchasing.services import buying

    world = World(make_user, make_order)
    world.released("10", "2027-03-05")
    request = buying.open_requests()[0]
    login(world.buyer)
    client.post("/language", data={"lang": "zh_CN"})
    page = client.get("/purchasing/requests").get_data(as_text=True)
    assert "取消不再需要的请购" in page and 'name="cancel_reason"' in page
    refused = client.post("/purchasing/requests/cancel", data={"cancel_id": request.id})
    assert refused.status_code == 400
    assert "请说明为什么不再需要此请购。" in refused.get_data(as_text=True)
    client.post("/language", data={"lang": "en"})
    refused = client.post("/purchasing/requests/cancel", data={"cancel_reason": "Not needed"})
    assert "Choose the request to cancel." in refused.get_data(as_text=True)
    assert db.session.get(PurchaseRequest, request.id).status == "open"
    done = client.post(
        "/purchasing/requests/cancel",
        data={"cancel_id": request.id, "cancel_reason": "The customer brings the steel"},
        follow_redirects=True,
    )
    assert "The purchase request was cancelled." in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PurchaseRequest, request.id).status == "cancelled"

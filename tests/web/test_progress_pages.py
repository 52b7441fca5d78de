"""The progress page, the order page's progress section and the late orders page."""

from app.extensions import db
from app.modules.fulfilment.models import ProgressReport


def test_production_reports_on_the_progress_page(client, login, make_user, plan_world):
    order = plan_world.order("SO-W-1", 10, "2027-03-02")
    login(make_user("production"))
    page = client.get(f"/orders/{order.id}/progress").get_data(as_text=True)
    assert "生产进度" in page and 'name="quantity_done"' in page
    data = {"line_id": order.lines[0].id, "step": "cutting", "quantity_done": "12", "note": ""}
    refused = client.post(f"/orders/{order.id}/progress", data=data)
    assert refused.status_code == 400
    assert "请输入 0 到 10 之间的数字。" in refused.get_data(as_text=True)
    data["quantity_done"] = "4"
    done = client.post(f"/orders/{order.id}/progress", data=data)
    assert done.status_code == 303
    assert db.session.scalar(db.select(ProgressReport.quantity_done)) == 4
    detail = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "data-progress" in detail and "4 / 10 (40%)" in detail and "生产中" in detail
    assert "data-report-progress" in detail


def test_an_order_made_in_full_says_so_instead_of_zero_percent(
    client, login, make_user, plan_world
):
    # Made in full, the order has left the plan: its hours are no longer known, so the section
    # must not say "0% of the hours" (as it did) nor give its steps zero hours.
    order = plan_world.order("SO-W-FULL", 10, "2027-03-02")
    login(make_user("production"))
    data = {"line_id": order.lines[0].id, "step": "packing", "quantity_done": "10", "note": ""}
    assert client.post(f"/orders/{order.id}/progress", data=data).status_code == 303
    detail = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "10 / 10 (100%)" in detail and "此订单每一行都已全部完工。" in detail
    assert "已完成：工时的 0%" not in detail and "0.0 小时" not in detail
    client.post("/language", data={"lang": "en"})
    english = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Every line of this order is made in full." in english and "0.0 h" not in english


def test_late_orders_page_lists_them_for_pmc_only(client, login, make_user, plan_world):
    plan_world.order("SO-W-LATE", 24, "2027-03-02")
    plan_world.order("SO-W-FINE", 8, "2027-04-30")
    login(make_user("sales"))
    assert client.get("/late-orders").status_code == 403
    login(make_user("pmc"))
    client.post("/language", data={"lang": "en"})
    page = client.get("/late-orders").get_data(as_text=True)
    assert 'data-order="SO-W-LATE"' in page and "Will miss the promised date" in page
    assert "SO-W-FINE" not in page


def test_the_order_list_filters_by_the_new_statuses(client, login, make_user, plan_world):
    plan_world.order("SO-S-REL", 5, "2027-04-01")
    plan_world.order("SO-S-RUN", 5, "2027-04-01", status="in_production")
    plan_world.order("SO-S-DONE", 5, "2027-04-01", status="production_complete")
    login(make_user("sales"))
    for status, shown in (
        ("in_production", "SO-S-RUN"),
        ("production_complete", "SO-S-DONE"),
        ("released", "SO-S-REL"),
    ):
        page = client.get(f"/orders?status={status}").get_data(as_text=True)
        found = {n for n in ("SO-S-REL", "SO-S-RUN", "SO-S-DONE") if n in page}
        assert found == {shown}, status
    assert "生产完工" in client.get("/orders").get_data(as_text=True)


def test_engineering_sets_a_products_steps(client, login, make_user, plan_world):
    from app.core.audit.models import AuditEvent
    from app.modules.fulfilment.services.steps import steps_by_line

    order = plan_world.order("SO-W-STEPS", 5, "2027-04-01")
    product = order.lines[0].product
    login(make_user("sales"))
    refused = client.post("/progress/steps", data={"product_id": product.id, "steps": ""})
    assert refused.status_code == 403
    login(make_user("engineering"))
    bad = client.post(
        "/progress/steps", data={"product_id": product.id, "steps": "Weld, 焊接\ncut, Cut, 下料"}
    )
    assert bad.status_code == 400 and "第 1 行" in bad.get_data(as_text=True)
    text = "weld, Welding, 焊接\npaint, Painting, 喷涂"
    saved = client.post("/progress/steps", data={"product_id": product.id, "steps": text})
    assert saved.status_code == 303
    keys = [s.key for s in steps_by_line(order.lines)[order.lines[0].id]]
    assert keys == ["weld", "paint"]
    assert db.session.scalar(db.select(AuditEvent.id).where(AuditEvent.action == "progress.steps"))
    page = client.get(f"/orders/{order.id}/progress").get_data(as_text=True)
    assert "焊接" in page and "喷涂" in page


def test_an_order_waiting_for_material_is_refused_in_both_languages(
    client, login, make_user, plan_world
):
    from app.modules.schedule.services import materials

    order = plan_world.order("SO-W-9", 10, "2027-03-09")
    materials.set_override(make_user("pmc"), order, "2027-03-04", "Steel on the next ship")
    db.session.commit()
    login(make_user("production"))
    data = {"line_id": order.lines[0].id, "step": "cutting", "quantity_done": "4", "note": ""}
    refused = client.post(f"/orders/{order.id}/progress", data=data)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "订单 SO-W-9 正在等待物料，预计 2027-03-04 到齐（PMC 设定）" in page
    client.post("/language", data={"lang": "en"})
    page = client.post(f"/orders/{order.id}/progress", data=data).get_data(as_text=True)
    assert "Order SO-W-9 is waiting for its materials, expected by 2027-03-04" in page
    assert "PMC sets the materials&#39; date on the order page" in page
    db.session.refresh(order)
    assert order.status == "released" and order.lines[0].quantity_done == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(ProgressReport)) == 0


def test_late_orders_come_a_page_at_a_time_with_counts_of_all(
    client, login, make_user, plan_world, monkeypatch
):
    import re

    from app.modules.fulfilment import views as fulfilment_views

    monkeypatch.setattr(fulfilment_views, "LATE_PAGE_SIZE", 2)
    numbers = ["SO-P-1", "SO-P-2", "SO-P-3"]
    for number in numbers:
        plan_world.order(number, 24, "2027-03-02")
    login(make_user("pmc"))
    client.post("/language", data={"lang": "en"})

    def rows(page):
        return re.findall(r'<tr data-order="([^"]+)"', page)

    first = client.get("/late-orders").get_data(as_text=True)
    assert len(rows(first)) == 2 and "Page 1 of 2" in first
    assert re.search(r'data-late-count="late">.*?<strong>3</strong>', first, re.S)
    assert "3 orders in all" in first and 'href="/late-orders?page=2"' in first
    second = client.get("/late-orders?page=2").get_data(as_text=True)
    assert len(rows(second)) == 1 and "Page 2 of 2" in second
    assert sorted(rows(first) + rows(second)) == numbers
    assert rows(client.get("/late-orders?page=99").get_data(as_text=True)) == rows(second)
    assert rows(client.get("/late-orders?page=x").get_data(as_text=True)) == rows(first)

"""The schedule page, rush request pages, the approvals page's rush rows and line capacity."""

import json
import re

from app.core.audit.models import AuditEvent
from app.core.tasks.models import HumanTask
from app.extensions import db
from app.modules.orders.models import ProductionLine
from app.modules.rush.models import RushRequest
from app.modules.rush.services import rush
from app.modules.schedule.models import PlanSlot
from app.modules.schedule.services import plan


def gantt_data(page: str, name: str) -> dict:
    """The JSON data block of the chart `data-gantt="name"`."""
    match = re.search(
        rf'data-gantt="{name}"[^>]*><script type="application/json">(.*?)</script>', page, re.S
    )
    assert match, f"no chart {name}"
    return json.loads(match.group(1))


def english(client):
    client.post("/language", data={"lang": "en"})


def test_schedule_page_shows_the_plan_and_pmc_rearranges_it(client, login, make_user, plan_world):
    a = plan_world.order("SO-A", 8, "2027-03-01")
    b = plan_world.order("SO-B", 16, "2027-03-02")
    login(make_user("pmc"))
    english(client)
    page = client.get("/schedule").get_data(as_text=True)
    tasks = gantt_data(page, "plan")["tasks"]
    assert [(t["name"], t["start"], t["end"]) for t in tasks] == [
        ("L1 · SO-A", "2027-03-01", "2027-03-01"),
        ("L1 · SO-B", "2027-03-02", "2027-03-03"),
    ]
    assert "og-late" in tasks[1]["classes"]  # B finishes after its promised 03-02
    assert f'name="position-{a.id}"' in page and "Save the plan" in page
    form = {
        "base_fingerprint": plan.current().fingerprint,
        "order": [str(a.id), str(b.id)],
        f"position-{a.id}": "2",
        f"line-{a.id}": "L1",
        f"position-{b.id}": "1",
        f"line-{b.id}": "L1",
    }
    bad = client.post("/schedule", data={**form, f"position-{a.id}": "first"})
    assert bad.status_code == 400 and "Enter a position of 1 or more." in bad.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(PlanSlot)) == 0
    saved = client.post("/schedule", data=form, follow_redirects=True)
    assert "The production plan was saved." in saved.get_data(as_text=True)
    assert [j.order_number for j in plan.current().schedule.jobs] == ["SO-B", "SO-A"]
    stale = client.post("/schedule", data=form)
    assert stale.status_code == 409
    assert "The plan changed since you opened it" in stale.get_data(as_text=True)


def test_other_departments_see_the_schedule_but_cannot_change_it(
    client, login, make_user, plan_world
):
    a = plan_world.order("SO-A", 8, "2027-03-01")
    login(make_user("sales"))
    english(client)
    page = client.get("/schedule").get_data(as_text=True)
    assert "SO-A" in page and "Save the plan" not in page
    form = {"base_fingerprint": plan.current().fingerprint, "order": [str(a.id)]}
    assert client.post("/schedule", data=form).status_code == 403
    assert db.session.scalar(
        db.select(db.func.count()).select_from(AuditEvent).where(AuditEvent.action == "plan.denied")
    )


def test_unplannable_orders_are_listed_with_the_reason(client, login, make_user, plan_world):
    order = plan_world.order("SO-A", 8, "2027-03-01")
    order.lines[0].product.rates.clear()
    db.session.commit()
    login(make_user("pmc"))
    english(client)
    page = client.get("/schedule").get_data(as_text=True)
    assert "Orders the plan cannot place" in page
    assert "Line 1 of order SO-A has no hours per unit on any production line" in page


def test_rush_request_page_previews_then_submits(client, login, make_user, plan_world):
    plan_world.order("SO-A", 16, "2027-03-05")
    c = plan_world.order("SO-C", 24, "2027-03-31")
    login(make_user("sales"))
    english(client)
    form = {"order_id": str(c.id), "required_by": "2027-03-03", "line_code": "", "reason": "VIP"}
    page = client.get(f"/rush/new?order_id={c.id}").get_data(as_text=True)
    assert f'<option value="{c.id}" selected' in page and "Submit the rush request" not in page
    preview = client.post("/rush/new", data={**form, "action": "preview"})
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Order SO-C goes first on line L1: 2027-03-01 to 2027-03-03" in text
    assert '<tr data-order="SO-A"' in text and "Submit the rush request" in text
    assert [t["name"] for t in gantt_data(text, "before")["tasks"]] == ["L1 · SO-A", "L1 · SO-C"]
    after = gantt_data(text, "after")["tasks"]
    assert after[0]["classes"] == ["og-rush"] and after[1]["classes"] == ["og-slipped"]
    assert db.session.scalar(db.select(db.func.count()).select_from(RushRequest)) == 0
    preview_key = re.search(r'name="preview_key" value="(\w+)"', text).group(1)
    done = client.post("/rush/new", data={**form, "action": "submit", "preview_key": preview_key})
    request = db.session.scalar(db.select(RushRequest))
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/rush/{request.id}")
    detail = client.get(f"/rush/{request.id}").get_data(as_text=True)
    assert "Impact on the plan as it is now" in detail and "PMC" in detail
    listing = client.get("/rush").get_data(as_text=True)
    assert f"#{request.id}" in listing and 'data-counts="customer"' in listing
    order_page = client.get(f"/orders/{c.id}").get_data(as_text=True)
    assert f"/rush/{request.id}" in order_page and "Planned on line L1, position 2" in order_page


def test_rush_request_bad_input_gets_messages_in_chinese(client, login, make_user, plan_world):
    c = plan_world.order("SO-C", 8, "2027-03-31")
    login(make_user("sales"))
    missing = client.post("/rush/new", data={"order_id": "", "action": "preview"})
    assert missing.status_code == 400 and "请选择要插单的订单" in missing.get_data(as_text=True)
    past = client.post(
        "/rush/new", data={"order_id": str(c.id), "required_by": "2020-01-01", "action": "preview"}
    )
    assert past.status_code == 400 and "要求日期已过" in past.get_data(as_text=True)
    stale = client.post(
        "/rush/new",
        data={
            "order_id": str(c.id),
            "required_by": "2027-03-05",
            "reason": "VIP",
            "action": "submit",
            "preview_key": "old",
        },
    )
    text = stale.get_data(as_text=True)
    assert stale.status_code == 400 and "生产计划已变化" in text
    assert "data-base-fingerprint=" in text  # the recomputed preview is shown again
    assert db.session.scalar(db.select(db.func.count()).select_from(RushRequest)) == 0
    assert client.get("/rush/999").status_code == 404


def test_approvals_page_lists_rush_rows_and_a_rejection_needs_a_reason(
    client, login, make_user, plan_world
):
    plan_world.order("SO-A", 16, "2027-03-05")
    c = plan_world.order("SO-C", 24, "2027-03-31")
    requester = make_user("sales")
    seen = rush.preview_request(requester, c.id, "2027-03-03", "")
    request = rush.request_rush(requester, c.id, "2027-03-03", "", "VIP", "", seen.preview_key)
    db.session.commit()
    assess = db.session.scalar(db.select(HumanTask).where(HumanTask.state == "ready"))
    login(make_user("pmc"))
    english(client)
    task_page = client.get(f"/tasks/{assess.id}").get_data(as_text=True)
    assert "Orders that slip" in task_page and 'name="base_fingerprint"' in task_page
    client.post(
        f"/tasks/{assess.id}/complete",
        data={"recommendation": "approve", "base_fingerprint": seen.preview.base_fingerprint},
    )
    approval = db.session.scalar(db.select(HumanTask).where(HumanTask.state == "ready"))
    assert approval.spec_name == "rush_approval_production"
    login(make_user("production", role="head"))
    english(client)
    page = client.get("/approvals").get_data(as_text=True)
    assert f'data-rush="{request.id}"' in page
    assert "Orders slipping: 1 · becoming late: 0 · largest slip: 3 working days" in page
    assert 'data-counts="month"' in page
    assert page.count("data-counted-since=") == 2  # the change and the rush counts say their window
    rejected = client.post(
        f"/tasks/{approval.id}/complete",
        data={"decision": "reject", "base_fingerprint": seen.preview.base_fingerprint},
    )
    assert rejected.status_code == 400
    db.session.refresh(approval)
    assert approval.state == "ready"
    client.post(
        f"/tasks/{approval.id}/complete",
        data={"decision": "reject", "reason": "Full week", "next": "/approvals"},
    )
    db.session.refresh(request)
    assert request.status == "rejected" and request.decision_reason == "Full week"
    assert f'data-rush="{request.id}"' not in client.get("/approvals").get_data(as_text=True)


def test_line_capacity_is_edited_on_the_catalogue_page(client, login, make_user, plan_world):
    login(make_user("production"))
    english(client)
    line = plan_world.lines["L1"]
    bad = client.post(f"/catalogue/lines/{line.id}/capacity", data={"daily_hours": "-3"})
    assert bad.status_code == 303
    db.session.refresh(line)
    assert line.daily_hours == 8
    client.post(f"/catalogue/lines/{line.id}/capacity", data={"daily_hours": "12.5"})
    db.session.refresh(line)
    assert line.daily_hours == 12.5
    login(make_user("sales"))
    assert (
        client.post(f"/catalogue/lines/{line.id}/capacity", data={"daily_hours": "4"}).status_code
        == 403
    )
    assert db.session.get(ProductionLine, line.id).daily_hours == 12.5


def test_owners_of_delayed_orders_read_why_in_their_notifications(
    client, login, make_user, plan_world
):
    from werkzeug.datastructures import MultiDict

    from app.core.tasks import completion as tasks

    plan_world.order("SO-A", 16, "2027-03-05")
    rushed = plan_world.order("SO-C", 8, "2027-03-31")
    requester = make_user("pmc")
    seen = rush.preview_request(requester, rushed.id, "2027-03-01", "")
    request = rush.request_rush(requester, rushed.id, "2027-03-01", "", "VIP", "", seen.preview_key)
    db.session.commit()
    for _step in range(2):
        task = db.session.scalar(
            db.select(HumanTask).where(
                HumanTask.instance_id == request.instance_id, HumanTask.state == "ready"
            )
        )
        field = rush.DECISION_STEPS[task.spec_name]
        user = make_user(task.department.key, role=task.role or "member")
        data = {field: "approve", "base_fingerprint": rush.live(request).preview.base_fingerprint}
        tasks.complete_task(task.id, user, MultiDict(data))
        db.session.commit()
    login(plan_world.owner)
    english(client)
    page = client.get("/notifications").get_data(as_text=True)
    assert (
        "Order SO-A is delayed by 1 working days: rush order SO-C was inserted ahead of it." in page
    )
    assert "Planned finish: 2027-03-02 → 2027-03-03." in page


def test_pmc_keeps_the_factory_calendar_and_the_plan_follows_it(
    client, login, make_user, plan_world
):
    from datetime import date

    from app.core.calendar.models import CalendarDay

    a = plan_world.order("SO-A", 24, "2027-03-31")
    assert plan.current().schedule.job(a.id).finish.isoformat() == "2027-03-03"
    login(make_user("pmc"))
    english(client)
    page = client.get("/schedule").get_data(as_text=True)
    assert "Working calendar" in page and "Official holidays" in page
    bad = client.post("/schedule/calendar", data={"calendar_day": "tomorrow", "calendar_kind": "x"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Enter the date as YYYY-MM-DD." in text
    assert "Choose holiday or working day." in text
    client.post(
        "/schedule/calendar",
        data={"calendar_day": "2027-03-02", "calendar_kind": "holiday", "note": "Power cut"},
    )
    assert plan.current().schedule.job(a.id).finish.isoformat() == "2027-03-04"
    page = client.get("/schedule").get_data(as_text=True)
    assert 'data-day="2027-03-02"' in page and "Power cut" in page
    client.post(
        "/schedule/calendar", data={"calendar_day": "2027-03-02", "calendar_kind": "workday"}
    )
    assert db.session.get(CalendarDay, date(2027, 3, 2)).kind == "workday"
    client.post("/schedule/calendar/2027-03-02/clear")
    assert db.session.scalar(db.select(db.func.count()).select_from(CalendarDay)) == 0
    login(make_user("sales"))
    refused = client.post(
        "/schedule/calendar", data={"calendar_day": "2027-03-02", "calendar_kind": "holiday"}
    )
    assert refused.status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(CalendarDay)) == 0


def test_the_schedule_shows_a_page_of_each_line_and_a_save_keeps_the_other_pages(
    client, login, make_user, plan_world, monkeypatch
):
    from app.modules.schedule import views as schedule_views

    monkeypatch.setattr(schedule_views, "PLAN_PAGE_SIZE", 2)
    made = [plan_world.order(f"SO-P{n}", 8, f"2027-03-{n + 1:02d}") for n in range(5)]
    login(make_user("pmc"))
    english(client)
    first = client.get("/schedule").get_data(as_text=True)
    assert "SO-P0" in first and "SO-P1" in first and "SO-P2" not in first
    assert "Page 1 of 3" in first and "1–2 of 5" in first
    second = client.get("/schedule?page=2").get_data(as_text=True)
    assert [t["name"] for t in gantt_data(second, "plan")["tasks"]] == ["L1 · SO-P2", "L1 · SO-P3"]
    assert "3–4 of 5" in second and 'name="page" value="2"' in second
    assert "Page 3 of 3" in client.get("/schedule?page=99").get_data(as_text=True)
    # Page 2 saved with its two orders swapped: the orders of pages 1 and 3 keep their places.
    p2, p3 = made[2], made[3]
    form = {
        "base_fingerprint": plan.current().fingerprint,
        "page": "2",
        "order": [str(p2.id), str(p3.id)],
        f"position-{p2.id}": "4",
        f"line-{p2.id}": "L1",
        f"position-{p3.id}": "3",
        f"line-{p3.id}": "L1",
    }
    saved = client.post("/schedule", data=form)
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/schedule?page=2")
    assert [j.order_number for j in plan.current().schedule.jobs] == [
        "SO-P0",
        "SO-P1",
        "SO-P3",
        "SO-P2",
        "SO-P4",
    ]


def test_the_schedule_names_the_first_unplaceable_orders_and_counts_the_rest(
    client, login, make_user, plan_world, monkeypatch
):
    from app.modules.schedule import views as schedule_views

    monkeypatch.setattr(schedule_views, "UNPLANNED_SHOWN", 2)
    for n in range(3):
        order = plan_world.order(f"SO-U{n}", 8, "2027-03-01")
        order.lines[0].product.rates.clear()
    db.session.commit()
    login(make_user("pmc"))
    english(client)
    page = client.get("/schedule").get_data(as_text=True)
    assert "SO-U0" in page and "SO-U1" in page and "SO-U2" not in page
    assert "1 more orders cannot be placed; each order page says why." in page
    client.post("/language", data={"lang": "zh_CN"})
    zh = client.get("/schedule").get_data(as_text=True)
    assert "另有 1 个订单无法排入计划；原因见各订单页面。" in zh

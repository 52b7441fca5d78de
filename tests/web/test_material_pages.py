"""Material status on the order page and the schedule (issue 13), in both languages: PMC sets
and removes its material date there; the schedule's chart and table say who waits for material.

PlanWorld: lines L1 and L2 of 8 h a day, today Monday 2027-03-01.
"""

import re

from app.core.audit.models import AuditEvent
from app.extensions import db
from app.modules.schedule.models import MaterialOverride
from tests.web.test_planning_pages import english, gantt_data


def chinese(client):
    client.post("/language", data={"lang": "zh_CN"})


def section(page: str) -> str:
    match = re.search(r"<section[^>]*data-materials>(.*?)</section>", page, re.S)
    assert match, "no materials section"
    return match.group(1)


def test_pmc_sets_and_removes_the_material_date_on_the_order_page(
    client, login, make_user, plan_world
):
    order = plan_world.order("SO-M-A", 16, "2027-03-05")
    login(make_user("pmc"))
    english(client)
    url = f"/orders/{order.id}"
    page = section(client.get(url).get_data(as_text=True))
    assert "Materials: not known yet" in page and "Nobody has said yet" in page
    assert "Set the material date" in page and "Remove the override" not in page

    bad = client.post(f"{url}/materials", data={"ready_on": "next week", "reason": "Steel"})
    assert bad.status_code == 303 and bad.headers["Location"].endswith("#materials")
    shown = client.get(url).get_data(as_text=True)
    assert "Enter the date as YYYY-MM-DD." in shown
    no_reason = client.post(
        f"{url}/materials", data={"ready_on": "2027-03-08", "reason": ""}, follow_redirects=True
    )
    assert "Say why the materials" in no_reason.get_data(as_text=True)
    assert db.session.get(MaterialOverride, order.id) is None

    done = client.post(
        f"{url}/materials",
        data={"ready_on": "2027-03-08", "reason": "Coil on the next ship"},
        follow_redirects=True,
    )
    page = done.get_data(as_text=True)
    assert "The material date was set; the plan follows it." in page
    card = section(page)
    assert "Materials expected by 2027-03-08" in card and "Set by PMC" in card
    assert "Coil on the next ship" in card and "Without it: Nobody has said yet" in card
    assert "The plan does not start this order before 2027-03-08" in card
    assert "Remove the override" in card

    cleared = client.post(f"{url}/materials/clear", follow_redirects=True)
    assert "material date was removed" in cleared.get_data(as_text=True)
    assert "Materials: not known yet" in section(cleared.get_data(as_text=True))
    actions = db.session.scalars(
        db.select(AuditEvent.action)
        .where(AuditEvent.action.like("material.%"))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["material.override", "material.override_cleared"]


def test_others_see_the_materials_but_not_the_form(client, login, make_user, plan_world):
    order = plan_world.order("SO-M-B", 8, "2027-03-05")
    login(make_user("sales"))
    english(client)
    card = section(client.get(f"/orders/{order.id}").get_data(as_text=True))
    assert "Materials: not known yet" in card and "Set the material date" not in card
    refused = client.post(
        f"/orders/{order.id}/materials", data={"ready_on": "2027-03-08", "reason": "x"}
    )
    assert refused.status_code == 403
    assert db.session.get(MaterialOverride, order.id) is None


def test_the_schedule_shows_waiting_for_material_in_words_and_in_both_languages(
    client, login, make_user, plan_world
):
    from app.modules.schedule.services import materials

    a = plan_world.order("SO-M-C", 16, "2027-03-20")
    plan_world.order("SO-M-D", 8, "2027-03-25")
    pmc = make_user("pmc")
    materials.set_override(pmc, a, "2027-03-03", "Parts on Wednesday")
    db.session.commit()
    login(pmc)
    english(client)
    page = client.get("/schedule").get_data(as_text=True)
    tasks = gantt_data(page, "plan")["tasks"]
    assert [(t["id"][0], t["name"], t["start"], t["end"], t["classes"]) for t in tasks] == [
        ("o", "L1 · SO-M-D", "2027-03-01", "2027-03-01", []),
        ("w", "L1 · SO-M-C", "2027-03-01", "2027-03-02", ["og-waiting"]),
        ("o", "L1 · SO-M-C", "2027-03-03", "2027-03-04", []),
    ]
    assert gantt_data(page, "plan")["labels"]["og-waiting"] == "waiting for material"
    assert "Waiting for material until 2027-03-03" in page
    assert "the order does not start before its materials are expected" in page  # legend
    chinese(client)
    page = client.get("/schedule").get_data(as_text=True)
    assert gantt_data(page, "plan")["labels"]["og-waiting"] == "待料"
    assert "待料至 2027-03-03" in page and "物料到齐前不开工该订单" in page
    card = section(client.get(f"/orders/{a.id}").get_data(as_text=True))
    assert "物料预计 2027-03-03 到齐" in card and "PMC 设定" in card

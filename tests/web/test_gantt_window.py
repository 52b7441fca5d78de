"""The window the Gantt charts open on (issue 16): the rush preview's on every order that moves
or becomes late, the schedule's on today to the last finish; today is the factory's date."""

import json
import re
from datetime import date, datetime

from app.core import clock
from app.extensions import db
from app.modules.rush.services.preview import RushPreview
from app.modules.schedule.services import plan
from tests.clocks import SHANGHAI


def charts(page: str) -> dict[str, dict]:
    """Every chart's JSON data block on the page, by its data-gantt name."""
    found = re.findall(
        r'data-gantt="(\w+)"[^>]*><script type="application/json">(.*?)</script>', page, re.S
    )
    return {name: json.loads(block) for name, block in found}


def day(text: str) -> date:
    return date.fromisoformat(text)


def inside(window: dict, text: str) -> bool:
    return day(window["start"]) <= day(text) <= day(window["end"])


def late_three_months_out(plan_world):
    """SO-A and SO-B finish in May on L1 exactly on their promised dates, so a rush ahead of
    them makes them late about three months after today; SO-Z on L2 finishes in the autumn,
    untouched."""
    a = plan_world.order("SO-A", 400, "2027-12-30")
    b = plan_world.order("SO-B", 80, "2027-12-31")
    plan_world.order("SO-Z", 1200, "2027-12-31", rates={"L2": "1"})
    schedule = plan.current().schedule
    a.promised_date, b.promised_date = schedule.job(a.id).finish, schedule.job(b.id).finish
    db.session.commit()
    plan_world.order("SO-R", 16, "2027-12-31")
    return b


def test_rush_preview_opens_on_the_late_orders_three_months_out(
    client, login, make_user, plan_world
):
    late = late_three_months_out(plan_world)
    rushed_id = next(o.id for o in plan.current().orders.values() if o.number == "SO-R")
    login(make_user("sales"))
    client.post("/language", data={"lang": "en"})
    form = {"order_id": str(rushed_id), "required_by": "2027-03-03", "line_code": "L1"}
    page = client.post("/rush/new", data={**form, "reason": "VIP", "action": "preview"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200, text[:400]
    shown = charts(text)
    before, after = shown["before"], shown["after"]
    assert before["window"] == after["window"]  # one window, so the two charts compare
    window = after["window"]
    assert window["today"] == "2027-03-01"
    bars = {bar["name"]: bar for bar in after["tasks"]}
    late_bar = bars["L1 · SO-B"]
    assert "og-late" in late_bar["classes"] and "og-slipped" in late_bar["classes"]
    assert day(late_bar["end"]) > date(2027, 5, 20)  # about three months out
    assert inside(window, late_bar["end"]) and inside(window, "2027-03-01")
    assert inside(window, bars["L1 · SO-R"]["end"])
    # The untouched order on the other line does not stretch the window to the autumn.
    assert not inside(window, bars["L2 · SO-Z"]["end"])
    assert after["view_modes"] == ["Day", "Week", "Month"]
    assert after["labels"]["og-late"] == "late" and after["labels"]["og-slipped"] == "slips"
    assert "data-gantt-legend" in text and "finishes after the promised delivery date" in text
    assert late.number == "SO-B"


def test_stored_preview_window_covers_moved_orders_and_today(plan_world):
    late_three_months_out(plan_world)
    from app.modules.rush.services.preview import compute

    state = plan.current()
    rushed = next(o for o in state.orders.values() if o.number == "SO-R")
    stored = RushPreview.from_json(compute(rushed, date(2027, 3, 3), "L1").preview.to_json())
    # Shown a week later (the plan was not recomputed): today is inside, so is every slip.
    window = stored.window(date(2027, 3, 8))
    assert window.start <= date(2027, 3, 1) and window.contains(date(2027, 3, 8))
    assert all(window.contains(slip.new_finish) for slip in stored.slips)
    assert stored.charts(date(2027, 3, 8))["before"]["window"]["today"] == "2027-03-08"


def test_schedule_chart_opens_today_with_late_orders_and_the_legend_in_chinese(
    client, login, make_user, plan_world, fake_clock
):
    # 00:30 in Shanghai on 1 March is still 28 February in UTC (and in the browser's Americas).
    fake_clock.set(datetime(2027, 3, 1, 0, 30, tzinfo=SHANGHAI))
    plan_world.order("SO-A", 16, "2027-03-01")  # late: finishes 03-02
    plan_world.order("SO-Z", 4000, "2029-12-31", rates={"L2": "1"})  # two years of work
    assert clock.today() == date(2027, 3, 1)
    login(make_user("pmc"))
    text = client.get("/schedule").get_data(as_text=True)
    data = charts(text)["plan"]
    window = data["window"]
    assert window["today"] == "2027-03-01" and inside(window, "2027-03-02")
    # Two years of SO-Z are cut at the bound: about three months.
    assert day(window["end"]) < date(2027, 7, 1)
    assert data["labels"] == {
        "og-late": "逾期",
        "og-slipped": "延后",
        "og-rush": "插单",
        "og-waiting": "待料",
        "today": "今天",
    }
    assert "完工晚于承诺交期" in text and "工厂时区的 2027-03-01" in text

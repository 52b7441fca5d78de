"""The preview a rush request stores (`rush_request.preview`) keeps its JSON shape: rows stored
by earlier versions load into a RushPreview, write back byte for byte, and render."""

import json
import re
from datetime import date

from app.extensions import db
from app.modules.rush.models import RushRequest
from app.modules.rush.services import rush
from app.modules.rush.services.preview import RushPreview

# A preview as the dict-based code stored it (json.dumps of the dict, ensure_ascii=False).
STORED = {
    "order_id": 3,
    "order_number": "SO-OLD",
    "line": "L1",
    "required_by": "2027-03-03",
    "start": "2027-03-01",
    "finish": "2027-03-03",
    "hours": 24.0,
    "meets_required_date": True,
    "days_past_required": 0,
    "slips": [
        {
            "order_id": 1,
            "order_number": "SO-A",
            "line": "L1",
            "old_finish": "2027-03-02",
            "new_finish": "2027-03-05",
            "working_days": 3,
            "promised": "2027-03-05",
            "late": False,
            "newly_late": False,
        },
        {
            "order_id": 2,
            "order_number": "SO-B",
            "line": "L1",
            "old_finish": "2027-03-04",
            "new_finish": "2027-03-09",
            "working_days": 3,
            "promised": None,
            "late": True,
            "newly_late": True,
        },
    ],
    "beyond_horizon": ["SO-FAR"],
    "late_orders": 2,
    "slipped_orders": 2,
    "max_slip_days": 3,
    "load": [
        {"line": "L1", "week": "2027-W09", "capacity": 40.0, "before": 16.0, "after": 40.0},
        {"line": "L2", "week": "2027-W09", "capacity": 40.0, "before": 0, "after": 0},
    ],
    "before": [
        {"id": "o1", "name": "L1 · SO-A", "start": "2027-03-01", "end": "2027-03-02", "classes": []}
    ],
    "after": [
        {
            "id": "o3",
            "name": "L1 · SO-OLD",
            "start": "2027-03-01",
            "end": "2027-03-03",
            "classes": ["og-rush"],
        },
        {
            "id": "o1",
            "name": "L1 · SO-A",
            "start": "2027-03-04",
            "end": "2027-03-05",
            "classes": ["og-slipped"],
        },
    ],  # fmt: skip
    "plan_start": "2027-03-01",
    "base_fingerprint": "ab12" * 16,
}
STORED_TEXT = json.dumps(STORED, ensure_ascii=False)


def test_a_stored_preview_loads_and_writes_back_the_same_json():
    preview = RushPreview.from_json(STORED_TEXT)
    assert preview.to_json() == STORED_TEXT
    assert (preview.start, preview.required_by) == (date(2027, 3, 1), date(2027, 3, 3))
    assert [s.promised for s in preview.slips] == [date(2027, 3, 5), None]
    assert preview.impact() == {
        "late_orders": 2,
        "slipped_orders": 2,
        "max_slip_days": 3,
        "fingerprint": "ab12" * 16,
    }


def test_a_computed_preview_is_stored_in_the_same_shape(plan_world, make_user):
    plan_world.order("SO-A", 16, "2027-03-05")
    rushed = plan_world.order("SO-C", 24, "2027-03-31")
    shown = rush.preview_request(make_user("sales"), rushed.id, "2027-03-03", "")
    stored = json.loads(shown.preview.to_json())
    assert list(stored) == list(STORED)
    assert list(stored["slips"][0]) == list(STORED["slips"][0])
    assert list(stored["load"][0]) == list(STORED["load"][0])
    assert list(stored["after"][0]) == list(STORED["after"][0])
    assert RushPreview.from_json(shown.preview.to_json()) == shown.preview


def _stored_request(order, preview: dict) -> RushRequest:
    request = RushRequest(
        order=order,
        required_by=date(2027, 3, 3),
        line_code=None,
        reason="VIP",
        department="sales",
        status="applied",
        preview=json.dumps(preview, ensure_ascii=False),
        base_fingerprint=preview["base_fingerprint"],
    )
    db.session.add(request)
    db.session.commit()
    return request


def test_an_old_request_still_renders_its_stored_preview(client, login, make_user, plan_world):
    order = plan_world.order("SO-OLD", 24, "2027-03-31")
    request = _stored_request(order, STORED)
    # Stored before the planning horizon: no `beyond_horizon` key at all.
    older = {key: value for key, value in STORED.items() if key != "beyond_horizon"}
    older_request = _stored_request(plan_world.order("SO-OLDER", 8, "2027-03-31"), older)
    login(make_user("sales"))
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/rush/{request.id}").get_data(as_text=True)
    assert "Impact as applied" in page
    assert "Order SO-OLD goes first on line L1: 2027-03-01 to 2027-03-03 (24.0 h)." in page
    assert f'data-base-fingerprint="{"ab12" * 16}"' in page
    assert '<tr data-order="SO-A"' in page and '<tr data-order="SO-B" class="late">' in page
    assert "Becomes late" in page and "2027-03-09" in page
    assert "Pushed past the planning horizon (no longer planned): SO-FAR." in page
    assert '<tr data-line="L1">' in page and "16.0 → 40.0" in page
    older_page = client.get(f"/rush/{older_request.id}")
    assert older_page.status_code == 200
    assert "Pushed past the planning horizon" not in older_page.get_data(as_text=True)


def test_the_impact_renders_its_stored_charts_on_a_window_over_the_stored_slips(app):
    """The charts show the stored bars as stored; the window they open on is computed when the
    page is shown, from the stored dates (the slips and the bars that moved) and today."""
    from flask import render_template

    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        html = render_template("rush/_impact.html", preview=RushPreview.from_json(STORED_TEXT))
    blocks = dict(
        re.findall(r'data-gantt="(\w+)"[^>]*><script type="application/json">(.*?)</script>', html)
    )
    before, after = json.loads(blocks["before"]), json.loads(blocks["after"])
    assert before["tasks"] == STORED["before"] and after["tasks"] == STORED["after"]
    window = after["window"]
    assert window == before["window"]
    assert window["start"] <= "2027-03-01" and window["end"] >= "2027-03-09"  # SO-B's new finish
    assert '<tr data-order="SO-B" class="late">' in html and "data-gantt-legend" in html

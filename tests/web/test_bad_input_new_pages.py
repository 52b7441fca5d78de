"""Garbage sent to the schedule, rush, process and form pages: a clear answer, never a 500."""

import pytest

from app.core.calendar.models import CalendarDay
from app.core.processes.models import ProcessDraft
from app.extensions import db
from app.modules.rush.models import RushRequest
from app.modules.schedule.models import PlanSlot

CASES = [
    ("pmc", "post", "/schedule", {"order": ["x", "999999"], "position-999999": "∞"}),
    ("pmc", "post", "/schedule", {"base_fingerprint": "", "order": ["1"], "line-1": "<script>"}),
    ("pmc", "post", "/schedule/calendar", {"calendar_day": "2027-02-30", "calendar_kind": ""}),
    ("pmc", "post", "/schedule/calendar/not-a-date/clear", {}),
    ("sales", "post", "/rush/new", {"order_id": "999999", "action": "preview"}),
    ("sales", "post", "/rush/new", {"order_id": "-1", "required_by": "x", "action": "submit"}),
    ("sales", "get", "/rush/new?order_id=abc", None),
    ("sales", "get", "/rush/999999", None),
    ("owner", "get", "/processes/order_lifecycle/diff?a=zz&b=1", None),
    ("owner", "get", "/processes/order_lifecycle/diff?a=999&b=1", None),
    ("owner", "get", "/processes/order_lifecycle/versions/999", None),
    ("owner", "post", "/processes/order_lifecycle/migrations",
     {"mode": "x", "to_version_id": "-1"}),
    ("owner", "post", "/processes/order_lifecycle/migrations", {"to_version_id": "999999"}),
    ("owner", "post", "/processes/migrations/999999/revert", {}),
    ("owner", "post", "/processes/order_lifecycle/draft/discard", {}),
    ("owner", "get", "/processes/no_such_process/edit", None),
    ("owner", "post", "/forms/rush_approval", {"content": "[]", "action": "publish"}),
    ("owner", "post", "/forms/rush_approval", {"content": "x" * 300_000, "action": "publish"}),
    ("owner", "get", "/forms/No-Such-Form", None),
    ("production", "post", "/catalogue/lines/999999/capacity", {"daily_hours": "8"}),
    ("production", "post", "/catalogue/lines",
     {"line_code": "L9", "line_name": "x", "daily_hours": "nan"}),
]  # fmt: skip


@pytest.mark.parametrize(("who", "method", "url", "data"), CASES)
def test_garbage_gets_an_answer_and_changes_nothing(
    client, login, make_user, who, method, url, data
):
    user = make_user(None, is_process_owner=True) if who == "owner" else make_user(who)
    login(user)
    response = getattr(client, method)(url, data=data) if data is not None else client.get(url)
    assert response.status_code in (200, 302, 303, 400, 403, 404, 409), response.status_code
    if response.status_code >= 400:
        assert "Traceback" not in response.get_data(as_text=True)
    for model in (PlanSlot, RushRequest, CalendarDay, ProcessDraft):
        assert db.session.scalar(db.select(db.func.count()).select_from(model)) == 0

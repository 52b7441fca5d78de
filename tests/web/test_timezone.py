"""Times are stored in UTC and shown on the task page in the configured zone (Asia/Shanghai)."""

from datetime import UTC, datetime

import pytest
from werkzeug.datastructures import MultiDict

from app.core.tasks import completion as tasks
from app.core.tasks import instances
from app.core.tasks.models import HumanTask
from app.extensions import db

# 20:00 UTC on 1 March is 04:00 on 2 March in Shanghai (UTC+8, no daylight saving).
CREATED = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
COMPLETED = datetime(2026, 3, 1, 23, 45, tzinfo=UTC)
INTAKE = {
    "packaging_confirmed": "on",
    "structure_confirmed": "on",
    "dimensions_confirmed": "on",
    "order_category": "regular",
}


@pytest.fixture
def clock(fake_clock):
    """The app's clock (services, engine and pages) at CREATED; `clock.set` moves it."""
    fake_clock.set(CREATED)
    return fake_clock


def confirm_task(make_user, due_utc: datetime) -> HumanTask:
    """Start order_review at the fixed time; its first step is due 8 working hours later."""
    instance = instances.start_process("order_review", make_user("sales"))
    db.session.commit()
    task = db.session.scalar(
        db.select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.spec_name == "confirm_order"
        )
    )
    assert (task.created_at, task.due_at) == (CREATED, due_utc)
    return task


# Eight working hours from before Monday's office hours: 08:00-12:00 and 13:00-17:00 that
# Monday in the configured zone (docs/DEADLINES.md).
@pytest.mark.parametrize(
    ("zone", "due", "due_utc", "completed"),
    [
        (
            "Asia/Shanghai",
            "2026-03-02 17:00",
            datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
            "2026-03-02 07:45",
        ),
        ("UTC", "2026-03-02 17:00", datetime(2026, 3, 2, 17, 0, tzinfo=UTC), "2026-03-01 23:45"),
    ],
)
def test_task_page_shows_times_in_the_configured_zone(
    app, client, login, make_user, clock, monkeypatch, zone, due, due_utc, completed
):
    monkeypatch.setitem(app.config, "TIMEZONE", zone)
    task = confirm_task(make_user, due_utc)
    user = make_user("sales", locale="en", display_name="Wang Fang")
    login(user)
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert f"<dt>Due</dt><dd>{due}</dd>" in page
    clock.set(COMPLETED)  # before the due time: no overdue badge
    tasks.complete_task(task.id, user, MultiDict(INTAKE))
    db.session.commit()
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert f"<dt>Completed by</dt><dd>Wang Fang · {completed}</dd>" in page
    assert f"<dt>Due</dt><dd>{due}</dd>" in page

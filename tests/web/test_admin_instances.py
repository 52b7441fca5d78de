"""/admin/instances: stopped processes in the admin's language, retry and cancel from the page."""

import json

from markupsafe import escape
from werkzeug.datastructures import MultiDict

from app.core.audit.models import AuditEvent
from app.core.processes import versions as processes
from app.core.tasks import completion as tasks
from app.core.tasks import instances
from app.core.tasks.models import HumanTask, ProcessInstance
from app.extensions import db
from tests.engine.builders import (
    diagram,
    flow,
    parallel_script_process,
    script_task,
    user_task,
)

INTAKE = {
    "packaging_confirmed": "on",
    "structure_confirmed": "on",
    "dimensions_confirmed": "on",
    "order_category": "regular",
}


def parallel_failure() -> bytes:
    """confirm (sales) -> parallel: recheck (sales) and a script dividing by zero."""
    return parallel_script_process("total = 1 / 0")


def endless_rework() -> bytes:
    """confirm (sales) -> a loop of scripts that goes round until the depth guard stops it."""
    return diagram(
        "".join(
            [
                '<bpmn:startEvent id="start" name="Start" />',
                user_task("confirm", "order_intake"),
                '<bpmn:exclusiveGateway id="again" name="Again" />',
                script_task("rounds = rounds + 1", task_id="count"),
                '<bpmn:exclusiveGateway id="more" name="More?" default="done" />',
                '<bpmn:endEvent id="end" name="End" />',
                flow("f0", "start", "confirm"),
                flow("f1", "confirm", "again"),
                flow("f2", "again", "count"),
                flow("f3", "count", "more"),
                flow("redo", "more", "again", "rounds &lt; 100000"),
                flow("done", "more", "end"),
            ]
        ),
        lane_nodes=["confirm"],
    )


def stopped(make_user, xml: bytes, data: dict | None = None) -> ProcessInstance:
    """Deploy, start, and submit the first task; the next step fails."""
    deployed = processes.deploy_process("proc.bpmn", xml, None)
    assert deployed.created and deployed.problems == []
    user = make_user("sales")
    instance = instances.start_process("proc", user, data=data)
    db.session.commit()
    task = db.session.scalar(db.select(HumanTask).where(HumanTask.instance_id == instance.id))
    tasks.complete_task(task.id, user, MultiDict(INTAKE))
    db.session.commit()
    assert instance.status == "error"
    return instance


def reload(instance: ProcessInstance) -> ProcessInstance:
    """The instance as the database now has it."""
    db.session.expire_all()
    return db.session.get(ProcessInstance, instance.id)


def rows(instance: ProcessInstance) -> list[tuple[str, str]]:
    """(step, state) of the instance's inbox rows."""
    return list(
        db.session.execute(
            db.select(HumanTask.spec_name, HumanTask.state)
            .where(HumanTask.instance_id == instance.id)
            .order_by(HumanTask.id)
        )
    )


def test_stopped_instance_is_listed_in_english(client, login, make_user):
    instance = stopped(make_user, parallel_failure())
    login(make_user(None, is_admin=True, locale="en"))
    page = client.get("/admin/instances").get_data(as_text=True)
    assert "Stopped processes" in page
    assert f'<tr data-instance="{instance.id}">' in page and f"#{instance.id}" in page
    assert "An expression failed" in page and "Test process v1" in page
    assert str(escape(instance.error_message)) in page and "<code>calc</code>" in page
    assert "ZeroDivisionError: division by zero" in page and "Traceback" not in page


def test_stopped_instance_is_listed_in_chinese_by_default(client, login, make_user):
    stopped(make_user, parallel_failure())
    login(make_user(None, is_admin=True))
    page = client.get("/admin/instances").get_data(as_text=True)
    assert "中断的流程" in page and "表达式出错" in page and "重试" in page
    assert "An expression failed" not in page and "Stopped processes" not in page


def test_retry_that_fails_again_shows_the_error_and_changes_nothing(client, login, make_user):
    instance = stopped(make_user, parallel_failure())
    before = (rows(instance), instance.error_message, instance.error_element)
    login(make_user(None, is_admin=True, locale="en"))
    response = client.post(f"/admin/instances/{instance.id}/retry")
    assert response.status_code == 302 and response.location.endswith("/admin/instances")
    page = client.get("/admin/instances").get_data(as_text=True)
    assert f"The retry failed again: {escape(instance.error_message)}" in page
    assert f'<tr data-instance="{instance.id}">' in page
    instance = reload(instance)
    assert instance.status == "error"
    assert (rows(instance), instance.error_message, instance.error_element) == before
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.instance_id == instance.id, AuditEvent.action == "instance.retry")
        )
        == 1
    )


def test_cancel_needs_a_reason(client, login, make_user):
    instance = stopped(make_user, parallel_failure())
    login(make_user(None, is_admin=True, locale="en"))
    response = client.post(
        f"/admin/instances/{instance.id}/cancel", data={"reason": "  "}, follow_redirects=True
    )
    assert "Give a reason for cancelling." in response.get_data(as_text=True)
    assert reload(instance).status == "error"
    assert rows(instance) == [("confirm", "completed"), ("recheck", "ready")]


def test_a_cancel_reason_past_the_notes_bound_is_refused_not_cut(client, login, make_user):
    instance = stopped(make_user, parallel_failure())
    login(make_user(None, is_admin=True, locale="en"))
    response = client.post(
        f"/admin/instances/{instance.id}/cancel",
        data={"reason": "x" * 4001},
        follow_redirects=True,
    )
    assert "At most 4,000 characters (this has 4,001)." in response.get_data(as_text=True)
    instance = reload(instance)
    assert (instance.status, instance.cancel_reason) == ("error", None)
    assert rows(instance) == [("confirm", "completed"), ("recheck", "ready")]


def test_cancel_with_a_reason_stops_the_instance_and_its_open_tasks(client, login, make_user):
    instance = stopped(make_user, parallel_failure())
    admin = make_user(None, is_admin=True, locale="en")
    login(admin)
    response = client.post(
        f"/admin/instances/{instance.id}/cancel",
        data={"reason": "Duplicate of another order"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "The instance was cancelled." in page and "No process is stopped." in page
    instance = reload(instance)
    assert (instance.status, instance.cancel_reason) == ("cancelled", "Duplicate of another order")
    assert rows(instance) == [("confirm", "completed"), ("recheck", "cancelled")]
    event = db.session.scalar(
        db.select(AuditEvent).where(
            AuditEvent.instance_id == instance.id, AuditEvent.action == "instance.cancel"
        )
    )
    assert event.user_id == admin.id
    assert json.loads(event.data) == {"reason": "Duplicate of another order"}


def test_non_admin_can_neither_see_nor_retry(client, login, make_user):
    instance = stopped(make_user, parallel_failure())
    login(make_user("sales", role="head"))
    assert client.get("/admin/instances").status_code == 403
    response = client.post(f"/admin/instances/{instance.id}/cancel", data={"reason": "x"})
    assert response.status_code == 403
    assert reload(instance).status == "error"


def test_depth_guard_shows_on_the_error_screen(client, login, make_user):
    instance = stopped(make_user, endless_rework(), data={"rounds": 0})
    assert (instance.error_kind, rows(instance)) == ("depth", [("confirm", "completed")])
    login(make_user(None, is_admin=True, locale="en"))
    page = client.get("/admin/instances").get_data(as_text=True)
    assert "The process looped too often (depth guard)" in page
    assert "Cancel it and start a new one" in page
    client.post(f"/admin/instances/{instance.id}/retry")
    page = client.get("/admin/instances").get_data(as_text=True)
    assert "The retry failed again: " in page and "Cancel it and start a new one" in page
    assert reload(instance).error_kind == "depth"

"""The timer worker: a due BPMN timer fires once, moves the process on, and never fires twice."""

import time
from datetime import timedelta

import pytest

from app import worker
from app.core.audit.models import AuditEvent
from app.core.clock import utcnow
from app.core.processes import versions as processes
from app.core.tasks import instance_admin, instances, timers
from app.core.tasks.models import HumanTask, ProcessInstance
from app.extensions import db
from tests.engine.builders import diagram, linear, user_task
from tests.races import results, run_together


def timer_process(process_id: str, duration: str) -> bytes:
    """start -> wait a bare duration -> confirm (sales) -> end."""
    wait = (
        '<bpmn:intermediateCatchEvent id="wait" name="Wait"><bpmn:timerEventDefinition id="t">'
        f'<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{duration}</bpmn:timeDuration>'
        "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
    )
    xml = diagram(
        linear(wait, user_task("confirm", "order_intake"), ids=["wait", "confirm"]),
        lane_nodes=["confirm"],
    )
    return xml.replace(b'<bpmn:process id="proc"', f'<bpmn:process id="{process_id}"'.encode())


def start(make_user, process_id: str, duration: str, how_many: int = 1) -> list[ProcessInstance]:
    """Deploy the timer process and start instances of it."""
    deployed = processes.deploy_process(
        f"{process_id}.bpmn", timer_process(process_id, duration), None
    )
    assert deployed.created and deployed.problems == []
    user = make_user("sales")
    started = [instances.start_process(process_id, user) for _ in range(how_many)]
    db.session.commit()
    return started


def wait_until_due(*started: ProcessInstance) -> None:
    """Sleep until every given instance's timer is due."""
    latest = max(i.next_timer_at for i in started)
    time.sleep(max(0.0, (latest - utcnow()).total_seconds()) + 0.05)


def task_rows(instance: ProcessInstance) -> list[tuple[str, str]]:
    """(step, state) of the instance's inbox rows."""
    return list(
        db.session.execute(
            db.select(HumanTask.spec_name, HumanTask.state)
            .where(HumanTask.instance_id == instance.id)
            .order_by(HumanTask.id)
        )
    )


def timer_audits() -> int:
    """How many times any timer fired."""
    return db.session.scalar(
        db.select(db.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "instance.timer")
    )


def test_due_timer_fires_once_and_the_process_moves_on(make_user):
    before = utcnow()
    (soon,) = start(make_user, "timer_soon", "PT1S")
    (later,) = start(make_user, "timer_later", "PT1H")
    assert before < soon.next_timer_at <= utcnow() + timedelta(seconds=1)
    assert abs(later.next_timer_at - (before + timedelta(hours=1))) < timedelta(minutes=1)
    assert task_rows(soon) == [] and task_rows(later) == []
    wait_until_due(soon)

    assert worker.run_once() == 1
    db.session.expire_all()
    soon = db.session.get(ProcessInstance, soon.id)
    later = db.session.get(ProcessInstance, later.id)
    assert (soon.status, soon.next_timer_at) == ("running", None)
    assert task_rows(soon) == [("confirm", "ready")]
    task = db.session.scalar(db.select(HumanTask).where(HumanTask.instance_id == soon.id))
    assert task.department.key == "sales" and task.form_name == "order_intake"
    assert later.next_timer_at is not None and task_rows(later) == []  # not due yet

    assert worker.run_once() == 0
    db.session.expire_all()
    assert task_rows(soon) == [("confirm", "ready")] and timer_audits() == 1


def test_worker_command_fires_due_timers(app, make_user):
    (soon,) = start(make_user, "timer_soon", "PT1S")
    wait_until_due(soon)
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    lines = result.output.splitlines()
    assert result.exit_code == 0 and lines[0] == "fired 1 timer(s)"
    # One round from cron also runs the jobs: the firing's audit row is sealed by it.
    sealed = dict(line.split(": ") for line in lines[1:])
    assert int(sealed["audit.seal"]) >= 1 and "mail.send" in sealed
    db.session.expire_all()
    assert task_rows(soon) == [("confirm", "ready")]


@pytest.mark.postgres
def test_two_workers_at_once_fire_each_timer_exactly_once(app, make_user):
    started = start(make_user, "timer_soon", "PT1S", how_many=3)
    wait_until_due(*started)
    fired = results(run_together(app, [worker.run_once, worker.run_once], timeout=30))
    assert sum(fired) == 3
    db.session.expire_all()
    for instance in started:
        assert task_rows(instance) == [("confirm", "ready")]
        assert db.session.get(ProcessInstance, instance.id).next_timer_at is None
    assert timer_audits() == 3


def test_a_failing_instance_is_marked_in_error_and_the_round_goes_on(make_user):
    broken, healthy = start(make_user, "timer_pair", "PT1S", how_many=2)
    wait_until_due(broken, healthy)
    # The broken one is due first, so every round used to stop at it.
    broken.next_timer_at = healthy.next_timer_at - timedelta(seconds=30)
    broken.state = b"not an engine state"
    db.session.commit()

    assert worker.run_once() == 1
    db.session.expire_all()
    broken = db.session.get(ProcessInstance, broken.id)
    healthy = db.session.get(ProcessInstance, healthy.id)
    assert broken.status == "error" and "timers could not be fired" in broken.error_message
    assert broken in instance_admin.errored_instances()
    assert healthy.status == "running" and task_rows(healthy) == [("confirm", "ready")]
    # The failing one is not claimed again.
    assert timers.claim_due_timer() is None
    db.session.rollback()
    assert worker.run_once() == 0


def test_registered_jobs_run_each_round_and_a_failing_one_does_not_stop_the_others(
    app, monkeypatch
):
    from app import worker

    monkeypatch.setattr(worker, "_JOBS", {})
    ran = []

    def broken() -> int:
        raise RuntimeError("mail server away")

    worker.register_job("first", lambda: ran.append("first") or 1)
    worker.register_job("broken", broken)
    worker.register_job("last", lambda: ran.append("last") or 2)
    assert worker.run_jobs() == {"first": 1, "last": 2}
    assert ran == ["first", "last"]

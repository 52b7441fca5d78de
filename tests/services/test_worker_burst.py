"""A burst of due timers: the worker claims batches and goes on at once while batches are full;
two workers on PostgreSQL share a burst and fire nothing twice, and one that finds the rest
held by the other waits briefly instead of spinning; a failing instance never blocks the
others; a round reads the departments' members once; a fresh worker builds the working
calendar before the first timer is due. Time is moved with the fake clock, never
waited for."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest

from app import worker
from app.core import clock
from app.core.audit.models import AuditEvent
from app.core.calendar import services as factory_calendar
from app.core.calendar import working_time
from app.core.notifications.models import Notification
from app.core.tasks import notices, timers
from app.core.tasks.models import HumanTask, ProcessInstance
from app.core.users.models import OutOfOffice
from app.extensions import db
from tests.races import results, run_together
from tests.services.test_worker import start
from tests.statements import counted


def fired_audits() -> int:
    return db.session.scalar(
        db.select(db.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "instance.timer")
    )


def open_rows_per_instance() -> dict[int, int]:
    rows = db.session.execute(
        db.select(HumanTask.instance_id, db.func.count())
        .where(HumanTask.state == "ready")
        .group_by(HumanTask.instance_id)
    )
    return dict(rows.all())


class RecordingStop(threading.Event):
    """A stop flag that records the worker's waits and stops it at the first one."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        self.set()
        return True


def test_full_batches_run_back_to_back_and_the_worker_sleeps_only_when_done(
    app, make_user, fake_clock, monkeypatch
):
    started = start(make_user, "burst", "PT1H", how_many=23)
    fake_clock.advance(hours=2)
    rounds: list[int] = []
    real_run_once = worker.run_once
    monkeypatch.setattr(
        worker, "run_once", lambda batch: rounds.append(real_run_once(batch)) or rounds[-1]
    )
    stop = RecordingStop()
    worker.run_forever(app, stop, batch=10, poll=30)
    # 10 and 10 were full batches: no wait between them; 3 was not: then one wait.
    assert rounds == [10, 10, 3] and stop.waits == [30]
    db.session.expire_all()
    assert fired_audits() == 23
    assert open_rows_per_instance() == {i.id: 1 for i in started}


def test_the_worker_sleeps_until_the_next_timer_is_due_at_most_the_poll(app, make_user, fake_clock):
    start(make_user, "soon", "PT10M")
    stop = RecordingStop()
    worker.run_forever(app, stop, batch=10, poll=3600)
    assert stop.waits == [600]  # wakes when the timer is due, not an hour later
    stop = RecordingStop()
    worker.run_forever(app, stop, batch=10, poll=60)
    assert stop.waits == [60]
    fake_clock.advance(minutes=10)
    stop = RecordingStop()
    worker.run_forever(app, stop, batch=10, poll=60)
    assert stop.waits == [60] and fired_audits() == 1


def test_the_command_takes_a_batch_size(app, make_user, fake_clock):
    start(make_user, "burst", "PT1H", how_many=3)
    fake_clock.advance(hours=2)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["worker", "--once", "--batch", "2"]).output.splitlines()
    assert first[0] == "fired 2 timer(s)"
    assert runner.invoke(args=["worker", "--once"]).output.splitlines()[0] == "fired 1 timer(s)"
    refused = runner.invoke(args=["worker", "--once", "--batch", "0"])
    assert refused.exit_code != 0 and "--batch" in refused.output


def test_a_failing_instance_in_a_batch_does_not_block_the_rest(make_user, fake_clock):
    started = start(make_user, "burst", "PT1H", how_many=6)
    broken = started[0]
    broken.state = b"not an engine state"
    broken.next_timer_at -= timedelta(minutes=5)  # first in line
    db.session.commit()
    fake_clock.advance(hours=2)
    assert worker.run_once(batch=25) == 5
    db.session.expire_all()
    assert db.session.get(ProcessInstance, broken.id).status == "error"
    assert set(open_rows_per_instance()) == {i.id for i in started[1:]}
    assert timers.claim_due_timers(25) == []
    db.session.rollback()


def due_on_postgresql(make_user, fake_clock, how_many: int) -> list[ProcessInstance]:
    """`how_many` instances whose timers are due, on PostgreSQL (the row-lock tests)."""
    if db.engine.dialect.name != "postgresql":
        pytest.fail("run with DATABASE_URL pointing at PostgreSQL (marked postgres)")
    started = start(make_user, "burst", "PT1H", how_many=how_many)
    fake_clock.advance(hours=2)
    return started


@pytest.mark.postgres
def test_two_workers_share_a_burst_on_postgresql_and_fire_nothing_twice(app, make_user, fake_clock):
    started = due_on_postgresql(make_user, fake_clock, 60)

    def drain() -> list[int]:
        counts = []
        while counts[-1:] != [0]:
            counts.append(worker.run_once(batch=7))
        return counts

    fired = results(run_together(app, [drain, drain], timeout=120))
    assert sum(map(sum, fired)) == 60, fired
    db.session.expire_all()
    assert fired_audits() == 60
    assert open_rows_per_instance() == {i.id: 1 for i in started}
    assert (
        db.session.scalar(
            db.select(db.func.count()).where(ProcessInstance.next_timer_at.is_not(None))
        )
        == 0
    )


@contextmanager
def held_elsewhere(app, limit: int) -> Iterator[list[int]]:
    """Another worker (a thread with its own connection) claims up to `limit` due instances
    and holds their row locks until the block ends; yields what it claimed."""
    held, release = threading.Event(), threading.Event()
    claimed: list[int] = []

    def hold() -> None:
        with app.app_context():
            try:
                claimed.extend(timers.claim_due_timers(limit))
                held.set()
                release.wait(30)
                db.session.rollback()
            finally:
                db.session.remove()

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(30)
    try:
        yield claimed
    finally:
        release.set()
        holder.join(30)


@pytest.mark.postgres
def test_a_second_worker_claims_past_the_batch_the_first_one_holds(app, make_user, fake_clock):
    due_on_postgresql(make_user, fake_clock, 12)
    with held_elsewhere(app, 5) as first:
        second = timers.claim_due_timers(25)
        assert len(first) == 5 and len(second) == 7 and not set(first) & set(second)
        db.session.rollback()
    assert len(timers.claim_due_timers(25)) == 12
    db.session.rollback()


def test_a_round_reads_the_members_and_their_substitutes_once(make_user, fake_clock):
    """Every firing of a round notifies the task's department; who is in it and who stands in
    for whom is read once a round (app/core/round_memo.py), and still reaches everyone."""
    start(make_user, "burst", "PT1H", how_many=4)  # the task is sales' (lane order_intake)
    away, substitute = make_user("sales"), make_user("quality")
    db.session.add(
        OutOfOffice(
            user_id=away.id,
            substitute_id=substitute.id,
            starts_on=clock.today(),
            ends_on=clock.today() + timedelta(days=3),
        )
    )
    db.session.commit()
    fake_clock.advance(hours=2)
    with counted() as seen:
        assert worker.run_once(batch=25) == 4
    sql = [" ".join(statement.split()) for statement in seen.sql]
    assert sum("FROM out_of_office" in s for s in sql) == 1
    assert sum("user.department_id, user.role" in s.replace('"', "") for s in sql) == 1
    db.session.expire_all()
    notified = dict(
        db.session.execute(
            db.select(Notification.user_id, db.func.count())
            .where(Notification.kind == notices.ARRIVED)
            .group_by(Notification.user_id)
        ).all()
    )
    assert notified[away.id] == notified[substitute.id] == 4


def test_a_worker_waits_briefly_when_what_is_due_is_held_elsewhere(
    make_user, fake_clock, monkeypatch
):
    """A round that claims nothing while timers are due (another worker holds them) waits
    HELD_RETRY instead of asking again at once, and the next round fires them."""
    start(make_user, "burst", "PT1H", how_many=2)
    fake_clock.advance(hours=2)
    real_claim = timers.claim_due_instances
    monkeypatch.setattr(timers, "claim_due_instances", lambda limit: [])  # all held elsewhere
    assert worker.run_round(batch=25, poll=30) == worker.HELD_RETRY
    assert fired_audits() == 0
    monkeypatch.setattr(timers, "claim_due_instances", real_claim)
    assert worker.run_round(batch=25, poll=30) == 30  # fired both, nothing else due
    assert fired_audits() == 2


@pytest.mark.postgres
def test_a_round_that_finds_every_due_timer_held_waits_then_fires_them(app, make_user, fake_clock):
    due_on_postgresql(make_user, fake_clock, 3)
    with held_elsewhere(app, 25) as other:
        assert len(other) == 3
        assert worker.run_round(batch=25, poll=30) == worker.HELD_RETRY
    assert worker.run_round(batch=25, poll=30) == 30
    db.session.expire_all()
    assert fired_audits() == 3


def test_the_worker_builds_the_working_calendar_before_any_timer_is_due(app, make_user):
    """The first firing of a fresh worker would build the factory's working calendar (a task's
    due date needs it); the worker builds it at start instead, before any timer is due."""
    start(make_user, "later", "PT1H")
    factory_calendar._calendar.cache_clear()
    worker.run_forever(app, RecordingStop(), batch=10, poll=60)
    assert fired_audits() == 0
    assert factory_calendar._calendar.cache_info().currsize == 1
    hits = factory_calendar._calendar.cache_info().hits
    working_time.due_after("PT4H", clock.utcnow())  # what a task's due date asks
    assert factory_calendar._calendar.cache_info().hits == hits + 1

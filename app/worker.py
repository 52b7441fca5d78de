"""The background worker: fires due BPMN timers, then runs the jobs other packages registered
(each in its own transaction). Several workers may run; none fires a timer twice.

A round claims a batch of due instances at once (on PostgreSQL with FOR UPDATE SKIP LOCKED, so
a second worker claims the next batch), fires each in a savepoint of the round's transaction and
commits once. A round that fired a full batch is followed at once by the next, so a burst of
due timers is cleared without waiting for the poll interval; otherwise the worker sleeps until
the next timer is due, at most the poll interval (docs/DEADLINES.md).
"""

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from flask import Flask

from app.core import round_memo
from app.core.calendar import working_time
from app.core.clock import utcnow
from app.core.tasks import instance_admin, timers
from app.core.tasks.models import ProcessInstance
from app.extensions import db

log = logging.getLogger(__name__)
POLL_SECONDS = 5
BATCH = 25  # instances claimed per round (and per transaction)
HELD_RETRY = 0.2  # seconds: wait when what is due is held by another worker
JOBS_EVERY_IN_BURST = 5.0  # seconds: how often the jobs still run while full batches follow
_jobs_ran_at = float("-inf")

# name -> job: called once per round, returns how much it did; it commits its own work.
_JOBS: dict[str, Callable[[], int]] = {}


def register_job(name: str, job: Callable[[], int]) -> None:
    """Run `job()` in every worker round after the timers (e.g. sending mail, sealing audit)."""
    _JOBS[name] = job


def run_jobs() -> dict[str, int]:
    """One round of the registered jobs; a failing job is logged and the others still run."""
    done: dict[str, int] = {}
    for name, job in list(_JOBS.items()):
        try:
            done[name] = job()
            db.session.commit()
        except Exception:  # one broken job must not stop the others
            db.session.rollback()
            log.exception("worker job %s failed", name)
    return done


def run_once(batch: int = BATCH) -> int:
    """Fire the timers of up to `batch` due instances; returns how many instances fired.

    Each instance fires in a savepoint of its own. One whose timers cannot be fired is rolled
    back to its savepoint and marked in error (an admin sees it on /admin/instances), and the
    round goes on: it is no longer running, so it is not claimed again and cannot starve the
    instances due after it.
    """
    started = utcnow()
    claimed = timers.claim_due_instances(max(1, batch))
    # One read of the factory's days, the departments, their members and their substitutes
    # for the whole round (app/core/round_memo.py).
    with round_memo.kept():
        fired, failures = _fire(claimed, started)
    try:
        for instance_id, exc in failures:
            _mark_failed(instance_id, exc)
        db.session.commit()
    except Exception:  # the database itself is failing: the next round tries again
        db.session.rollback()
        log.exception("committing a round of %s timer(s) failed", len(claimed))
        return 0
    return fired


def _fire(
    claimed: list[ProcessInstance], started: datetime
) -> tuple[int, list[tuple[int, Exception]]]:
    """Fire each claimed instance in a savepoint; how many fired, and which failed how."""
    fired, failures = 0, []
    ids = [instance.id for instance in claimed]  # a rollback expires the loaded rows
    for instance_id, locked in zip(ids, claimed, strict=True):
        savepoint = db.session.begin_nested()
        try:
            instance = timers.fire_timers(instance_id, locked)
            savepoint.commit()
        except Exception as exc:  # one broken instance must not stop the others
            savepoint.rollback()
            log.exception("firing timers of instance %s failed", instance_id)
            failures.append((instance_id, exc))
            continue
        if instance.next_timer_at is not None and instance.next_timer_at <= started:
            # Claimed but nothing fired (its engine state says not yet): not counted, so a
            # batch of these cannot keep the worker from sleeping between rounds.
            log.warning("instance %s was due but fired no timer", instance_id)
            continue
        fired += 1
    return fired, failures


def _mark_failed(instance_id: int, exc: Exception) -> None:
    """Put the instance on the admin's error screen (in the round's transaction)."""
    instance_admin.flag_failure(
        instance_id,
        "Its timers could not be fired: "
        f"{type(exc).__name__}: {str(exc)[:500]}. Fix the cause, then retry or cancel it.",
        repr(exc)[:4000],
    )


def run_round(batch: int = BATCH, poll: float = POLL_SECONDS) -> float:
    """Fire due timers, then run the jobs; returns how long to wait before the next round:
    nothing after a full batch (more may be due), HELD_RETRY when what is due was left to
    another worker, else until the next timer is due, at most `poll` seconds (a timer started
    meanwhile is found by the next poll)."""
    global _jobs_ran_at
    started = utcnow()
    fired = run_once(batch)
    clock = time.monotonic()
    if fired < batch or clock - _jobs_ran_at >= JOBS_EVERY_IN_BURST:
        # In a burst the jobs (mail, audit seals) wait for it to clear, but never longer than
        # JOBS_EVERY_IN_BURST: the timers' lag is what users wait for.
        run_jobs()
        _jobs_ran_at = clock
    if fired >= batch:
        return 0.0
    upcoming = timers.next_timer_at()
    db.session.rollback()
    if upcoming is None:
        return poll
    if upcoming <= started:
        # Due before this round claimed, yet not fired by it: another worker holds it (SKIP
        # LOCKED) or its engine state says not yet. Asking again at once would only spin and
        # take the CPU the holder needs; it commits within a round.
        return min(poll, HELD_RETRY)
    return min(poll, max(0.0, (upcoming - utcnow()).total_seconds()))


def warm_up() -> None:
    """Build before the first burst what its first firing would otherwise build: the factory's
    working calendar (China's holidays for three years, ~0.25 s of CPU, kept for the process),
    through the same call a new task's due date makes."""
    working_time.due_after("P1D", utcnow())
    db.session.rollback()


def run_forever(
    app: Flask, stop: threading.Event | None = None, batch: int = BATCH, poll: float | None = None
) -> None:
    """Fire due timers until stopped: at once again after a full batch, else when the next
    timer is due or after the poll interval, whichever is sooner."""
    stop = stop or threading.Event()
    poll = POLL_SECONDS if poll is None else poll
    with app.app_context():
        try:
            warm_up()
        except Exception:  # only a head start: the first firing builds it otherwise
            log.exception("warming the worker up failed")
        finally:
            db.session.remove()
    while not stop.is_set():
        wait = poll
        with app.app_context():
            try:
                wait = run_round(batch, poll)
            except Exception:
                db.session.rollback()
                log.exception("worker round failed")
            finally:
                db.session.remove()
        if wait > 0:
            stop.wait(wait)


def start_worker_thread(app: Flask) -> threading.Event:
    """Start the embedded worker (the default single-process set-up); returns its stop flag."""
    stop = threading.Event()
    threading.Thread(
        target=run_forever, args=(app, stop), name="ordergate-worker", daemon=True
    ).start()
    return stop

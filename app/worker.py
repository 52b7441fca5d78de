"""The background worker: fires due BPMN timers, then runs the jobs other packages registered
(each in its own transaction). Several workers may run; none fires a timer twice."""

import logging
import threading
from collections.abc import Callable

from flask import Flask

from app.core.tasks import instances
from app.extensions import db

log = logging.getLogger(__name__)
POLL_SECONDS = 5

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


def run_once(batch: int = 50) -> int:
    """Fire the timers that are due now, one instance per transaction; returns how many fired.

    An instance whose timers cannot be fired is marked in error (an admin sees it on
    /admin/instances) and the round goes on: it is no longer running, so it is not claimed
    again and cannot starve the instances due after it.
    """
    fired = 0
    failed: set[int] = set()
    for _ in range(batch):
        instance_id = instances.claim_due_timer()
        if instance_id is None or instance_id in failed:
            db.session.rollback()
            break
        try:
            instances.fire_timers(instance_id)
            db.session.commit()
            fired += 1
        except Exception as exc:  # one broken instance must not stop the others
            db.session.rollback()
            log.exception("firing timers of instance %s failed", instance_id)
            failed.add(instance_id)
            _mark_failed(instance_id, exc)
    return fired


def _mark_failed(instance_id: int, exc: Exception) -> None:
    """Put the instance on the admin's error screen, in a transaction of its own."""
    try:
        instances.flag_failure(
            instance_id,
            "Its timers could not be fired: "
            f"{type(exc).__name__}: {str(exc)[:500]}. Fix the cause, then retry or cancel it.",
            repr(exc)[:4000],
        )
        db.session.commit()
    except Exception:  # the database itself is failing: the next round tries again
        db.session.rollback()
        log.exception("marking instance %s in error failed", instance_id)


def run_forever(app: Flask, stop: threading.Event | None = None) -> None:
    """Poll for due timers until stopped."""
    stop = stop or threading.Event()
    while not stop.is_set():
        with app.app_context():
            try:
                run_once()
                run_jobs()
            except Exception:
                db.session.rollback()
                log.exception("worker round failed")
            finally:
                db.session.remove()
        stop.wait(POLL_SECONDS)


def start_worker_thread(app: Flask) -> threading.Event:
    """Start the embedded worker (the default single-process set-up); returns its stop flag."""
    stop = threading.Event()
    threading.Thread(
        target=run_forever, args=(app, stop), name="ordergate-worker", daemon=True
    ).start()
    return stop

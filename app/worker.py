"""The background worker: fires due BPMN timers. Several may run; none fires a timer twice."""

import logging
import threading

from flask import Flask

from app.extensions import db
from app.services import instances

log = logging.getLogger(__name__)
POLL_SECONDS = 5


def run_once(batch: int = 50) -> int:
    """Fire the timers that are due now, one instance per transaction; returns how many fired."""
    fired = 0
    for _ in range(batch):
        instance_id = instances.claim_due_timer()
        if instance_id is None:
            db.session.rollback()
            break
        try:
            instances.fire_timers(instance_id)
            db.session.commit()
            fired += 1
        except Exception:  # one broken instance must not stop the others
            db.session.rollback()
            log.exception("firing timers of instance %s failed", instance_id)
            break
    return fired


def run_forever(app: Flask, stop: threading.Event | None = None) -> None:
    """Poll for due timers until stopped."""
    stop = stop or threading.Event()
    while not stop.is_set():
        with app.app_context():
            try:
                run_once()
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

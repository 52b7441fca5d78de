"""Run actions at the same moment in real threads, each with its own app context and session.

Used by the PostgreSQL race tests: every thread waits on one barrier, then runs its action and
commits once, as a request would. The outcome of each is "ok", "conflict: <message>",
"invalid: <field errors>", "submitted: <id>" (a form sent twice) or "error: <exception>" —
never an exception in the test thread, so a 500-worthy failure shows up as an outcome.
"""

import threading
from collections.abc import Callable

from flask import Flask

from app.errors import AlreadySubmitted, Conflict, InvalidInput
from app.extensions import db


def run_together(app: Flask, actions: list[Callable[[], object]], timeout: float = 60) -> list:
    """Start every action at once; return (outcome, result) per action, in order."""
    barrier = threading.Barrier(len(actions))
    outcomes: list = [("error: did not finish", None)] * len(actions)

    def work(index: int, action: Callable[[], object]) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout)
                result = action()
                db.session.commit()
                outcomes[index] = ("ok", result)
            except Conflict as exc:
                db.session.rollback()
                outcomes[index] = ("conflict: " + exc.message, None)
            except InvalidInput as exc:
                db.session.rollback()
                outcomes[index] = (f"invalid: {exc.errors or exc.message}", None)
            except AlreadySubmitted as exc:
                db.session.rollback()
                outcomes[index] = (f"submitted: {exc.target_id}", exc.target_id)
            except Exception as exc:  # noqa: BLE001 — any other failure is what we count
                db.session.rollback()
                outcomes[index] = (f"error: {exc!r}", None)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return outcomes


def kinds(outcomes: list) -> list[str]:
    """The sorted kinds of outcome ("ok", "conflict", ...), for comparing rounds."""
    return sorted(outcome.split(":")[0] for outcome, _result in outcomes)


def results(outcomes: list) -> list:
    """The results of actions that must all end "ok", in order; fails showing every outcome."""
    if [outcome for outcome, _result in outcomes] != ["ok"] * len(outcomes):
        raise AssertionError(f"not every action ended ok: {outcomes}")
    return [result for _outcome, result in outcomes]

"""Unique values that stay unique when two requests arrive at the same moment.

Checks before an insert are for the friendly message only: two requests can both pass them.
What decides is the database — a counter row updated (and so locked) in the writer's own
transaction, or a unique constraint whose violation is caught under a savepoint and turned
into the same message the check gives.

Services refuse by raising; they never roll the whole session back, which would also drop what
their caller did before in the same transaction. A service that may refuse after it has written
something runs under a savepoint (`in_savepoint`), so a refusal undoes only its own work.
"""

import functools
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.core.submissions.models import FormSubmission, NumberCounter
from app.core.users.models import User
from app.errors import AlreadySubmitted, InvalidInput, PermissionDenied
from app.extensions import db

_FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
P = ParamSpec("P")
T = TypeVar("T")


def _begin_nested():
    """A SAVEPOINT inside this transaction.

    pysqlite opens a transaction only before a data-changing statement, so a SAVEPOINT that
    comes first would open one itself and its release would commit it: on SQLite, open the
    transaction first. It is opened IMMEDIATE (taking the write lock now): the block writes,
    and two writers that had both read in deferred transactions could not both upgrade to
    writing (the second would fail with "database is locked" instead of waiting its turn).
    """
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        if not driver.in_transaction:
            driver.execute("BEGIN IMMEDIATE")
    return db.session.begin_nested()


@contextmanager
def savepoint() -> Iterator[None]:
    """Run the block under a savepoint: if it raises, only what the block did is undone.

    What the session held before (flushed or not; pending objects are flushed when the
    savepoint starts) stays, and the transaction goes on. A denial (PermissionDenied) keeps
    what it recorded: the refusal's audit row, which the web layer commits.
    """
    denied: PermissionDenied | None = None
    with _begin_nested():
        try:
            yield
        except PermissionDenied as exc:
            denied = exc  # leave the block normally: the savepoint is released, not rolled back
    if denied is not None:
        raise denied


def in_savepoint(service: Callable[P, T]) -> Callable[P, T]:
    """Run a service under `savepoint()`: a refusal leaves the caller's transaction as it was."""

    @functools.wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        with savepoint():
            return service(*args, **kwargs)

    return run


def is_unique_violation(exc: IntegrityError) -> bool:
    """Whether the database refused a duplicate (not a missing reference or a NULL)."""
    orig = exc.orig
    return getattr(orig, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(orig)


@contextmanager
def refuse_duplicate(field: str, message: str) -> Iterator[None]:
    """Flush what the block adds under a savepoint; a duplicate becomes InvalidInput on `field`.

    On PostgreSQL the second of two racing inserts waits for the first to commit, then fails
    here; only the savepoint is rolled back, so the caller's transaction stays usable.
    """
    try:
        with savepoint():
            yield
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        raise InvalidInput(errors={field: message}) from exc


def _bump(name: str, by: int, seed: Callable[[], int]) -> int:
    update = (
        db.update(NumberCounter)
        .where(NumberCounter.name == name)
        .values(value=NumberCounter.value + by)
        .returning(NumberCounter.value)
    )
    options = {"synchronize_session": False}
    value = db.session.execute(update, execution_options=options).scalar()
    if value is None:  # first use of the series: create its row, or lose to whoever did
        try:
            with savepoint():
                db.session.add(NumberCounter(name=name, value=seed()))
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
        value = db.session.execute(update, execution_options=options).scalar_one()
    return value


def next_number(name: str, seed: Callable[[], int]) -> int:
    """The next number of a series; the series is locked until this transaction ends.

    `seed` gives the last number already used when the series has no counter yet.
    """
    return _bump(name, 1, seed)


def reserve_numbers(name: str, count: int, seed: Callable[[], int]) -> int:
    """Take `count` consecutive numbers of a series at once (bulk loads); returns the first."""
    return _bump(name, count, seed) - count + 1


def lock_series(name: str) -> None:
    """Make every other writer of the series wait until this transaction ends.

    An update that changes nothing still locks the row on PostgreSQL; on SQLite it is the
    transaction's first write, which serialises writers.
    """
    _bump(name, 0, lambda: 0)


def new_form_token() -> str:
    """A fresh once-only `form_token` for a create form being rendered."""
    return secrets.token_urlsafe(24)


def claim_submission(actor: User, form_token: str, kind: str) -> FormSubmission | None:
    """Record that the form with this `form_token` is being saved; refuse to save it twice.

    A second submit of the same form raises AlreadySubmitted with what the first one created
    (it waits for the first to commit on PostgreSQL). No form token (an API call): no check.
    """
    if not form_token:
        return None
    if not _FORM_TOKEN.fullmatch(form_token):
        raise InvalidInput(_("This form is damaged or out of date. Reload the page and try again."))
    row = FormSubmission(token=form_token, kind=kind, user_id=actor.id)
    try:
        with savepoint():
            db.session.add(row)
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        first = db.session.scalar(
            db.select(FormSubmission).where(FormSubmission.token == form_token)
        )
        if first is None or first.kind != kind or first.user_id != actor.id or not first.target_id:
            raise InvalidInput(
                _("This form was already used. Reload the page and enter it again.")
            ) from exc
        raise AlreadySubmitted(kind, first.target_id) from exc
    return row


def bind_submission(row: FormSubmission | None, target_id: int) -> None:
    """Remember what the submission created, for a second submit of the same form."""
    if row is not None:
        row.target_id = target_id

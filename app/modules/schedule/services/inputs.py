"""The plan's input version: moved on by the commit of any transaction that wrote a plan input.

The stored plan (services/stored.py) is valid for one version. Rather than every writer
remembering to say so, the domains declare which of their models (and which columns) the plan
is computed from (`watch`), and a session listener notices the writes:

- `before_flush` looks at the new, deleted and changed instances of the watched models; for a
  changed one only at the watched columns' history, so a write that touches an order's
  `updated_at` only (a task completed on it) leaves the plan alone;
- `do_orm_execute` notices bulk `insert()/update()/delete()` statements on a watched table;
- `before_commit` of the outer transaction bumps the one `plan_input` row once, with a single
  `UPDATE ... SET version = version + 1` as the last statement before COMMIT, so concurrent
  writers hold its row lock only for the moment of their commit.

Until then `changed_here()` says that this session's own transaction changed inputs: a plan read
in it must be computed from the database, not taken from the stored one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import event, inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction

from app.extensions import db
from app.modules.schedule.models import PlanInput

ROW_ID = 1
_FLAG = "plan_inputs_changed"
_WROTE = "plan_session_wrote"


@dataclass(frozen=True)
class _Watched:
    columns: frozenset[str] | None  # None: any column
    when: Callable[[object], bool] | None  # only instances this says yes to


# Built once: most commits send it (docs/PERFORMANCE.md, "round three").
_MOVE_ON = (
    PlanInput.__table__.update()
    .where(PlanInput.__table__.c.id == ROW_ID)
    .values(version=PlanInput.__table__.c.version + 1)
)

_WATCHED: dict[type, _Watched] = {}
_TABLES: dict[str, frozenset[str] | None] = {}


def watch(
    model: type,
    columns: tuple[str, ...] | None = None,
    when: Callable[[object], bool] | None = None,
) -> None:
    """Declare `model` a plan input: writes to it (to `columns`, when given; to instances
    `when` accepts, when given) move the input version on at commit."""
    cols = frozenset(columns) if columns is not None else None
    _WATCHED[model] = _Watched(cols, when)
    _TABLES[model.__tablename__] = cols


def _relevant(instance: object, changed: bool) -> bool:
    watched = _WATCHED.get(type(instance))
    if watched is None:
        return False
    if watched.when is not None and not watched.when(instance):
        return False
    if not changed or watched.columns is None:
        return True
    attrs = inspect(instance).attrs
    return any(attrs[name].history.has_changes() for name in watched.columns)


def _before_flush(session: Session, _context, _instances) -> None:
    if session.info.get(_FLAG):
        return
    if any(_relevant(obj, False) for obj in (*session.new, *session.deleted)) or any(
        _relevant(obj, True) for obj in session.dirty
    ):
        session.info[_FLAG] = True


def _after_flush(session: Session, _context) -> None:
    session.info[_WROTE] = True


def _on_execute(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    state.session.info[_WROTE] = True
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name not in _TABLES:
        return
    columns = _TABLES[name]
    if state.is_update and columns is not None:
        values = getattr(state.statement, "_values", None) or {}
        keys = {getattr(key, "key", key) for key in values}
        if keys and not keys & columns:
            return
    state.session.info[_FLAG] = True


def _before_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint: the outer commit bumps
    if session.new or session.dirty or session.deleted:
        session.flush()
    if session.info.pop(_FLAG, False):
        bump(session)


def _after_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_FLAG, None)
        session.info.pop(_WROTE, None)


def bump(session: Session | None = None) -> None:
    """Move the input version on in this transaction (one UPDATE; the row is made if missing)."""
    session = session or db.session
    table = PlanInput.__table__
    moved = session.execute(_MOVE_ON).rowcount
    if moved:
        return
    try:
        with session.begin_nested():
            session.execute(
                table.insert().values(id=ROW_ID, version=1, generation=uuid.uuid4().hex)
            )
    except IntegrityError:  # made by a concurrent writer: move theirs on
        session.execute(_MOVE_ON)


def mark_changed(session: Session | None = None) -> None:
    """Say that this transaction changed a plan input the listener cannot see."""
    (session or db.session).info[_FLAG] = True


def changed_here(session: Session | None = None) -> bool:
    """True when this session's transaction changed plan inputs not yet committed."""
    session = session or db.session
    if session.info.get(_FLAG):
        return True
    _before_flush(session, None, None)
    return bool(session.info.get(_FLAG))


def wrote_here(session: Session | None = None) -> bool:
    """True when this session's transaction wrote anything (so it holds write locks)."""
    session = session or db.session
    return bool(session.info.get(_WROTE) or session.new or session.dirty or session.deleted)


def version(session: Session | None = None) -> tuple[str, int] | None:
    """(generation, version) of the committed plan inputs, or None if the row is missing."""
    session = session or db.session
    table = PlanInput.__table__
    row = session.execute(
        db.select(table.c.generation, table.c.version).where(table.c.id == ROW_ID)
    ).first()
    return (row[0], row[1]) if row is not None else None


def install() -> None:
    """Listen on every session (once per process)."""
    for name, fn in (
        ("before_flush", _before_flush),
        ("after_flush", _after_flush),
        ("do_orm_execute", _on_execute),
        ("before_commit", _before_commit),
        ("after_transaction_end", _after_end),
    ):
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)

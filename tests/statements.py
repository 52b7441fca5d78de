"""Count what a piece of code asks of the database: SQL statements run and ORM rows loaded.

    with counted() as seen:
        plan.current()
    seen.statements, seen.rows

Used by the plan-bound tests and bench/plan_history.py: a page whose cost depends on open work
only runs the same statements and loads the same rows whatever the history holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.orm import Mapper

from app.extensions import db


@dataclass
class Seen:
    statements: int = 0
    rows: int = 0
    sql: list[str] = field(default_factory=list)


@contextmanager
def counted() -> Iterator[Seen]:
    """Statements executed on the app's engine, and instances loaded or refreshed (call
    `db.session.expire_all()` first to read everything afresh), inside the block."""
    seen = Seen()
    engine = db.engine

    def on_execute(_conn, _cursor, statement, _params, _context, _many):
        seen.statements += 1
        seen.sql.append(statement)

    def on_load(_target, _context, *_attrs):
        seen.rows += 1

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(Mapper, "load", on_load)
    event.listen(Mapper, "refresh", on_load)  # a row read again into an expired instance
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(Mapper, "load", on_load)
        event.remove(Mapper, "refresh", on_load)

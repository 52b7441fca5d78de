"""Count what a piece of code asks of the database: SQL statements run and ORM rows loaded.

    with counted() as seen:
        plan.current()
    seen.statements, seen.rows

Used by the plan-bound tests and bench/plan_history.py: a page whose cost depends on open work
only runs the same statements and loads the same rows whatever the history holds.
"""

from __future__ import annotations

import traceback
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
    sites: list[str] = field(default_factory=list)  # with counted(sites=True)


def _app_frames() -> str:
    """The app's own frames that led to a statement, innermost last ("module:line < ...")."""
    frames = [
        f"{f.filename.rsplit('/app/', 1)[1][:-3]}:{f.lineno}"
        for f in traceback.extract_stack()
        if "/app/" in f.filename and "site-packages" not in f.filename
    ]
    return " < ".join(reversed(frames[-4:]))


@contextmanager
def counted(sites: bool = False) -> Iterator[Seen]:
    """Statements executed on the app's engine, and instances loaded or refreshed (call
    `db.session.expire_all()` first to read everything afresh), inside the block. With `sites`,
    also the app code that sent each statement (slow: a stack walk per statement)."""
    seen = Seen()
    engine = db.engine

    def on_execute(_conn, _cursor, statement, _params, _context, _many):
        seen.statements += 1
        seen.sql.append(statement)
        if sites:
            seen.sites.append(_app_frames())

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


def requested(client, url: str) -> tuple[Seen, str]:
    """GET `url` read afresh (the session's instances expired first), counting what it asks of
    the database: what was seen, and the page's text."""
    db.session.expire_all()
    with counted() as seen:
        text = client.get(url).get_data(as_text=True)
    return seen, text

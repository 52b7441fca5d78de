"""Writing many generated rows fast: ids taken in advance, one COPY (or executemany) per table.

The history writer builds every row of a batch as a plain dict with its final id, so nothing
has to be flushed and read back per order (the ORM did that ~20 times an order). On PostgreSQL
the rows go in with COPY on the session's own connection and transaction; on SQLite with one
executemany. Values are converted by the columns' types and missing ones take the columns'
defaults, as an ORM insert would.
"""

from collections.abc import Iterable

from sqlalchemy import Table, func, select, text

from app.extensions import db
from app.modules.schedule.services import inputs as plan_inputs


def take_ids(table: Table, count: int) -> list[int]:
    """`count` ids for new rows of `table`, unused by anyone: from the table's sequence on
    PostgreSQL; on SQLite (one writer at a time) the ids after the highest, which the caller
    inserts before anything else writes to the table."""
    if count <= 0:
        return []
    if db.engine.dialect.name == "postgresql":
        sequence = "nextval(pg_get_serial_sequence(:table, 'id'))"
        taken = db.session.execute(
            text(f"SELECT {sequence} FROM generate_series(1, :n)"),
            {"table": table.name, "n": count},
        )
        return [row[0] for row in taken]
    highest = db.session.scalar(select(func.coalesce(func.max(table.c.id), 0)))
    return list(range(highest + 1, highest + 1 + count))


def insert_rows(table: Table, rows: Iterable[dict]) -> int:
    """Insert rows that all name the same columns; returns how many."""
    rows = list(rows)
    if not rows:
        return 0
    if db.engine.dialect.name == "postgresql":
        _copy(table, rows)
    else:
        db.session.execute(table.insert(), rows)
    return len(rows)


def _copy(table: Table, rows: list[dict]) -> None:
    dialect = db.engine.dialect
    given = list(rows[0])
    defaults = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None:
            continue
        if not (default.is_scalar or default.is_callable):
            continue  # a SQL expression or sequence: the server's own default applies
        defaults[column.name] = default.arg(None) if default.is_callable else default.arg
    names = [*given, *defaults]
    convert = [table.c[name].type.bind_processor(dialect) for name in names]
    quote = dialect.identifier_preparer
    columns = ", ".join(quote.quote(name) for name in names)
    statement = f"COPY {quote.format_table(table)} ({columns}) FROM STDIN"
    fixed = list(defaults.values())
    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            values = [row[name] for name in given] + fixed
            copy.write_row([f(v) if f else v for f, v in zip(convert, values, strict=True)])
    # The session's plan-input listener sees statements, not COPY: the rows may be plan inputs.
    plan_inputs.mark_changed()

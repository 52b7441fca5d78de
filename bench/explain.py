"""Every SQL statement the pages at volume run, with its time and PostgreSQL's plan (issue 14).

    .venv/bin/python bench/explain.py --url postgresql+psycopg://postgres@127.0.0.1/NAME [--analyze]
        [--page schedule] [--slowest 0]

Opens each page of bench/pages.py (and /schedule) once to warm up, then once more with every
statement recorded (text, parameters, milliseconds), and prints per page its statements with
`EXPLAIN` (`EXPLAIN ANALYZE` with --analyze) of each. Run it on a database seeded as
bench/pages.py seeds one; docs/PERFORMANCE.md quotes its output. `--slowest N` prints only
the N slowest statements of each page (0: all).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from app.extensions import db  # noqa: E402
from bench import pages  # noqa: E402


def _recorded(app, send) -> list[tuple[float, str, object]]:
    """(ms, statement, parameters) of every statement `send()` runs."""
    found: list[tuple[float, str, object]] = []
    started: list[float] = []

    def before(_conn, _cursor, statement, params, _context, _many):
        started.append(time.perf_counter())

    def after(_conn, _cursor, statement, params, _context, _many):
        found.append(((time.perf_counter() - started.pop()) * 1000, statement, params))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        send()
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    return found


def _plan(app, statement: str, params, analyze: bool) -> str:
    if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
        return "(not a query)"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN "
    with app.app_context():
        connection = db.session.connection()
        rows = connection.exec_driver_sql(prefix + statement, params).all()
        db.session.rollback()
    return "\n".join(row[0] for row in rows)


def _cut(text: str, limit: int = 1500) -> str:
    """Long IN lists (a selectin load names 500 ids) shortened: the plan shows what matters;
    session token hashes masked."""
    text = re.sub(r"\b[0-9a-f]{64}\b", "<sha256>", text)
    return text if len(text) <= limit else f"{text[:limit]} … ({len(text) - limit} more characters)"


def explain(app, only: str | None, analyze: bool, slowest: int) -> None:
    order_id = pages._open_order(app)
    listed = {**pages.PAGES, **pages.MORE_PAGES, "schedule": pages.SCHEDULE}
    for name, (who, url) in listed.items():
        if only and name != only:
            continue
        client = pages._client(app, who)
        address = url.format(order=order_id)
        client.get(address)
        statements = _recorded(app, lambda c=client, a=address: c.get(a))
        total = sum(ms for ms, _s, _p in statements)
        print(f"\n## {name}: GET {address} as {who}: {len(statements)} statements, "
              f"{total:.1f} ms in the database\n")  # fmt: skip
        shown = sorted(statements, key=lambda s: -s[0])[:slowest] if slowest else statements
        for ms, statement, params in shown:
            print(f"### {ms:.1f} ms\n\n```sql\n{_cut(statement)}\n```\n{_cut(str(params), 300)}\n")
            print(f"```\n{_cut(_plan(app, statement, params, analyze), 10**6)}\n```\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--page")
    parser.add_argument("--analyze", action="store_true")
    parser.add_argument("--slowest", type=int, default=0)
    args = parser.parse_args()
    explain(pages.app_on(args.url), args.page, args.analyze, args.slowest)


if __name__ == "__main__":
    main()

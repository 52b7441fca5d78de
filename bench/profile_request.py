"""CPU of one completion as gunicorn serves it: the production app, CSRF on, a real login.

    .venv/bin/python bench/profile_request.py [--tasks 60] [--top 30] [--sort tottime]
                                              [--dump profile.pstats] [--cpu]

Makes bench/http_load.py's pool of ready review tasks on a fresh PostgreSQL database, then builds
the app as `gunicorn wsgi:app` does (ORDERGATE_ENV=production, CSRF on, no worker thread), logs
each account in through GET/POST /login and takes the CSRF token from GET /inbox, and sends
POST /tasks/<id>/complete through the whole WSGI app (werkzeug's test client stands in for
gunicorn's HTTP parsing). Prints CPU and wall ms a POST (median, unprofiled), SQL statements a
POST, then a cProfile of a second pass over other tasks. Not part of `make bench`; the figures
it gave are in docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from bench.common import PASSWORD, bench_app  # noqa: E402
from bench.http_load import Pool, _env  # noqa: E402
from tests.statements import counted  # noqa: E402

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=60)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--dump", type=Path, help="also write the profile here (pstats format)")
    parser.add_argument("--cpu", action="store_true", help="profile CPU time instead of wall")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    with bench_app("postgresql") as setup:
        with setup.app_context():
            url = db.engine.url.render_as_string(hide_password=False)
            pool = Pool()
            work = pool.tasks(2 * args.tasks, seed=0)
            db.session.remove()
        # As `gunicorn wsgi:app` under bench/http_load.py's environment (Config reads it at
        # import, so it is passed here): production, CSRF on, no embedded timer worker.
        env = _env(url, setup.instance_path)
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": env["SECRET_KEY"],
                "ENVIRONMENT": env["ORDERGATE_ENV"],
                "START_WORKER": False,
                "AUDIT_HMAC_KEY": env["AUDIT_HMAC_KEY"],
                "STORAGE_DIR": setup.config["STORAGE_DIR"],
            }
        )
        try:
            _run(app, pool.usernames, work, args)
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    return 0


def _run(app, usernames: dict, work: list[dict], args) -> None:  # noqa: ANN001
    """Log the accounts in, time `args.tasks` POSTs unprofiled, then profile as many more."""
    clients: dict[str, tuple] = {}

    def client_for(account: str):  # noqa: ANN202
        if account not in clients:
            client = app.test_client()
            page = client.get("/login").get_data(as_text=True)
            form = {"username": usernames[account], "password": PASSWORD}
            answer = client.post("/login", data={**form, "csrf_token": TOKEN.search(page)[1]})
            if answer.status_code != 302:
                raise RuntimeError(f"login {account}: HTTP {answer.status_code}")
            inbox = client.get("/inbox").get_data(as_text=True)
            clients[account] = (client, TOKEN.search(inbox)[1])
        return clients[account]

    def post(item: dict, profiler: cProfile.Profile | None) -> tuple[float, float, int]:
        client, token = client_for(item["account"])
        with app.app_context(), counted() as seen:
            if profiler:
                profiler.enable()
            cpu, wall = time.process_time(), time.perf_counter()
            answer = client.post(
                f"/tasks/{item['id']}/complete", data={**item["form"], "csrf_token": token}
            )
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if profiler:
                profiler.disable()
        if answer.status_code != 302:
            raise RuntimeError(f"task {item['id']}: HTTP {answer.status_code}")
        with client.session_transaction() as session:
            session.pop("_flashes", None)
        return cpu * 1000, wall * 1000, seen.statements

    for item in work:
        client_for(item["account"])  # everyone logs in first: the logins are not measured
    measured = [post(item, None) for item in work[: args.tasks]]
    # CPU time, not wall: the waits for PostgreSQL are not this process's work.
    profiler = cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile()
    for item in work[args.tasks :]:
        post(item, profiler)
    cpu, wall, statements = (statistics.median(column) for column in zip(*measured, strict=True))
    load = os.getloadavg()[0]
    print(
        f"{len(measured)} POSTs: CPU {cpu:.1f} ms, wall {wall:.1f} ms, {statements:.0f} "
        f"statements (medians; load {load:.2f})"
    )
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())
    if args.dump:
        profiler.dump_stats(args.dump)


if __name__ == "__main__":
    sys.exit(main())

"""Task completions over HTTP: gunicorn on PostgreSQL on loopback, driven by locust headless.

A fresh PostgreSQL database (bench.common.bench_app) gets one member and one head per
department and a pool of ready tasks made through the services (not timed): new orders (two
described lines each) taken through `confirm_order` and `pmc_dispatch`, so that each has its
four parallel reviews open; the pool is shuffled (seeded) so that the reviews of an order are
not completed back to back. Engineering and production reviews carry the per-line estimates.
Then `gunicorn -w 2 wsgi:app` (sync workers, no embedded timer worker, CSRF on, production
settings) serves it on 127.0.0.1, and bench/locustfile.py logs every account in for real and
completes the tasks with POST /tasks/<id>/complete:

- `http_completion`: one client (p50_ms, p95_ms), then an open-loop rate stepped up until the
  p95 passes 100 ms; `per_second` is the highest rate held with p95 <= 100 ms and no errors.
  The generator's own CPU is recorded per step (it shares the two cores with the server).
- `worker_rss_mb`: resident memory of each gunicorn worker after that load.
- `scale_out_throughput_ratio`: completions per second of 8 closed-loop clients with 2 web
  processes + 2 `flask worker` processes, over 1 + 1, on the same database, while the workers
  fire a burst of due timers; every completion must succeed and every timer fire exactly once.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
from werkzeug.datastructures import MultiDict

from app.core.audit.models import AuditEvent
from app.core.processes import versions as processes
from app.core.tasks import completion as tasks
from app.core.tasks import instances
from app.core.tasks.models import HumanTask
from app.core.users.models import Department, User
from app.extensions import db
from bench.common import PASSWORD, ROOT, bench_app, make_user, new_order, open_tasks
from bench.timer_burst import burst_process, sched_autogroup

BIN = Path(sys.executable).parent
P95_LIMIT_MS = 100.0
RATES = (10, 20, 30, 40, 50, 60, 70, 80, 100, 120, 150, 200)
FULL = {"one_client": 150, "step_seconds": 6.0, "rate_tasks": 5800, "closed_seconds": 12.0,
        "closed_clients": 8, "closed_tasks": 2400, "timers": 100}  # fmt: skip
SMOKE = {"one_client": 6, "step_seconds": 1.0, "rate_tasks": 30, "closed_seconds": 2.0,
         "closed_clients": 2, "closed_tasks": 40, "timers": 5, "rates": (5, 10)}  # fmt: skip
ADVANCE = ("confirm_order", "pmc_dispatch")  # after these, the four reviews are open


def _account(task_dept: int, role: str | None) -> str:
    return f"{task_dept}:{'head' if role == 'head' else 'member'}"


class Pool:
    """Ready tasks made through the services, and the accounts allowed to complete them."""

    def __init__(self) -> None:
        self.usernames: dict[str, str] = {}
        self.sales_id = make_user("sales").id
        for dept in db.session.scalars(db.select(Department).order_by(Department.id)):
            for role in ("member", "head"):
                self.usernames[f"{dept.id}:{role}"] = make_user(dept.key, role).username

    def _user(self, key: str) -> User:
        return db.session.scalar(db.select(User).where(User.username == self.usernames[key]))

    def tasks(self, count: int, seed: int) -> list[dict]:
        """At least `count` ready review tasks, shuffled."""
        _say(f"preparing {count} ready tasks")
        made: list[dict] = []
        while len(made) < count:
            order_id = new_order(self.sales_id)
            for step in ADVANCE:
                ready = open_tasks(order_id)
                if not ready or ready[0].spec_name != step:
                    raise RuntimeError(f"order {order_id}: expected {step}, found {ready}")
                task = ready[0]
                actor = self._user(_account(task.department_id, task.role))
                tasks.complete_task(task.id, actor, MultiDict(task.form))
                db.session.commit()
            made.extend(
                {"id": t.id, "account": _account(t.department_id, t.role), "form": t.form}
                for t in open_tasks(order_id)
            )
        random.Random(seed).shuffle(made)
        return made


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(url: str, instance_dir: str) -> dict:
    return dict(
        os.environ,
        DATABASE_URL=url,
        SECRET_KEY="bench-secret-key-for-http-load-0123456789",
        ORDERGATE_ENV="production",
        ORDERGATE_WORKER="0",
        ORDERGATE_INSTANCE_DIR=instance_dir,
        AUDIT_HMAC_KEY="bench-audit-key-0123456789abcdef",
        PYTHONPATH=str(ROOT),
    )


@contextmanager
def served(url: str, web: int, workers: int):
    """gunicorn with `web` sync worker processes and `workers` `flask worker` processes; yields
    (base URL, gunicorn's master process). A process that died meanwhile fails the run with
    the end of its log. gunicorn and each worker run in a session of their own, as a service
    manager starts them: with the kernel's autogroup scheduling, processes left in this
    script's session would share one session's CPU share with it and the generator
    (bench/timer_burst.py's `_workers`)."""
    port = _free_port()
    _say(f"starting {web} web + {workers} worker processes")
    with tempfile.TemporaryDirectory(prefix="ordergate-http-") as tmp:
        env = _env(url, tmp)
        commands = [
            [str(BIN / "gunicorn"), "-w", str(web), "-b", f"127.0.0.1:{port}",
             "--graceful-timeout", "5", "wsgi:app"],
            *([sys.executable, "-m", "flask", "--app", "wsgi", "worker"]
              for _ in range(workers)),
        ]  # fmt: skip
        logs = [Path(tmp) / f"process-{n}.log" for n in range(len(commands))]
        procs = [
            subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log.open("wb"),
                start_new_session=True,
            )
            for command, log in zip(commands, logs, strict=True)
        ]
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(base, procs[0])
            yield base, procs[0]
            for proc, log in zip(procs, logs, strict=True):
                if proc.poll() is not None:
                    tail = log.read_text(errors="replace")[-1500:]
                    raise RuntimeError(f"{proc.args[-1]} exited with {proc.returncode}: {tail}")
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()


def _wait_ready(base: str, proc: subprocess.Popen) -> None:
    for _ in range(120):
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/login", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer /login within 60 s")


def _say(text: str) -> None:
    print(f"  {datetime.now(UTC):%H:%M:%S} {text}", file=sys.stderr, flush=True)


def locust(base: str, accounts: dict, phases: list[dict], server: dict | None = None) -> dict:
    """Run bench/locustfile.py headless on `phases`; its results and its CPU seconds.
    `server` ({"server_pid", "database"}) has it also report the server's CPU per phase."""
    _say(f"locust: {', '.join(p['name'] for p in phases)}")
    with tempfile.TemporaryDirectory(prefix="ordergate-locust-") as tmp:
        plan, out = Path(tmp) / "plan.json", Path(tmp) / "out.json"
        used = {item["account"] for phase in phases for item in phase["tasks"]}
        accounts = {key: name for key, name in accounts.items() if key in used}
        plan.write_text(
            json.dumps(
                {"accounts": accounts, "password": PASSWORD, "phases": phases, **(server or {})}
            )
        )
        before = os.times()
        done = subprocess.run(
            [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
             "-u", "1", "-r", "1", "--host", base, "--run-time", "15m", "--only-summary",
             "--loglevel", "WARNING"],
            cwd=ROOT, env=dict(os.environ, BENCH_LOCUST_PLAN=str(plan), BENCH_LOCUST_OUT=str(out)),
            capture_output=True, text=True, timeout=1200, check=False,
        )  # fmt: skip
        after = os.times()
        if not out.exists():
            raise RuntimeError(f"locust wrote no results: {done.stderr[-2000:]}")
        result = json.loads(out.read_text())
        result["generator_cpu_s_total"] = round(
            (after.children_user - before.children_user)
            + (after.children_system - before.children_system),
            2,
        )
        return result


def worker_rss_mb(master: subprocess.Popen) -> list[float]:
    """Resident set size of each gunicorn worker process, in MB."""
    children = psutil.Process(master.pid).children()
    return sorted(round(child.memory_info().rss / 2**20, 1) for child in children)


def held_rate(steps: list[dict]) -> float:
    """The highest offered rate whose step had p95 <= the limit and no errors (0 if none)."""
    held = [
        s["rate"]
        for s in steps
        if "p95" in s and s["error_count"] == 0 and s["p95"] <= P95_LIMIT_MS
    ]
    return max(held, default=0)


def _timer_burst(count: int, lead: float) -> datetime:
    due = (datetime.now(UTC) + timedelta(seconds=lead)).replace(microsecond=0)
    deployed = processes.deploy_process("timer_burst.bpmn", burst_process(due), None)
    if deployed.problems:
        raise RuntimeError(f"deploy failed: {deployed.problems}")
    user = db.session.scalar(db.select(User).order_by(User.id))
    for _ in range(count):
        instances.start_process("timer_burst", user)
    db.session.commit()
    return due


def _timer_counts() -> tuple[int, int]:
    db.session.rollback()
    fired = db.session.scalar(
        db.select(db.func.count()).select_from(HumanTask).where(HumanTask.spec_name == "confirm")
    )
    audits = db.session.scalar(
        db.select(db.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "instance.timer")
    )
    return fired, audits


def scale_out(url: str, pool: Pool, sizes: dict) -> dict:
    """Closed-loop completions with 1 + 1 and 2 + 2 processes while a timer burst fires."""
    runs = {}
    for web, workers in ((1, 1), (2, 2)):
        fired_before, audits_before = _timer_counts()
        work = pool.tasks(sizes["closed_tasks"], seed=web)
        # The workers boot after the instances exist and fire whatever is due at once: the lead
        # only covers starting the instances (their lag is bench/timer_burst.py's measure).
        due = _timer_burst(sizes["timers"], lead=2 + 0.04 * sizes["timers"])
        with served(url, web, workers) as (base, _):
            result = locust(
                base,
                pool.usernames,
                [
                    {
                        "name": "closed",
                        "kind": "closed",
                        "clients": sizes["closed_clients"],
                        "seconds": sizes["closed_seconds"],
                        "tasks": work,
                    }
                ],  # fmt: skip
            )["closed"]
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                fired, audits = _timer_counts()
                if fired - fired_before >= sizes["timers"]:
                    break
                time.sleep(0.5)
            time.sleep(1)  # a double firing would show up now
        fired, audits = _timer_counts()
        runs[f"{web}+{workers}"] = {
            **result,
            "timers": sizes["timers"],
            "timers_due_at": due.isoformat(),
            "timers_fired": fired - fired_before,
            "timer_firings_audited": audits - audits_before,
        }
    one, two = runs["1+1"], runs["2+2"]
    return {"runs": runs, "ratio": round(two["per_second"] / one["per_second"], 3)}


def measure(smoke: bool) -> dict:
    """bench/run.py's entry: http_completion, worker_rss_mb, scale_out_throughput_ratio."""
    sizes = SMOKE if smoke else FULL
    rates = sizes.get("rates", RATES)
    with bench_app("postgresql") as app, app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
        pool = Pool()
        prepared = time.perf_counter()
        single = pool.tasks(sizes["one_client"], seed=0)
        stepped = pool.tasks(sizes["rate_tasks"], seed=1)
        prepare_s = time.perf_counter() - prepared
        with served(url, 2, 0) as (base, master):
            load = locust(
                base,
                pool.usernames,
                [
                    {"name": "one_client", "kind": "one_client", "tasks": single},
                    {
                        "name": "open_loop",
                        "kind": "open_loop",
                        "rates": list(rates),
                        "step_seconds": sizes["step_seconds"],
                        "p95_limit_ms": P95_LIMIT_MS,
                        "tasks": stepped,
                    },  # fmt: skip
                ],
                {"server_pid": master.pid, "database": db.engine.url.database},
            )
            rss = worker_rss_mb(master)
        scaled = scale_out(url, pool, sizes)
    one, steps = load["one_client"], load["open_loop"]["steps"]
    errors = [e for part in (one, *scaled["runs"].values()) for e in part["errors"]]
    if one["error_count"] or any(r["error_count"] for r in scaled["runs"].values()):
        raise RuntimeError(f"completions failed: {errors[:3]}")
    for name, run in scaled["runs"].items():
        if not run["timers_fired"] == run["timer_firings_audited"] == run["timers"]:
            raise RuntimeError(
                f"{name}: {run['timers']} timers, {run['timers_fired']} fired, "
                f"{run['timer_firings_audited']} firings audited"
            )
    return {
        "http_completion": {
            "p50_ms": one["p50"],
            "p95_ms": one["p95"],
            "per_second": held_rate(steps),
            "p95_limit_ms": P95_LIMIT_MS,
            "one_client": one,
            "open_loop_steps": steps,
            "generator_cpu_s_total": load["generator_cpu_s_total"],
            "web_processes": 2,
            "server": "gunicorn sync workers, 127.0.0.1 TCP, PostgreSQL on 127.0.0.1",
            "sched_autogroup": sched_autogroup(),  # 1: CPU shared per session; server in its own
            "work": "POST /tasks/<id>/complete of the four parallel reviews, CSRF on, logged in",
        },
        "worker_rss_mb": {"after_load": rss},
        "scale_out_throughput_ratio": scaled["ratio"],
        "scale_out": scaled["runs"],
        "sizes": {**sizes, "rates": list(rates), "prepare_seconds": round(prepare_s, 1)},
    }

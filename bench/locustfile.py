"""The load generator bench/http_load.py runs: `locust -f bench/locustfile.py --headless -u 1`.

One locust user plays the whole plan (a JSON file named by BENCH_LOCUST_PLAN) and writes what it
measured to BENCH_LOCUST_OUT. Every account logs in for real (GET /login for the CSRF token,
POST /login, GET /inbox for the page's token); every completion is POST /tasks/<id>/complete
with that account's session cookie and CSRF token, and must answer 302. The cookie kept from
the inbox page is sent as is with every POST: the flash message a completion adds to the
session is dropped, so the cookie does not grow (a browser would show it on the next page).

Phases:
- one_client: one completion after another (closed loop, one client);
- open_loop: completions started at a fixed rate whatever the answers do, a step per rate;
  a completion's latency counts from its scheduled start, so a late generator or a queue in
  front of the server shows up instead of being hidden (no coordinated omission). Stepping
  stops at the first step whose p95 passes `p95_limit_ms` or that has an error;
- closed: `clients` clients completing back to back for `seconds` (the scale-out runs).
The generator's own CPU (user + system seconds, this process) is recorded per phase, and so is
the server's: the CPU seconds the gunicorn workers (children of PLAN["server_pid"]) and the
PostgreSQL backends serving PLAN["database"] used during the phase (read with psutil on this
machine; PostgreSQL's shared WAL writer and checkpointer are not counted), with the share of the
machine's CPU time the hypervisor stole meanwhile (`steal_percent`).
"""

from __future__ import annotations

import json
import os
import re
import resource
import statistics
import sys
import time
from pathlib import Path

import gevent
import psutil
from locust import User, task
from locust.contrib.fasthttp import FastHttpSession

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.calibration import machine_ticks, steal_percent  # noqa: E402

PLAN = (
    json.loads(Path(os.environ["BENCH_LOCUST_PLAN"]).read_text())
    if ("BENCH_LOCUST_PLAN" in os.environ)
    else {}
)
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
MACHINE = 0  # _server_cpu's key for the machine's ticks (no process has pid 0)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _server_cpu() -> dict[int, tuple[str, float]]:
    """CPU seconds so far of each gunicorn worker and PostgreSQL backend of the bench database,
    and under MACHINE the whole machine's CPU ticks (bench/calibration.py)."""
    found: dict[int, tuple] = {MACHINE: ("machine", machine_ticks())}
    if "server_pid" not in PLAN:
        return found
    web = psutil.Process(PLAN["server_pid"]).children()
    backends = [
        p
        for p in psutil.process_iter(["cmdline"])
        if f" {PLAN['database']} " in " ".join(p.info["cmdline"] or ()) + " "
    ]
    for kind, procs in (("web", web), ("database", backends)):
        for proc in procs:
            try:
                times = proc.cpu_times()
            except psutil.Error:  # ended meanwhile
                continue
            found[proc.pid] = (kind, times.user + times.system)
    return found


def server_cpu_since(before: dict[int, tuple[str, float]], completions: int) -> dict:
    """Server CPU used since `before` (a process new since then counts whole), in seconds and
    in milliseconds a completion, for the web workers and the database backends."""
    used = {"web": 0.0, "database": 0.0}
    for pid, (kind, seconds) in _server_cpu().items():
        if kind != "machine":
            used[kind] += seconds - before.get(pid, (kind, 0.0))[1]
    per = max(completions, 1)
    return {
        "steal_percent": steal_percent(before[MACHINE][1], machine_ticks()),
        "web_cpu_s": round(used["web"], 2),
        "database_cpu_s": round(used["database"], 2),
        "web_cpu_ms_per_completion": round(used["web"] * 1000 / per, 1),
        "database_cpu_ms_per_completion": round(used["database"] * 1000 / per, 1),
    }


def percentiles(ms: list[float]) -> dict:
    """p50/p95/max and n of latencies in milliseconds."""
    if not ms:
        return {"n": 0}
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    return {
        "p50": round(statistics.median(ms), 1),
        "p95": round(cuts[94], 1),
        "max": round(max(ms), 1),
        "n": len(ms),
    }


class Account:
    """A logged-in user: the cookie and CSRF token its completions send."""

    def __init__(self, user: User, username: str, password: str) -> None:
        login = FastHttpSession(user.host, user.environment.events.request, user=user)
        page = login.get("/login", name="GET /login")
        token = TOKEN.search(page.text).group(1)
        answer = login.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": token},
            allow_redirects=False,
            name="POST /login",
        )
        if answer.status_code != 302:
            raise RuntimeError(f"login as {username}: HTTP {answer.status_code}")
        inbox = login.get("/inbox", name="GET /inbox")
        self.token = TOKEN.search(inbox.text).group(1)
        self.cookie = "; ".join(f"{c.name}={c.value}" for c in login.cookiejar)
        self.session = FastHttpSession(
            user.host, user.environment.events.request, user=user, concurrency=64
        )
        self.session.client.cookiejar = None  # the cookie is sent as kept, never updated
        # Never follow the redirect. Set once: `allow_redirects=False` toggles this per request,
        # which concurrent requests on one session undo for each other.
        self.session.client.redirect_response_codes = frozenset()


class Driver(User):
    """Plays PLAN once, writes the results and stops the run."""

    def on_start(self) -> None:
        self.accounts = {
            key: Account(self, username, PLAN["password"])
            for key, username in PLAN["accounts"].items()
        }

    def complete(self, item: dict, scheduled: float) -> tuple[float, str | None]:
        """POST one completion; (latency from `scheduled` in ms, error or None)."""
        account = self.accounts[item["account"]]
        form = {**item["form"], "csrf_token": account.token}
        error = None
        try:
            answer = account.session.post(
                f"/tasks/{item['id']}/complete",
                data=_encode(form),
                headers={
                    "Cookie": account.cookie,
                    "Content-Type": "application/x-www-form-urlencoded",
                },
                name="POST /tasks/<id>/complete",
            )
            failed = getattr(answer, "error", None)  # a refused, reset or timed-out connection
            if failed is not None:
                error = f"task {item['id']}: {type(failed).__name__}: {failed}"
            elif answer.status_code != 302:
                error = f"task {item['id']}: HTTP {answer.status_code} {answer.text[:200]!r}"
        except Exception as exc:  # a refused or reset connection is an error of the step
            error = f"task {item['id']}: {type(exc).__name__}: {exc}"
        return (time.perf_counter() - scheduled) * 1000, error

    def one_client(self, phase: dict) -> dict:
        server = _server_cpu()
        ms, errors, cpu, start = [], [], _cpu(), time.perf_counter()
        for item in phase["tasks"]:
            elapsed, error = self.complete(item, time.perf_counter())
            ms.append(elapsed)
            if error:
                errors.append(error)
        wall = time.perf_counter() - start
        return {
            **percentiles(ms),
            "errors": errors[:5],
            "error_count": len(errors),
            "seconds": round(wall, 2),
            "generator_cpu_s": round(_cpu() - cpu, 2),
            "server": server_cpu_since(server, len(ms)),
        }

    def open_loop(self, phase: dict) -> dict:
        pool = iter(phase["tasks"])
        steps = []
        for rate in phase["rates"]:
            count = int(rate * phase["step_seconds"])
            items = [item for _, item in zip(range(count), pool, strict=False)]
            if len(items) < count:
                steps.append({"rate": rate, "stopped": "task pool exhausted"})
                break
            step = self._step(rate, items)
            steps.append(step)
            if step["error_count"] or step["p95"] > phase["p95_limit_ms"]:
                break
        return {"steps": steps}

    def _step(self, rate: float, items: list[dict]) -> dict:
        results: list[tuple[float, str | None]] = []
        late: list[float] = []
        server = _server_cpu()
        cpu, start = _cpu(), time.perf_counter()

        def one(item: dict, scheduled: float) -> None:
            late.append((time.perf_counter() - scheduled) * 1000)
            results.append(self.complete(item, scheduled))

        greenlets = []
        for n, item in enumerate(items):
            scheduled = start + n / rate
            wait = scheduled - time.perf_counter()
            if wait > 0:
                gevent.sleep(wait)
            greenlets.append(gevent.spawn(one, item, scheduled))
        gevent.joinall(greenlets, timeout=120)
        wall = time.perf_counter() - start
        ms = [elapsed for elapsed, _ in results]
        errors = [error for _, error in results if error]
        unfinished = len(items) - len(results)
        return {
            "rate": rate,
            **percentiles(ms),
            "achieved_per_second": round(len(results) / wall, 1),
            "error_count": len(errors) + unfinished,
            "errors": (errors + [f"{unfinished} unanswered after 120 s"] * bool(unfinished))[:5],
            "generator_start_late_p95_ms": percentiles(late).get("p95"),
            "generator_cpu_s": round(_cpu() - cpu, 2),
            "server": server_cpu_since(server, len(results)),
            "seconds": round(wall, 2),
        }

    def closed(self, phase: dict) -> dict:
        pool = iter(phase["tasks"])
        ms: list[float] = []
        errors: list[str] = []
        exhausted = []
        cpu, start = _cpu(), time.perf_counter()
        deadline = start + phase["seconds"]

        def client() -> None:
            while time.perf_counter() < deadline:
                item = next(pool, None)
                if item is None:
                    exhausted.append(True)
                    return
                elapsed, error = self.complete(item, time.perf_counter())
                ms.append(elapsed)
                if error:
                    errors.append(error)

        gevent.joinall([gevent.spawn(client) for _ in range(phase["clients"])], timeout=180)
        wall = time.perf_counter() - start
        return {
            **percentiles(ms),
            "clients": phase["clients"],
            "per_second": round(len(ms) / wall, 1),
            "error_count": len(errors),
            "errors": errors[:5],
            "pool_exhausted": bool(exhausted),
            "seconds": round(wall, 2),
            "generator_cpu_s": round(_cpu() - cpu, 2),
        }

    @task
    def play(self) -> None:
        out = {}
        for phase in PLAN["phases"]:
            out[phase["name"]] = getattr(self, phase["kind"])(phase)
        Path(os.environ["BENCH_LOCUST_OUT"]).write_text(json.dumps(out, indent=1))
        self.environment.runner.quit()


def _encode(form: dict) -> str:
    from urllib.parse import urlencode

    return urlencode([(k, v) for k, values in form.items() for v in _as_list(values)])


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]

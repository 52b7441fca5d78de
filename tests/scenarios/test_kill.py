"""Web and worker processes SIGKILLed at random moments under load lose nothing and leave
nothing stuck.

`flask serve` and `flask worker` run as real processes on one database (a SQLite file, or a
fresh PostgreSQL database when DATABASE_URL names a server); threads complete tasks over HTTP
while the main thread kills and restarts the processes. Afterwards every completion the server
acknowledged (2xx/3xx) is stored, and `flask doctor` finds nothing.
"""

import http.client
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest
from flask_migrate import upgrade

from app import create_app
from app.core.audit.models import AuditEvent
from app.core.tasks.models import HumanTask
from app.core.users.models import User
from app.extensions import db
from tests.conftest import ROOT, _postgres_database
from tests.reliability import record, scale

INTAKE = {
    "packaging_confirmed": "on",
    "structure_confirmed": "on",
    "dimensions_confirmed": "on",
    "order_category": "new",
    "requirements": "kill test",
}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

# What a client sees when the web process dies: a refused or reset connection, or an answer
# cut off after its status line (not an acknowledgement: the completion is tried again).
DIED = (OSError, http.client.HTTPException)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """A minimal HTTP client with the session cookie and the CSRF token of one user."""

    def __init__(self, port: int):
        self.port = port
        self.cookie = ""
        self.token = ""

    def request(self, method: str, path: str, form: dict | None = None) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            body = urllib.parse.urlencode({**(form or {}), "csrf_token": self.token})
            headers = {"Cookie": self.cookie}
            if method == "POST":
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, body if method == "POST" else None, headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie" and value.startswith("session="):
                    self.cookie = value.split(";", 1)[0]
            found = CSRF.search(text)
            if found:
                self.token = found.group(1)
            return response.status
        finally:
            conn.close()

    def login(self, username: str, password: str) -> None:
        while True:
            try:
                self.request("GET", "/login")
                if (
                    self.request("POST", "/login", {"username": username, "password": password})
                    == 302
                ):
                    self.request("GET", "/inbox")  # a token bound to the logged-in session
                    return
            except DIED:
                pass
            time.sleep(0.2)


class Cluster:
    """The web process and a worker process, killed and restarted on demand."""

    def __init__(self, env: dict):
        self.env = env
        self.port = free_port()
        self.procs: dict[str, subprocess.Popen] = {}
        self.kills = {"web": 0, "worker": 0}

    def start(self, role: str) -> None:
        args = ["serve", "--port", str(self.port)] if role == "web" else ["worker"]
        self.procs[role] = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if role == "web":
            self.wait_for_web()

    def wait_for_web(self) -> None:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the web process did not come up")

    def kill(self, role: str) -> None:
        proc = self.procs[role]
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        self.kills[role] += 1
        self.start(role)

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.kill()
            proc.wait()


@pytest.fixture
def cluster_db(tmp_path):
    """A separate database with the demo people, the processes and orders waiting for sales."""
    url = os.environ.get("DATABASE_URL", "")
    drop = None
    if url.startswith("postgresql"):
        url, drop = _postgres_database(url)
    else:
        url = f"sqlite:///{tmp_path / 'kill.sqlite3'}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ORDERGATE_INSTANCE_DIR": str(tmp_path),
        "ORDERGATE_WORKER": "0",
        "SECRET_KEY": "kill-test",
    }
    other = create_app({"TESTING": True, "SECRET_KEY": "kill-test", "SQLALCHEMY_DATABASE_URI": url})
    with other.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        from app.volume import _prerequisites, shapes
        from app.volume.live import Live

        sales = _prerequisites()
        rng = random.Random(9)
        lines = shapes.ensure_lines()
        customer = shapes.make_customers(1, rng)[0]
        products = shapes.make_products(3, lines, rng)
        refs = [
            shapes.Ref(p.id, p.name, p.code, "", tuple(r.line_id for r in p.rates))
            for p in products
        ]
        live = Live(rng, sales)
        for _ in range(scale(16, 120)):
            live.enter(
                shapes.Ref(customer.id, customer.name), "new", shapes.line_shapes(rng, refs, False)
            )
        db.session.commit()
    yield other, env
    with other.app_context():
        db.session.remove()
        db.engine.dispose()
    if drop:
        drop()


def complete_all(port: int, username: str, task_ids: list[int], acked: list[int], errors: list):
    """Complete each task over HTTP until the server acknowledges it or says it is done."""
    client = Client(port)
    client.login(username, "demo1234")
    for task_id in task_ids:
        for _attempt in range(200):
            try:
                status = client.request("POST", f"/tasks/{task_id}/complete", INTAKE)
            except DIED:  # the web process was killed under us (even mid-answer): try again
                time.sleep(0.1)
                continue
            if status in (200, 302, 303):
                acked.append(task_id)
                break
            if status == 409:  # completed by our earlier attempt that died before answering
                break
            if status in (401, 403) or (status == 302 and not client.cookie):
                client.login(username, "demo1234")
                continue
            if status >= 500:
                errors.append((task_id, status))
                time.sleep(0.1)
                continue
            errors.append((task_id, status))
            break


@pytest.mark.reliability
def test_kills_lose_no_acknowledged_completion(cluster_db):
    other, env = cluster_db
    with other.app_context():
        tasks = db.session.scalars(
            db.select(HumanTask.id).where(HumanTask.state == "ready").order_by(HumanTask.id)
        ).all()
        db.session.remove()
    cluster = Cluster(env)
    cluster.start("web")
    cluster.start("worker")
    acked: list[int] = []
    errors: list = []
    threads = [
        threading.Thread(
            target=complete_all, args=(cluster.port, "sales.member", tasks[0::2], acked, errors)
        ),
        threading.Thread(
            target=complete_all, args=(cluster.port, "sales.head", tasks[1::2], acked, errors)
        ),
    ]
    rng = random.Random()
    try:
        for thread in threads:
            thread.start()
        kills = scale(4, 40)
        for _ in range(kills):
            time.sleep(rng.uniform(0.1, 0.8))
            cluster.kill(rng.choice(("web", "web", "worker")))
        for thread in threads:
            thread.join(timeout=300)
        assert not any(thread.is_alive() for thread in threads)
    finally:
        cluster.stop()

    with other.app_context():
        stored = dict(
            db.session.execute(
                db.select(HumanTask.id, HumanTask.state).where(HumanTask.id.in_(tasks))
            ).all()
        )
        lost = [task_id for task_id in acked if stored[task_id] != "completed"]
        audited = set(
            db.session.scalars(
                db.select(AuditEvent.object_id).where(AuditEvent.action == "task.complete")
            )
        )
        unaudited = [t for t in acked if str(t) not in audited]
        people = db.session.scalar(db.select(db.func.count()).select_from(User))
        db.session.remove()
    doctor = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "doctor"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    record(
        "kills",
        "web and worker SIGKILL during task completions",
        kills=sum(cluster.kills.values()),
        web_kills=cluster.kills["web"],
        worker_kills=cluster.kills["worker"],
        completions=len(acked),
        lost=len(lost),
        doctor_findings=len(doctor.stdout.splitlines()),
        failures=len(lost) + len(unaudited) + (doctor.returncode != 0),
    )
    assert people > 0 and len(acked) >= len(tasks) // 2
    assert lost == [] and unaudited == []
    assert doctor.returncode == 0, doctor.stdout
    assert sum(cluster.kills.values()) == kills

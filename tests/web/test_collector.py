"""The web process freezes its long-lived objects out of the collector's way when it starts and
once more after its first requests (app/core/web/collector.py)."""

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from app.core.web import collector

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the suite runs with a collector as it was


def test_settle_freezes_at_start_and_once_after_the_warm_requests(unfrozen, monkeypatch):
    monkeypatch.setattr(collector, "WARM_REQUESTS", 3)
    app = Flask(__name__)
    made = []

    @app.get("/")
    def index():
        made.append([[n] for n in range(1000)])  # a cache filling on first use (tracked by gc)
        return "ok"

    collector.settle(app)
    at_start = gc.get_freeze_count()
    assert at_start > 0
    client = app.test_client()

    def served() -> int:
        response = client.get("/")
        response.close()  # as a server does once the body is sent
        return response.status_code

    for _ in range(2):
        assert served() == 200
    # Not warm yet: nothing more frozen (frozen objects freed since only lower the count).
    assert gc.get_freeze_count() <= at_start
    assert served() == 200  # the third response, closed: frozen again
    warm = gc.get_freeze_count()
    assert warm >= at_start + 3000
    for _ in range(3):
        served()
    assert gc.get_freeze_count() <= warm  # once only: the later objects stay collectable


def test_wsgi_app_is_settled(tmp_path):
    """wsgi.py (what gunicorn and the worker load) freezes when it builds the app; in a process
    of its own, as a server starts it (building a second app here would touch shared state)."""
    script = "import gc, wsgi; print(gc.get_freeze_count())"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/wsgi.db"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) > 10_000

"""`flask backup` and `flask restore`: a SQLite database and its uploads survive a round trip."""

import os
import subprocess
import sys

import pytest
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from app import create_app
from app.backup import BackupError, sqlite_path
from app.extensions import db
from app.modules.orders.models import Customer
from tests.conftest import ROOT


@pytest.fixture
def sqlite_app(tmp_path):
    """A second app on its own SQLite file and uploads directory, migrated."""
    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "backup-test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'live.sqlite3'}",
            "STORAGE_DIR": tmp_path / "uploads",
            "START_WORKER": False,
        }
    )
    with other.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.session.add(Customer(name="客户 Backup", contact="Ann", address="1 Road"))
        db.session.commit()
    (tmp_path / "uploads" / "ab").mkdir(parents=True)
    (tmp_path / "uploads" / "ab" / "drawing.pdf").write_bytes(b"%PDF-1.4 drawing")
    yield other, tmp_path
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


class Runner:
    """Runs `flask` commands in a subprocess against the test's own SQLite file and uploads."""

    def __init__(self, tmp):
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp / 'live.sqlite3'}",
            "ORDERGATE_STORAGE_DIR": str(tmp / "uploads"),
            "ORDERGATE_INSTANCE_DIR": str(tmp),
            "SECRET_KEY": "backup-test",
        }

    def invoke(self, args):
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip


def customers(app) -> list[str]:
    with app.app_context():
        names = db.session.scalars(db.select(Customer.name)).all()
        db.session.remove()
        return names


def test_backup_and_restore_round_trip(sqlite_app):
    app, tmp = sqlite_app
    runner = Runner(tmp)
    archive = tmp / "backups" / "ordergate.tar.gz"
    made = runner.invoke(["backup", str(archive)])
    assert made.returncode == 0, made.stdout
    assert "1 file(s)" in made.stdout and archive.is_file()

    with app.app_context():  # the database moves on and an upload is lost
        db.session.add(Customer(name="Added later", contact="", address=""))
        db.session.commit()
        db.session.remove()
    (tmp / "uploads" / "ab" / "drawing.pdf").unlink()

    refused = runner.invoke(["restore", str(archive)])
    assert refused.returncode == 1
    assert "already holds data" in refused.stderr and "--force" in refused.stderr
    assert sorted(customers(app)) == ["Added later", "客户 Backup"]

    done = runner.invoke(["restore", "--force", str(archive)])
    assert done.returncode == 0, done.stderr
    assert customers(app) == ["客户 Backup"]
    assert (tmp / "uploads" / "ab" / "drawing.pdf").read_bytes() == b"%PDF-1.4 drawing"


def test_restore_into_an_empty_database_needs_no_force(sqlite_app):
    app, tmp = sqlite_app
    runner = Runner(tmp)
    archive = tmp / "b.tar.gz"
    assert runner.invoke(["backup", str(archive)]).returncode == 0
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    (tmp / "live.sqlite3").unlink()
    done = runner.invoke(["restore", str(archive)])
    assert done.returncode == 0, done.stderr
    assert customers(app) == ["客户 Backup"]


def test_restore_refuses_what_is_not_a_backup(sqlite_app):
    app, tmp = sqlite_app
    bogus = tmp / "bogus.tar.gz"
    bogus.write_bytes(b"not an archive")
    result = Runner(tmp).invoke(["restore", "--force", str(bogus)])
    assert result.returncode == 1 and "cannot be read as an OrderGate backup" in result.stderr
    assert customers(app) == ["客户 Backup"]


def test_postgresql_is_pointed_at_pg_dump():
    with pytest.raises(BackupError, match="pg_dump"):
        sqlite_path(make_url("postgresql+psycopg://postgres@127.0.0.1/ordergate"))

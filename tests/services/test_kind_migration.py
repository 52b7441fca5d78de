"""The migration that gives process instances a kind fills it in for the rows already there."""

from pathlib import Path

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app

ROOT = Path(__file__).parents[2]
BEFORE = "5aa1d3abff58"
PROCESSES = {
    "order_lifecycle": "order_lifecycle",
    "order_review": "order_lifecycle",
    "change_request": "change",
    "rush_order": "rush",
    "supplier_audit": "supplier_audit",
}


def test_existing_instances_get_the_kind_of_their_process(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    directory = str(ROOT / "migrations")
    with app.app_context():
        upgrade(directory=directory, revision=BEFORE)
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            for number, process_id in enumerate(PROCESSES, start=1):
                conn.execute(
                    sa.text(
                        "INSERT INTO process_version (id, process_id, name, number, xml,"
                        " content_hash, file_name, created_at) VALUES (:id, :pid, :pid, 1,"
                        " '<x/>', :hash, :pid, '2026-01-01 00:00:00')"
                    ),
                    {"id": number, "pid": process_id, "hash": f"{number:064d}"},
                )
                conn.execute(
                    sa.text(
                        "INSERT INTO process_instance (id, process_version_id, status, state,"
                        " lock_version, started_at) VALUES (:id, :id, 'running', x'00', 1,"
                        " '2026-01-01 00:00:00')"
                    ),
                    {"id": number},
                )
        upgrade(directory=directory)
        with engine.connect() as conn:
            kinds = dict(
                conn.execute(
                    sa.text(
                        "SELECT v.process_id, i.kind FROM process_instance i"
                        " JOIN process_version v ON v.id = i.process_version_id"
                    )
                ).all()
            )
            columns = {c["name"]: c for c in sa.inspect(conn).get_columns("process_instance")}
            indexes = {i["name"] for i in sa.inspect(conn).get_indexes("process_instance")}
        assert kinds == PROCESSES
        assert columns["kind"]["nullable"] is False and "ix_process_instance_kind" in indexes
        downgrade(directory=directory, revision=BEFORE)
        with engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("process_instance")}
        assert "kind" not in columns
        engine.dispose()

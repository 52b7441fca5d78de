"""The tamper-evident audit chain: sealing in id order after commit, and `flask audit verify`
catching an edited, deleted, removed or reordered row while a gap in ids is no error."""

import os
import stat

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.core.audit import chain
from app.core.audit import services as audit
from app.core.audit.chain import sealing
from app.core.audit.models import AuditEvent, AuditSeal
from app.extensions import db
from app.worker import run_jobs


@pytest.fixture(autouse=True)
def head() -> int:
    """Seal what the app's start wrote (the deployed processes); the chain's head audit id."""
    while chain.seal_pending():
        pass
    return db.session.scalar(db.select(db.func.max(AuditSeal.audit_id))) or 0


def is_postgres() -> bool:
    """Whether the suite runs on PostgreSQL (where triggers make the audit append-only)."""
    return db.engine.dialect.name == "postgresql"


def write(*actions: str) -> list[int]:
    """Committed audit rows, one per action; their ids."""
    events = [
        audit.record(None, action, "thing", n, data={"n": n}) for n, action in enumerate(actions)
    ]
    db.session.commit()
    return [event.id for event in events]


def tamper(sql: str, **params) -> None:
    """Change the audit tables behind the application's back, as an intruder with database
    access would; on PostgreSQL a superuser session that switches the triggers off."""
    db.session.rollback()
    if is_postgres():
        db.session.execute(db.text("SET LOCAL session_replication_role = replica"))
    db.session.execute(db.text(sql), params)
    db.session.commit()


def links(after: int) -> list[tuple[int, int]]:
    """(audit_id, prev_audit_id) of the links after the one of row `after`, in sealing order."""
    rows = db.session.execute(
        db.select(AuditSeal.audit_id, AuditSeal.prev_audit_id).order_by(AuditSeal.id)
    ).all()
    ids = [row.audit_id for row in rows]
    start = ids.index(after) + 1 if after else 0
    return [tuple(row) for row in rows[start:]]


def problem() -> chain.Problem | None:
    """What verify reports first."""
    report = chain.verify(batch=2)  # small batches: the walk crosses batch boundaries
    return report.problem


def test_rows_are_sealed_in_id_order_after_commit_each_naming_its_predecessor(head):
    ids = write("a.one", "a.two", "a.three")

    assert chain.seal_pending() == 3
    assert links(head) == [(ids[0], head), (ids[1], ids[0]), (ids[2], ids[1])]
    assert chain.seal_pending() == 0  # nothing left to seal
    report = chain.verify()
    assert report.ok and report.head_audit_id == ids[2]
    assert report.pending == 0


def test_the_worker_round_seals_and_a_row_written_later_extends_the_chain(head):
    first = write("b.one")
    assert run_jobs()["audit.seal"] == 1
    second = write("b.two")
    assert run_jobs()["audit.seal"] == 1
    assert links(head) == [(first[0], head), (second[0], first[0])]
    assert chain.verify().ok


def test_each_link_is_the_hmac_of_the_row_chained_to_the_previous_link(head):
    ids = write("c.one", "c.two")
    chain.seal_pending()
    seals = db.session.scalars(db.select(AuditSeal).order_by(AuditSeal.id)).all()[-3:]
    rows = [db.session.get(AuditEvent, i) for i in ids]
    secret = chain.key()
    before = seals.pop(0) if len(seals) == 3 else None
    assert seals[0].hmac == chain.mac(secret, before.hmac if before else "", head, rows[0])
    assert seals[1].hmac == chain.mac(secret, seals[0].hmac, ids[0], rows[1])
    assert seals[0].key_id == chain.key_id(secret) and secret.decode() not in seals[0].key_id


def test_verify_catches_an_edited_row():
    ids = write("d.one", "d.two", "d.three")
    chain.seal_pending()
    tamper("UPDATE audit_event SET data = :data WHERE id = :id", data='{"n": 99}', id=ids[1])

    found = problem()
    assert found is not None and found.kind == "changed" and found.audit_id == ids[1]


def test_verify_catches_a_deleted_row():
    ids = write("e.one", "e.two", "e.three")
    chain.seal_pending()
    tamper("DELETE FROM audit_event WHERE id = :id", id=ids[1])

    found = problem()
    assert found is not None and found.kind == "deleted" and found.audit_id == ids[1]


def test_verify_catches_a_row_removed_with_its_link():
    ids = write("f.one", "f.two", "f.three")
    chain.seal_pending()
    tamper("DELETE FROM audit_seal WHERE audit_id = :id", id=ids[1])
    tamper("DELETE FROM audit_event WHERE id = :id", id=ids[1])

    found = problem()
    assert found is not None and found.kind == "missing" and found.audit_id == ids[2]
    assert str(ids[1]) in found.message


def test_verify_catches_the_first_rows_removed_with_their_links():
    ids = write("g.one", "g.two")
    chain.seal_pending()
    tamper("DELETE FROM audit_seal WHERE audit_id = :id", id=ids[0])
    tamper("DELETE FROM audit_event WHERE id = :id", id=ids[0])

    found = problem()
    assert found is not None and found.kind == "missing" and found.audit_id == ids[1]


def test_verify_catches_reordered_rows():
    ids = write("h.one", "h.two")
    chain.seal_pending()
    # Swap what the two rows say: every row still has a link, but not its own.
    tamper("UPDATE audit_event SET action = 'h.two' WHERE id = :id", id=ids[0])
    tamper("UPDATE audit_event SET action = 'h.one' WHERE id = :id", id=ids[1])

    found = problem()
    assert found is not None and found.kind == "changed" and found.audit_id == ids[0]


def test_verify_catches_a_forged_link():
    ids = write("i.one", "i.two")
    chain.seal_pending()
    tamper("UPDATE audit_seal SET hmac = :h WHERE audit_id = :id", h="0" * 64, id=ids[0])

    found = problem()
    assert found is not None and found.kind == "changed" and found.audit_id == ids[0]


def test_a_gap_in_ids_from_a_rolled_back_insert_is_no_error(head):
    first = write("j.one")
    audit.record(None, "j.rolled_back", "thing", 1)
    db.session.flush()  # the insert uses up an id (PostgreSQL: a sequence value) …
    db.session.rollback()  # … and is undone
    # SQLite reuses a rolled-back id, so make the gap explicit as well.
    db.session.add(AuditEvent(id=first[0] + 5, action="j.after_gap", object_type="thing"))
    db.session.commit()

    assert chain.seal_pending() == 2
    assert links(head) == [(first[0], head), (first[0] + 5, first[0])]
    report = chain.verify()
    assert report.ok, report.problem
    assert report.head_audit_id == first[0] + 5


def test_a_row_committed_after_later_ids_were_sealed_is_sealed_next_round(head):
    ids = write("k.one")
    # A slow transaction holds id+1 while id+2 commits and is sealed.
    db.session.add(AuditEvent(id=ids[0] + 2, action="k.fast", object_type="thing"))
    db.session.commit()
    chain.seal_pending()
    db.session.add(AuditEvent(id=ids[0] + 1, action="k.slow", object_type="thing"))
    db.session.commit()

    assert chain.seal_pending() == 1
    assert links(head)[-1] == (ids[0] + 1, ids[0] + 2)
    assert chain.verify().ok


def test_verify_reports_an_unsealed_row_far_below_the_head(monkeypatch):
    ids = write("l.one")
    db.session.add(AuditEvent(id=ids[0] + 3, action="l.two", object_type="thing"))
    db.session.commit()
    chain.seal_pending()
    monkeypatch.setattr(sealing, "LOOKBACK", 0)
    tamper(
        "INSERT INTO audit_event (id, at, action, object_type) VALUES (:id, :at, 'l.forged', 'x')",
        id=ids[0] + 1,
        at="2026-01-01 00:00:00",
    )

    assert chain.seal_pending() == 0  # the sealer does not reach that far back
    found = problem()
    assert found is not None and found.kind == "unsealed" and found.audit_id == ids[0] + 1


def test_a_chain_sealed_with_another_key_is_reported_and_not_extended(app, monkeypatch):
    write("m.one")
    chain.seal_pending()
    monkeypatch.setitem(app.config, "AUDIT_HMAC_KEY", "another-key-" + "1" * 32)

    found = problem()
    assert found is not None and found.kind == "key"
    write("m.two")
    with pytest.raises(chain.KeyProblem):
        chain.seal_pending()


def test_the_key_lives_in_a_0600_file_outside_the_database_when_not_configured(
    app, monkeypatch, tmp_path
):
    monkeypatch.setitem(app.config, "AUDIT_HMAC_KEY", None)
    monkeypatch.setattr(app, "instance_path", str(tmp_path))

    secret = chain.key()
    path = tmp_path / chain.KEY_FILE
    assert path.read_text().encode() == secret and len(secret) >= chain.MIN_KEY_LENGTH
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert chain.key() == secret  # made once, then read

    write("n.one")
    chain.seal_pending()
    stored = db.session.execute(db.text("SELECT * FROM audit_seal")).all()
    assert secret.decode() not in repr(stored)


def test_a_short_configured_key_is_refused(app, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_HMAC_KEY", "short")
    with pytest.raises(chain.KeyProblem, match="AUDIT_HMAC_KEY"):
        chain.key()


def test_flask_audit_verify_and_seal(app):
    ids = write("o.one", "o.two")
    runner = app.test_cli_runner()

    sealed = runner.invoke(args=["audit", "seal"])
    assert sealed.exit_code == 0 and "sealed 2 row(s)" in sealed.output
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and f"link(s) intact up to row {ids[1]}" in ok.output

    tamper("UPDATE audit_event SET ip = '10.0.0.9' WHERE id = :id", id=ids[0])
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert f"BROKEN at row {ids[0]} (changed)" in broken.output


@pytest.mark.postgres
def test_postgres_refuses_to_update_delete_or_truncate_the_audit_tables():
    ids = write("p.one")
    chain.seal_pending()
    for statement in (
        "UPDATE audit_event SET action = 'p.changed' WHERE id = :id",
        "DELETE FROM audit_event WHERE id = :id",
        "UPDATE audit_seal SET hmac = 'x' WHERE audit_id = :id",
        "DELETE FROM audit_seal WHERE audit_id = :id",
        "TRUNCATE audit_event",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(db.text(statement), {"id": ids[0]})
        db.session.rollback()
    assert db.session.get(AuditEvent, ids[0]).action == "p.one"
    assert chain.verify().ok


@pytest.mark.postgres
def test_postgres_lets_one_sealer_at_a_time_extend_the_chain_and_the_other_skips(head):
    ids = write("q.one", "q.two")
    with db.engine.connect() as other:
        # Another worker is sealing: it holds the chain's advisory lock in its transaction.
        other.execute(db.select(db.func.pg_advisory_xact_lock(chain.SEAL_LOCK)))
        assert chain.seal_pending() == 0  # skipped at once, not queued behind it
        other.rollback()
    assert chain.seal_pending() == 2
    assert links(head) == [(ids[0], head), (ids[1], ids[0])]


def test_a_second_link_after_the_same_head_is_refused(head):
    write("r.one", "r.two")
    chain.seal_pending()
    db.session.add(AuditSeal(audit_id=10**9, prev_audit_id=head, hmac="0" * 64, key_id="x" * 16))
    with pytest.raises(IntegrityError):
        db.session.flush()  # the chain cannot fork, whatever two sealers do
    db.session.rollback()

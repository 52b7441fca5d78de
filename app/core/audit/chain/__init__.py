"""The tamper-evident chain over the audit trail.

Writers only insert audit rows; the worker seals them afterwards (job `audit.seal`), so no
request ever waits for the chain's head. Each link stores

    hmac = HMAC-SHA256(key, prev_hmac "\\n" prev_audit_id "\\n" canonical row bytes)

where `prev_audit_id` and `prev_hmac` are those of the link sealed just before it (0 and "" for
the first). The key lives outside the database (config AUDIT_HMAC_KEY or instance/audit_hmac_key),
so someone who can write the database cannot forge a link.

Audit ids have gaps (a rolled-back insert uses up an id); the chain does not care, because each
link names its predecessor's audit id. A transaction that commits after later rows were sealed
is sealed in the next round, after them: the chain's order is the order of sealing, which is id
order except for such late rows.
"""

import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import Row

from app.core.audit.models import AuditEvent, AuditSeal
from app.core.clock import utcnow
from app.extensions import db

KEY_FILE = "audit_hmac_key"
MIN_KEY_LENGTH = 32
# Rows sealed per transaction, and at most per worker round.
BATCH = 1000
ROUND = 5000
# Unsealed rows this far below the chain's head are still sealed (a transaction that committed
# after later ids were sealed); further down, an unsealed row is reported by verify.
LOOKBACK = 10_000
# Any constant: PostgreSQL's advisory lock that lets one sealer at a time extend the chain.
SEAL_LOCK = 0x0A0D17_5EA1

_ROW = AuditEvent.__table__.c
_FIELDS = (
    "id",
    "at",
    "user_id",
    "action",
    "object_type",
    "object_id",
    "subject_type",
    "subject_key",
    "instance_id",
    "data",
    "ip",
)


class KeyProblem(RuntimeError):
    """The configured key is unusable; the message says what to set."""


def key() -> bytes:
    """The sealing key: config AUDIT_HMAC_KEY, else instance/audit_hmac_key (made on first use).

    The file is created with mode 0600 and never copied into the database. Every worker and the
    `flask audit` commands must see the same key: on several hosts, set AUDIT_HMAC_KEY.
    """
    configured = current_app.config.get("AUDIT_HMAC_KEY")
    if configured:
        text = configured if isinstance(configured, str) else configured.decode()
        if len(text) < MIN_KEY_LENGTH:
            raise KeyProblem(
                f"AUDIT_HMAC_KEY must be at least {MIN_KEY_LENGTH} characters "
                "(e.g. python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        return text.encode()
    return _instance_key(Path(current_app.instance_path) / KEY_FILE)


def _instance_key(path: Path) -> bytes:
    """Read the key file, or create it (0600, exclusively: two processes agree on one key)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: read theirs
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(os.urandom(32).hex())
    text = path.read_text().strip()
    if len(text) < MIN_KEY_LENGTH:
        raise KeyProblem(f"{path} holds no usable key; restore it from the backup of the key.")
    return text.encode()


def key_id(secret: bytes) -> str:
    """A short name of the key (a digest, from which the key cannot be found)."""
    return hashlib.sha256(b"ordergate-audit-key:" + secret).hexdigest()[:16]


def canonical(row: Row | AuditEvent) -> bytes:
    """The bytes of an audit row that its seal covers: every column, in a fixed order."""
    values = []
    for name in _FIELDS:
        value = getattr(row, name)
        values.append(value.isoformat() if name == "at" and value is not None else value)
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode()


def mac(secret: bytes, prev_hmac: str, prev_audit_id: int, row: Row | AuditEvent) -> str:
    """The link of `row` after the link (`prev_audit_id`, `prev_hmac`)."""
    message = f"{prev_hmac}\n{prev_audit_id}\n".encode() + canonical(row)
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _take_lock() -> bool:
    """One sealer at a time: on PostgreSQL a transaction advisory lock, skipped when held.

    SQLite lets one writer in at a time anyway, and the unique `prev_audit_id` refuses a
    second link after the same head.
    """
    if db.engine.dialect.name != "postgresql":
        return True
    return bool(
        db.session.execute(db.select(db.func.pg_try_advisory_xact_lock(SEAL_LOCK))).scalar()
    )


def _head(kid: str) -> tuple[int, str]:
    """The audit id and HMAC of the last link (0 and "" before the first).

    A chain sealed with another key is not extended: a lost key file replaced by a new one
    would otherwise hide the loss until someone verifies.
    """
    last = db.session.execute(
        db.select(AuditSeal.audit_id, AuditSeal.hmac, AuditSeal.key_id)
        .order_by(AuditSeal.id.desc())
        .limit(1)
    ).first()
    if last is None:
        return 0, ""
    if last.key_id != kid:
        raise KeyProblem(
            f"The audit chain was sealed with key {last.key_id}; the configured key is {kid}. "
            "Restore the key that sealed it (AUDIT_HMAC_KEY or instance/audit_hmac_key)."
        )
    return last.audit_id, last.hmac


def _unsealed(low: int, limit: int):
    """Unsealed rows with ids above `low`, in id order."""
    sealed = db.select(AuditSeal.audit_id).where(AuditSeal.audit_id == _ROW.id).exists()
    return db.session.execute(
        db.select(AuditEvent.__table__).where(_ROW.id > low, ~sealed).order_by(_ROW.id).limit(limit)
    ).all()


def seal_batch(limit: int = BATCH) -> int:
    """Seal up to `limit` committed rows in id order after the chain's head; flushes only.

    Returns how many were sealed (0 also when another sealer holds the lock).
    """
    if not _take_lock():
        return 0
    secret = key()
    kid = key_id(secret)
    prev_id, prev_hmac = _head(kid)
    rows = _unsealed(max(0, prev_id - LOOKBACK), limit)
    links = []
    now = utcnow()
    for row in rows:
        link = mac(secret, prev_hmac, prev_id, row)
        links.append(
            {
                "audit_id": row.id,
                "prev_audit_id": prev_id,
                "hmac": link,
                "key_id": kid,
                "sealed_at": now,
            }
        )
        prev_id, prev_hmac = row.id, link
    if links:
        db.session.execute(db.insert(AuditSeal), links)
    return len(links)


def seal_pending(most: int = ROUND) -> int:
    """The worker job: seal what is pending, one committed transaction per batch."""
    done = 0
    while done < most:
        sealed = seal_batch(min(BATCH, most - done))
        db.session.commit()
        done += sealed
        if sealed == 0:
            break
    return done


@dataclass(frozen=True)
class Problem:
    """The first broken or missing link: the audit id where it shows, and what is wrong."""

    audit_id: int
    kind: str  # changed | deleted | missing | key | unsealed
    message: str


@dataclass(frozen=True)
class Report:
    """What `verify` found: links checked, the head, rows not sealed yet, the first problem."""

    links: int
    head_audit_id: int
    pending: int
    problem: Problem | None

    @property
    def ok(self) -> bool:
        """Whether the chain is whole."""
        return self.problem is None


def _links(batch: int) -> Iterator[Row]:
    """Every link with its audit row (None columns if the row is gone), in sealing order."""
    after = 0
    while True:
        rows = db.session.execute(
            db.select(
                AuditSeal.id.label("seal_id"),
                AuditSeal.audit_id.label("seal_audit_id"),
                AuditSeal.prev_audit_id,
                AuditSeal.hmac.label("seal_hmac"),
                AuditSeal.key_id,
                *[_ROW[name] for name in _FIELDS],
            )
            .select_from(AuditSeal)
            .outerjoin(AuditEvent.__table__, _ROW.id == AuditSeal.audit_id)
            .where(AuditSeal.id > after)
            .order_by(AuditSeal.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].seal_id


def _check_link(secret: bytes, kid: str, prev_id: int, prev_hmac: str, link: Row):
    """The problem with one link, or None."""
    audit_id = link.seal_audit_id
    if link.prev_audit_id != prev_id:
        if prev_id == 0:
            text = (
                f"the chain starts at row {audit_id}, whose link names row "
                f"{link.prev_audit_id} before it: the rows before it were removed"
            )
        else:
            text = (
                f"the link of row {audit_id} names row {link.prev_audit_id} before it, but the "
                f"chain has row {prev_id} there: a link was removed or the links were reordered"
            )
        return Problem(audit_id, "missing", text)
    if link.id is None:
        return Problem(audit_id, "deleted", f"row {audit_id} was sealed and has been deleted")
    if link.key_id != kid:
        return Problem(
            audit_id,
            "key",
            f"row {audit_id} was sealed with key {link.key_id}, not the configured key {kid}: "
            "restore the key that sealed the chain (instance/audit_hmac_key or AUDIT_HMAC_KEY)",
        )
    if not hmac.compare_digest(mac(secret, prev_hmac, prev_id, link), link.seal_hmac):
        return Problem(audit_id, "changed", f"row {audit_id} was changed after it was sealed")
    return None


def verify(batch: int = BATCH) -> Report:
    """Walk the chain and report the first broken or missing link, reading in batches."""
    secret = key()
    kid = key_id(secret)
    prev_id, prev_hmac, count = 0, "", 0
    for link in _links(batch):
        problem = _check_link(secret, kid, prev_id, prev_hmac, link)
        if problem is not None:
            return Report(count, prev_id, 0, problem)
        prev_id, prev_hmac, count = link.seal_audit_id, link.seal_hmac, count + 1
    sealed = db.select(AuditSeal.audit_id).where(AuditSeal.audit_id == _ROW.id).exists()
    stray = db.session.scalar(
        db.select(db.func.min(_ROW.id)).where(_ROW.id < prev_id - LOOKBACK, ~sealed)
    )
    if stray is not None:
        return Report(
            count,
            prev_id,
            0,
            Problem(
                stray,
                "unsealed",
                f"row {stray} lies far below the chain's head (row {prev_id}) and has no link: "
                "it was inserted behind the sealer's back, or its link was removed",
            ),
        )
    pending = db.session.scalar(
        db.select(db.func.count())
        .select_from(AuditEvent)
        .where(_ROW.id > prev_id - LOOKBACK, ~sealed)
    )
    return Report(count, prev_id, pending or 0, None)

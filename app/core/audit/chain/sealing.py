"""Sealing: the worker links committed audit rows to the chain's head, in id order."""

import hashlib
import hmac
import json

from sqlalchemy import Row

from app.core.audit.chain.keys import KeyProblem, key, key_id
from app.core.audit.models import AuditEvent, AuditSeal
from app.core.clock import utcnow
from app.extensions import db

# Rows sealed per transaction, and at most per worker round.
BATCH = 1000
ROUND = 5000
# Unsealed rows this far below the chain's head are still sealed (a transaction that committed
# after later ids were sealed); further down, an unsealed row is reported by verify (which reads
# it from here).
LOOKBACK = 10_000
# Any constant: PostgreSQL's advisory lock that lets one sealer at a time extend the chain.
SEAL_LOCK = 0x0A0D17_5EA1
# The audit table's columns, and those a seal covers in their fixed order (verifying reads them).
ROW = AuditEvent.__table__.c
FIELDS = (
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


def canonical(row: Row | AuditEvent) -> bytes:
    """The bytes of an audit row that its seal covers: every column, in a fixed order."""
    values = []
    for name in FIELDS:
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
    sealed = db.select(AuditSeal.audit_id).where(AuditSeal.audit_id == ROW.id).exists()
    return db.session.execute(
        db.select(AuditEvent.__table__).where(ROW.id > low, ~sealed).order_by(ROW.id).limit(limit)
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

"""Verifying: walk the chain and report its first broken or missing link."""

import hmac
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Row

from app.core.audit.chain import sealing
from app.core.audit.chain.keys import key, key_id
from app.core.audit.chain.sealing import BATCH, FIELDS, ROW, mac
from app.core.audit.models import AuditEvent, AuditSeal
from app.extensions import db


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
                *[ROW[name] for name in FIELDS],
            )
            .select_from(AuditSeal)
            .outerjoin(AuditEvent.__table__, ROW.id == AuditSeal.audit_id)
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
    sealed = db.select(AuditSeal.audit_id).where(AuditSeal.audit_id == ROW.id).exists()
    stray = db.session.scalar(
        db.select(db.func.min(ROW.id)).where(ROW.id < prev_id - sealing.LOOKBACK, ~sealed)
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
        .where(ROW.id > prev_id - sealing.LOOKBACK, ~sealed)
    )
    return Report(count, prev_id, pending or 0, None)

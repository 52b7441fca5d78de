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

keys.py finds the key, sealing.py extends the chain (worker job `audit.seal`), verifying.py
walks it (`flask audit verify`); callers import the names from here.
"""

from app.core.audit.chain.keys import KEY_FILE, MIN_KEY_LENGTH, KeyProblem, key, key_id
from app.core.audit.chain.sealing import (
    BATCH,
    ROUND,
    SEAL_LOCK,
    canonical,
    mac,
    seal_batch,
    seal_pending,
)
from app.core.audit.chain.verifying import Problem, Report, verify

__all__ = [
    "BATCH",
    "KEY_FILE",
    "MIN_KEY_LENGTH",
    "ROUND",
    "SEAL_LOCK",
    "KeyProblem",
    "Problem",
    "Report",
    "canonical",
    "key",
    "key_id",
    "mac",
    "seal_batch",
    "seal_pending",
    "verify",
]

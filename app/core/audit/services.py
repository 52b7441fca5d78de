"""Writing the audit trail.

Rows are only ever inserted; the worker seals them into the tamper-evident chain after commit
(app/core/audit/chain/), so writing a row never waits for anyone else's.
"""

import json
from typing import Any

from sqlalchemy.orm import selectinload

from app.core.audit.models import AuditEvent
from app.core.subjects.services import SubjectRef
from app.core.users.models import User
from app.extensions import db

# session.info key: the denials recorded in the session's current transaction.
_DENIALS = "audit.denials"


def is_denial(action: str) -> bool:
    """Whether an action names a refused attempt (`denied.<what>` or `<what>.denied`)."""
    return action.startswith("denied.") or action.endswith(".denied")


def record(
    actor: User | None,
    action: str,
    object_type: str,
    object_id: Any = None,
    *,
    data: Any = None,
    subject: SubjectRef | None = None,
    instance_id: int | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Add one audit row for a state change or a refused attempt."""
    event = AuditEvent(
        user_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        subject_type=subject.type if subject else None,
        subject_key=subject.key if subject else None,
        instance_id=instance_id,
        data=None if data is None else json.dumps(data, ensure_ascii=False, default=str),
        ip=ip,
    )
    db.session.add(event)
    if is_denial(action):
        db.session.info.setdefault(_DENIALS, []).append((db.session().get_transaction(), event))
    return event


def _denial_recorded() -> bool:
    """Whether this transaction holds a denial row (not one rolled back or already committed)."""
    current = db.session().get_transaction()
    return any(
        txn is current and event in db.session for txn, event in db.session.info.get(_DENIALS, [])
    )


def ensure_denial_recorded(
    actor: User | None, path: str, method: str, message: str, ip: str | None = None
) -> None:
    """The one place every 403 passes (the web layer's error handlers): if the refusing code
    recorded no `denied.*` row in this transaction, record a generic `denied.request` — so
    every refused attempt is in the trail exactly once. The caller commits."""
    if not _denial_recorded():
        user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
        record(
            user,
            "denied.request",
            "page",
            path[:64],
            data={"method": method, "path": path[:500], "message": message[:300]},
            ip=ip,
        )
    db.session.info.pop(_DENIALS, None)


def events_for(subject: SubjectRef) -> list[AuditEvent]:
    """The subject's history, oldest first, with who did each (read together: one statement
    for all of them, not one per person)."""
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.subject_type == subject.type, AuditEvent.subject_key == subject.key)
            .options(selectinload(AuditEvent.user))
            .order_by(AuditEvent.id)
        )
    )

"""Writing the audit trail."""

import json
from typing import Any

from app.core.audit.models import AuditEvent
from app.core.subjects.services import SubjectRef
from app.core.users.models import User
from app.extensions import db


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
    return event


def events_for(subject: SubjectRef) -> list[AuditEvent]:
    """The subject's history, oldest first."""
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.subject_type == subject.type, AuditEvent.subject_key == subject.key)
            .order_by(AuditEvent.id)
        )
    )

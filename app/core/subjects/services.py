"""Subjects: what an instance, a task, a notification or an audit row is about.

The core knows a subject only as a type and a key (`SubjectRef`). The domain that owns a type
registers, at app start, how to describe one (the card the inbox shows) and which page shows it;
the core copies the card into the `subject` table when a process starts for the subject and
whenever one of its tasks completes, and the domain refreshes it after editing the subject.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from flask import url_for
from sqlalchemy.exc import IntegrityError

from app.core.subjects.models import Subject
from app.extensions import db


@dataclass(frozen=True)
class SubjectRef:
    """A subject by name: its type ("order", ...) and its key within that type."""

    type: str
    key: int


@dataclass(frozen=True)
class SubjectCard:
    """The facts an inbox shows about a subject."""

    reference: str
    customer: str = ""
    amount: Decimal | None = None
    currency: str = ""
    promised_on: date | None = None
    priority: str = ""


@dataclass(frozen=True)
class SubjectType:
    """How the owning domain describes a subject of this type and where it shows one."""

    describe: Callable[[int], SubjectCard | None]
    endpoint: str
    argument: str


_TYPES: dict[str, SubjectType] = {}
_CARD_FIELDS = ("reference", "customer", "amount", "currency", "promised_on", "priority")


def register_type(
    name: str, describe: Callable[[int], SubjectCard | None], endpoint: str, argument: str
) -> None:
    """A domain declares a subject type: describe(key) -> card (None if gone), and its page."""
    _TYPES[name] = SubjectType(describe, endpoint, argument)


def registered_types() -> tuple[str, ...]:
    """The subject types known to this app."""
    return tuple(_TYPES)


def ref_of(row: Any) -> SubjectRef | None:
    """The subject an instance, task, notification or audit row is about, if any."""
    if row is None or row.subject_type is None or row.subject_key is None:
        return None
    return SubjectRef(row.subject_type, row.subject_key)


def refresh(ref: SubjectRef | None) -> Subject | None:
    """Copy the subject's current card from its domain (creating the row the first time)."""
    if ref is None or ref.type not in _TYPES:
        return None
    card = _TYPES[ref.type].describe(ref.key)
    row = find(ref)
    if card is None:
        return row
    if row is None:
        row = _create(ref)
    # Only what changed is assigned: an unchanged card sends no UPDATE (refreshed_at, onupdate,
    # is when the card last changed), and leaves the row clean, so that the next query's
    # autoflush has nothing to look at.
    for name in _CARD_FIELDS:
        value = getattr(card, name)
        if getattr(row, name) != value:
            setattr(row, name, value)
    return row


def _create(ref: SubjectRef) -> Subject:
    """Insert the subject's row; when another transaction inserted it first, use theirs."""
    try:
        with db.session.begin_nested():
            row = Subject(type=ref.type, key=ref.key)
            db.session.add(row)
        return row
    except IntegrityError:
        return find(ref)


@cache
def _card_row():
    # Built once per process: every completion refreshes a card (docs/PERFORMANCE.md).
    return db.select(Subject).where(
        Subject.type == db.bindparam("type"), Subject.key == db.bindparam("key")
    )


def find(ref: SubjectRef) -> Subject | None:
    """The stored card of a subject, if one was written."""
    return db.session.scalars(_card_row(), {"type": ref.type, "key": ref.key}).first()


def url(subject_type: str | None, key: int | None) -> str | None:
    """The page that shows a subject, or None when its type has no page here."""
    kind = _TYPES.get(subject_type or "")
    if kind is None or key is None:
        return None
    return url_for(kind.endpoint, **{kind.argument: key})

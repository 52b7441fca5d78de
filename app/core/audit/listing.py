"""Reading the audit trail for the admin's audit page and its CSV export.

Filters come from the query string and are checked here (bad input becomes a message, never a
500); pages go newest first by id (keyset, so a deep page costs what the first does) and the
the export (views.py) reads them EXPORT_BATCH at a time, never holding them all.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _

from app import limits
from app.core.audit.models import AuditEvent, AuditSeal
from app.core.subjects.models import Subject
from app.core.users.models import User
from app.extensions import db

PAGE_SIZE = 50
EXPORT_BATCH = 1000
NO_USER = "none"  # the user filter's value for rows no user caused (the worker, failed logins)
TEXT_MAX = 100
# A subject reference prefix matches at most this many subjects (the first, by reference).
SUBJECTS_MAX = 200
# The dates a filter may name (a day at the edge of the calendar has no UTC start).
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2999, 12, 31)
# Offered in the action field (any prefix works): the families an auditor asks for first.
ACTION_HINTS = (
    "login",
    "login.failed",
    "login.locked",
    "logout",
    "denied.",
    "process.publish",
    "process.deploy",
    "migration.",
    "instance.migrate",
    "task.",
)


@dataclass
class AuditFilter:
    """What the page and the export show; empty fields filter nothing."""

    date_from: date | None = None
    date_to: date | None = None
    user: str = ""  # a user id, NO_USER, or empty
    action: str = ""  # a prefix of the action
    subject: str = ""  # a prefix of the subject's reference (an order number …)
    object_type: str = ""
    object_id: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def query_args(self) -> dict[str, str]:
        """The filter as query-string arguments (for paging and export links)."""
        args = {
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "user": self.user,
            "action": self.action,
            "subject": self.subject,
            "object_type": self.object_type,
            "object_id": self.object_id,
        }
        return {k: v for k, v in args.items() if v}


def _date(text: str, key: str, errors: dict[str, str]) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors[key] = _("Enter a date as YYYY-MM-DD.")
        return None
    if not FIRST_DAY <= day <= LAST_DAY:
        errors[key] = _(
            "Enter a date between %(first)s and %(last)s.",
            first=FIRST_DAY.isoformat(),
            last=LAST_DAY.isoformat(),
        )
        return None
    return day


def _text(args: Mapping[str, str], key: str, errors: dict[str, str]) -> str:
    text = (args.get(key) or "").strip()
    if len(text) > TEXT_MAX:
        errors[key] = _("Use at most %(n)s characters.", n=TEXT_MAX)
        return ""
    return text


def parse_filter(args: Mapping[str, str]) -> AuditFilter:
    """The filter the query string asks for; a bad field is dropped with a message in `errors`."""
    errors: dict[str, str] = {}
    found = AuditFilter(
        date_from=_date(args.get("from") or "", "from", errors),
        date_to=_date(args.get("to") or "", "to", errors),
        action=_text(args, "action", errors),
        subject=_text(args, "subject", errors),
        object_type=_text(args, "object_type", errors),
        object_id=_text(args, "object_id", errors),
    )
    user = (args.get("user") or "").strip()
    if user and user != NO_USER and limits.record_id(user) is None:
        errors["user"] = _("Choose a user from the list.")
    else:
        found.user = user
    if found.date_from and found.date_to and found.date_from > found.date_to:
        errors["to"] = _("The end date is before the start date.")
        found.date_to = None
    found.errors = errors
    return found


def _day_start(day: date) -> datetime:
    """The start of a factory day (config TIMEZONE) as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _conditions(flt: AuditFilter) -> list:
    where = []
    if flt.date_from:
        where.append(AuditEvent.at >= _day_start(flt.date_from))
    if flt.date_to:
        where.append(AuditEvent.at < _day_start(flt.date_to + timedelta(days=1)))
    if flt.user == NO_USER:
        where.append(AuditEvent.user_id.is_(None))
    elif flt.user:
        where.append(AuditEvent.user_id == int(flt.user))
    if flt.action:
        where.append(AuditEvent.action.like(_like_prefix(flt.action), escape="\\"))
    if flt.object_type:
        where.append(AuditEvent.object_type == flt.object_type)
    if flt.object_id:
        where.append(AuditEvent.object_id == flt.object_id)
    if flt.subject:
        where.append(_about_subjects(flt.subject))
    return where


def _about_subjects(reference: str):
    """Rows about the subjects whose reference starts so (looked up first, so the audit rows
    are found through their subject index rather than by testing every row)."""
    found = db.session.execute(
        db.select(Subject.type, Subject.key)
        .where(Subject.reference.like(_like_prefix(reference), escape="\\"))
        .order_by(Subject.reference)
        .limit(SUBJECTS_MAX)
    ).all()
    if not found:
        return db.false()
    return db.tuple_(AuditEvent.subject_type, AuditEvent.subject_key).in_(
        [(row.type, row.key) for row in found]
    )


@dataclass(frozen=True)
class AuditRow:
    """One row as the page and the export show it."""

    id: int
    at: datetime
    user_id: int | None
    username: str | None
    user_name: str | None
    action: str
    object_type: str
    object_id: str | None
    subject_type: str | None
    subject_key: int | None
    reference: str | None
    instance_id: int | None
    data: str | None
    ip: str | None
    sealed: bool


def _select(flt: AuditFilter):
    sealed = db.select(AuditSeal.id).where(AuditSeal.audit_id == AuditEvent.id).exists()
    reference = (
        db.select(Subject.reference)
        .where(Subject.type == AuditEvent.subject_type, Subject.key == AuditEvent.subject_key)
        .scalar_subquery()
    )
    return (
        db.select(
            AuditEvent.id,
            AuditEvent.at,
            AuditEvent.user_id,
            User.username,
            User.display_name.label("user_name"),
            AuditEvent.action,
            AuditEvent.object_type,
            AuditEvent.object_id,
            AuditEvent.subject_type,
            AuditEvent.subject_key,
            reference.label("reference"),
            AuditEvent.instance_id,
            AuditEvent.data,
            AuditEvent.ip,
            sealed.label("sealed"),
        )
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(*_conditions(flt))
    )


@dataclass(frozen=True)
class AuditPage:
    """One page, newest first, and the id to continue below (None on the last page)."""

    rows: list[AuditRow]
    next_before: int | None


def page(flt: AuditFilter, before: int | None = None, size: int = PAGE_SIZE) -> AuditPage:
    """The rows matching `flt` with ids below `before`, newest first."""
    query = _select(flt)
    if before is not None:
        query = query.where(AuditEvent.id < before)
    rows = [
        AuditRow(**{**row._asdict(), "sealed": bool(row.sealed)})
        for row in db.session.execute(query.order_by(AuditEvent.id.desc()).limit(size + 1))
    ]
    more = len(rows) > size
    rows = rows[:size]
    return AuditPage(rows, rows[-1].id if more else None)


def users() -> list[User]:
    """The users the filter offers, by name."""
    return list(db.session.scalars(db.select(User).order_by(User.username)))

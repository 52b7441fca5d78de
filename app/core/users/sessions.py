"""Signed-in sessions kept in the database, so that logging out or a password change ends them.

The session cookie is signed but stays valid for as long as the browser keeps it; what makes a
copy of it worthless is the `user_session` row it names, which is revoked here.
"""

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from flask_babel import gettext as _

from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.users.models import User, UserSession
from app.errors import Conflict, NotFound
from app.extensions import db

# last_seen_at is written at most this often per session, not on every request.
TOUCH_EVERY = timedelta(minutes=5)
# Revoked and idle rows are deleted this long after they stopped working.
KEEP_ENDED = timedelta(days=30)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User, ip: str | None, user_agent: str | None, idle: timedelta) -> str:
    """Record a new signed-in session for `user`; return the token its cookie must carry.

    The user's sessions that stopped working long ago are deleted on the way.
    """
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        UserSession(
            user_id=user.id,
            token_hash=_digest(token),
            created_at=now,
            last_seen_at=now,
            ip=ip,
            # Only shown to the user to recognise their browsers; the rest adds nothing.
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    db.session.execute(
        db.delete(UserSession).where(
            UserSession.user_id == user.id,
            db.or_(
                UserSession.last_seen_at < now - idle,
                UserSession.revoked_at < now - KEEP_ENDED,
            ),
        )
    )
    db.session.flush()
    return token


@cache
def _live_session():
    # Built once per process: composing this statement and its cache key cost more CPU than
    # running it, on every request (docs/PERFORMANCE.md, "round three").
    return (
        db.select(UserSession)
        .join(UserSession.user)
        .options(db.contains_eager(UserSession.user))  # the user comes with it: one query
        .where(
            UserSession.token_hash == db.bindparam("token_hash"),
            UserSession.user_id == db.bindparam("user_id"),
            UserSession.revoked_at.is_(None),
            User.active.is_(True),
        )
    )


def find(user_id: int, token: str | None, idle: timedelta) -> UserSession | None:
    """The live session of an active user named by a cookie, or None when it no longer works."""
    if not token:
        return None
    row = db.session.scalar(_live_session(), {"token_hash": _digest(token), "user_id": user_id})
    if row is None or row.last_seen_at < utcnow() - idle:
        return None
    return row


def touch(row: UserSession) -> bool:
    """Note that the session was used now; True when a write is needed (at most every 5 min)."""
    now = utcnow()
    if now - row.last_seen_at < TOUCH_EVERY:
        return False
    row.last_seen_at = now
    db.session.flush()
    return True


def end(token: str | None, reason: str = "logout") -> None:
    """Revoke the session a cookie names (logging out)."""
    if token:
        db.session.execute(
            db.update(UserSession)
            .where(UserSession.token_hash == _digest(token), UserSession.revoked_at.is_(None))
            .values(revoked_at=utcnow(), revoked_reason=reason)
        )


def revoke_all(user: User, reason: str, keep_token: str | None = None) -> int:
    """Revoke every live session of `user` except the one `keep_token` names; return how many."""
    query = db.update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
    )
    if keep_token:
        query = query.where(UserSession.token_hash != _digest(keep_token))
    result = db.session.execute(query.values(revoked_at=utcnow(), revoked_reason=reason))
    return result.rowcount or 0


def active_sessions(user: User, idle: timedelta) -> list[UserSession]:
    """The user's sessions that still work, most recently used first."""
    return list(
        db.session.scalars(
            db.select(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.revoked_at.is_(None),
                UserSession.last_seen_at >= utcnow() - idle,
            )
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


def is_current(row: UserSession, token: str | None) -> bool:
    """Whether `row` is the session the cookie `token` names."""
    return bool(token) and row.token_hash == _digest(token)


def sign_out_others(user: User, token: str | None) -> int:
    """The user ends all their other sessions (e.g. a browser left signed in elsewhere)."""
    count = revoke_all(user, "signed_out", keep_token=token)
    audit.record(user, "session.sign_out_others", "user", user.id, data={"sessions": count})
    db.session.flush()
    return count


def sign_out_one(user: User, session_id: int, token: str | None) -> None:
    """The user ends one of their own sessions; the current one is ended by logging out."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        raise NotFound(_("This session has already ended."))
    if is_current(row, token):
        raise Conflict(_("Use Log out to end the session you are using."))
    row.revoked_at = utcnow()
    row.revoked_reason = "signed_out"
    audit.record(user, "session.sign_out", "user", user.id, data={"session": row.id})
    db.session.flush()

"""Limits on failed log-ins, per account name and per client address.

The counters live in the `login_throttle` table, so every web process (and every host of a
PostgreSQL scale-out) sees the same counts. Names that belong to no account are counted like
real ones: a lock-out must not tell an attacker which accounts exist.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.columns import UTCDateTime
from app.core.submissions import uniqueness
from app.core.users.models import LoginThrottle, User
from app.extensions import db

ACCOUNT = "account"
ADDRESS = "address"


@dataclass(frozen=True)
class Limits:
    """How many failures within `window` lock an account name or an address, and for how long."""

    window: timedelta
    lockout: timedelta
    account_failures: int
    address_failures: int

    @classmethod
    def from_config(cls, config) -> "Limits":
        """The limits set in the app's configuration."""
        return cls(
            window=timedelta(minutes=config["LOGIN_WINDOW_MINUTES"]),
            lockout=timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"]),
            account_failures=config["LOGIN_ACCOUNT_FAILURES"],
            address_failures=config["LOGIN_ADDRESS_FAILURES"],
        )


@dataclass(frozen=True)
class Lockout:
    """A refusal: which counter tripped (`account` or `address`) and until when."""

    scope: str
    until: datetime


def account_key(username: str) -> str | None:
    """The counter key of a typed user name; None for text that cannot be a user name."""
    name = username.strip().lower()
    return name if 0 < len(name) <= 80 else None


def _keys(username: str, address: str | None) -> list[tuple[str, str]]:
    keys = []
    name = account_key(username)
    if name:
        keys.append((ACCOUNT, name))
    if address:
        keys.append((ADDRESS, address[:100]))
    return keys


def current_lockout(username: str, address: str | None) -> Lockout | None:
    """The lock-out that refuses this log-in before any password is checked, if one holds."""
    keys = _keys(username, address)
    if not keys:
        return None
    rows = db.session.scalars(
        db.select(LoginThrottle).where(
            db.tuple_(LoginThrottle.scope, LoginThrottle.key).in_(keys),
            LoginThrottle.locked_until > utcnow(),
        )
    ).all()
    if not rows:
        return None
    row = max(rows, key=lambda r: (r.scope == ACCOUNT, r.locked_until))
    return Lockout(row.scope, row.locked_until)


def _bump(scope: str, key: str, now: datetime, window: timedelta) -> int:
    """Add one failure to a counter in one statement (a new window if the old one is over)."""
    stale = LoginThrottle.window_started_at < now - window
    statement = (
        db.update(LoginThrottle)
        .where(LoginThrottle.scope == scope, LoginThrottle.key == key)
        .values(
            failures=db.case((stale, 1), else_=LoginThrottle.failures + 1),
            window_started_at=db.case(
                (stale, db.literal(now, UTCDateTime())), else_=LoginThrottle.window_started_at
            ),
        )
        .returning(LoginThrottle.failures)
        .execution_options(synchronize_session=False)
    )
    failures = db.session.execute(statement).scalar()
    if failures is not None:
        return failures
    try:
        with uniqueness.savepoint():
            db.session.add(LoginThrottle(scope=scope, key=key, failures=1, window_started_at=now))
        return 1
    except IntegrityError:  # another process counted the first failure at the same moment
        return db.session.execute(statement).scalar() or 1


def _lock(scope: str, key: str, now: datetime, limits: Limits, failures: int) -> Lockout:
    until = now + limits.lockout
    db.session.execute(
        db.update(LoginThrottle)
        .where(LoginThrottle.scope == scope, LoginThrottle.key == key)
        .values(locked_until=until, failures=0, window_started_at=now)
        .execution_options(synchronize_session=False)
    )
    facts = {"until": until.isoformat(), "failures": failures}
    if scope == ACCOUNT:
        user_id = db.session.scalar(db.select(User.id).where(User.username == key))
        if user_id is not None:
            audit.record(None, "login.locked", "user", user_id, data=facts)
        else:
            audit.record(None, "login.locked", "login_name", key, data=facts)
    else:
        audit.record(None, "login.locked", "address", key, data=facts, ip=key)
    return Lockout(scope, until)


def record_failure(username: str, address: str | None, limits: Limits) -> Lockout | None:
    """Count a failed log-in; return the lock-out it starts, if it reaches a limit."""
    now = utcnow()
    started = []
    for scope, key in _keys(username, address):
        limit = limits.account_failures if scope == ACCOUNT else limits.address_failures
        failures = _bump(scope, key, now, limits.window)
        if failures >= limit:
            started.append(_lock(scope, key, now, limits, failures))
    db.session.flush()
    return started[0] if started else None


def record_success(username: str) -> None:
    """A successful log-in clears the account's count (the address keeps its own)."""
    name = account_key(username)
    if name:
        db.session.execute(
            db.delete(LoginThrottle).where(
                LoginThrottle.scope == ACCOUNT, LoginThrottle.key == name
            )
        )


def locked_until(usernames: list[str]) -> dict[str, datetime]:
    """The accounts among `usernames` that are locked now, with the end of their lock."""
    if not usernames:
        return {}
    rows = db.session.execute(
        db.select(LoginThrottle.key, LoginThrottle.locked_until).where(
            LoginThrottle.scope == ACCOUNT,
            LoginThrottle.key.in_(usernames),
            LoginThrottle.locked_until > utcnow(),
        )
    )
    return {key: until for key, until in rows}


def unlock(actor: User, user: User) -> bool:
    """An admin lifts an account's lock-out and clears its count; False if it was not locked."""
    was_locked = bool(locked_until([user.username]))
    db.session.execute(
        db.delete(LoginThrottle).where(
            LoginThrottle.scope == ACCOUNT, LoginThrottle.key == user.username
        )
    )
    if was_locked:
        audit.record(actor, "user.unlock", "user", user.id)
    db.session.flush()
    return was_locked

"""Logging in and out: the limits on failures, the password check and the session record."""

from dataclasses import dataclass
from datetime import timedelta

from app.core.audit import services as audit
from app.core.users import accounts as users
from app.core.users import login_limits, sessions
from app.core.users.login_limits import Limits, Lockout
from app.core.users.models import User


@dataclass(frozen=True)
class LoginOutcome:
    """A signed-in user and their session token, or a refusal (with the lock-out, if any)."""

    user: User | None = None
    token: str | None = None
    lockout: Lockout | None = None


def log_in(
    username: str,
    password: str,
    address: str | None,
    user_agent: str | None,
    limits: Limits,
    idle: timedelta,
) -> LoginOutcome:
    """Check the limits, then the password; count a failure or start a session.

    During a lock-out even the right password is refused, and no password is checked.
    """
    lockout = login_limits.current_lockout(username, address)
    if lockout is not None:
        return LoginOutcome(lockout=lockout)
    user = users.authenticate(username, password)
    if user is None:
        lockout = login_limits.record_failure(username, address, limits)
        audit.record(
            None, "login.failed", "user", None, data={"username": username[:80]}, ip=address
        )
        return LoginOutcome(lockout=lockout)
    login_limits.record_success(username)
    token = sessions.start(user, address, user_agent, idle)
    audit.record(user, "login", "user", user.id, ip=address)
    return LoginOutcome(user=user, token=token)


def log_out(user: User, token: str | None, address: str | None) -> None:
    """End the session the cookie names, so a copy of the cookie stops working too."""
    sessions.end(token)
    audit.record(user, "logout", "user", user.id, ip=address)

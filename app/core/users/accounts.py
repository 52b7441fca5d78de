"""Accounts: authentication, and the admin's management of users and departments."""

import re
import secrets
from datetime import datetime

from flask_babel import gettext as _

from app import limits
from app.core.audit import services as audit
from app.core.notifications import services as notifications
from app.core.submissions import uniqueness
from app.core.users import login_limits, permissions, sessions
from app.core.users.models import ROLES, Department, User, check_no_password
from app.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.extensions import db

MIN_PASSWORD = 8
_USERNAME = re.compile(r"[a-z0-9_.-]{2,80}")


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None (same answer for every kind of failure)."""
    user = db.session.scalar(db.select(User).where(User.username == username.strip().lower()))
    if user is None:
        check_no_password(password)  # the same work as a wrong password for a real account
        return None
    # The hash is checked for deactivated accounts too: every failure costs the same work.
    if not user.check_password(password) or not user.active:
        return None
    return user


def _require_admin(actor: User, action: str, object_type: str, object_id: object = None) -> None:
    """Refuse (and audit) anyone but an admin: only admins manage users and departments."""
    if permissions.is_admin(actor):
        return
    audit.record(actor, "denied." + action, object_type, object_id)
    db.session.flush()
    raise PermissionDenied(_("Only administrators manage users and departments."))


def _check_password(password: str, errors: dict, key: str = "password") -> None:
    if len(password) < MIN_PASSWORD:
        errors[key] = _("Use at least %(n)s characters.", n=MIN_PASSWORD)


def _department(dept_id: str, errors: dict) -> Department | None:
    if not dept_id:
        return None
    number = limits.record_id(dept_id)
    dept = db.session.get(Department, number) if number is not None else None
    if dept is None:
        errors["department_id"] = _("Choose a department.")
    return dept


def create_user(
    actor: User,
    username: str,
    display_name: str,
    password: str,
    department_id: str,
    role: str,
    is_admin: bool = False,
    is_process_owner: bool = False,
    email: str | None = None,
) -> User:
    """Create an account; the user must change the given password at first login."""
    _require_admin(actor, "user.create", "user")
    errors: dict[str, str] = {}
    username = username.strip().lower()
    if not _USERNAME.fullmatch(username):
        errors["username"] = _("Use 2-80 lower-case letters, digits, dots, dashes or underscores.")
    elif db.session.scalar(db.select(User.id).where(User.username == username)):
        errors["username"] = _("This user name is taken.")
    if not display_name.strip():
        errors["display_name"] = _("Enter the person's name.")
    if role not in ROLES:
        errors["role"] = _("Choose a role.")
    _check_password(password, errors)
    dept = _department(department_id, errors)
    address = notifications.clean_email(email, errors)
    if errors:
        raise InvalidInput(errors=errors)
    # Built inside the savepoint: joining the department would flush it before the savepoint.
    with uniqueness.refuse_duplicate("username", _("This user name is taken.")):
        user = User(
            username=username,
            display_name=display_name.strip(),
            department=dept,
            role=role,
            is_admin=is_admin,
            is_process_owner=is_process_owner,
            must_change_password=True,
            email=address,
        )
        user.set_password(password)
        db.session.add(user)
    audit.record(actor, "user.create", "user", user.id, data=_user_facts(user))
    return user


def update_user(
    actor: User,
    user_id: int,
    display_name: str,
    department_id: str,
    role: str,
    is_admin: bool,
    is_process_owner: bool,
    email: str | None = None,
) -> User:
    """Change a user's name, department, role, flags and (unless None) mail address."""
    _require_admin(actor, "user.update", "user", user_id)
    user = get_user(user_id)
    errors: dict[str, str] = {}
    if not display_name.strip():
        errors["display_name"] = _("Enter the person's name.")
    if role not in ROLES:
        errors["role"] = _("Choose a role.")
    dept = _department(department_id, errors)
    if user.id == actor.id and not is_admin:
        errors["is_admin"] = _("You cannot remove your own admin rights.")
    address = notifications.clean_email(email, errors) if email is not None else user.email
    if errors:
        raise InvalidInput(errors=errors)
    before = _user_facts(user)
    user.display_name = display_name.strip()
    user.department = dept
    user.role = role
    user.is_admin = is_admin
    user.is_process_owner = is_process_owner
    user.email = address
    db.session.flush()
    audit.record(
        actor, "user.update", "user", user.id, data={"before": before, "after": _user_facts(user)}
    )
    return user


def set_active(actor: User, user_id: int, active: bool) -> User:
    """Deactivate (or reactivate) an account; history stays attached to it."""
    _require_admin(actor, "user.activate", "user", user_id)
    user = get_user(user_id)
    if user.id == actor.id and not active:
        raise Conflict(_("You cannot deactivate your own account."))
    user.active = active
    if not active:
        sessions.revoke_all(user, "deactivated")
    audit.record(actor, "user.activate" if active else "user.deactivate", "user", user.id)
    db.session.flush()
    return user


def reset_password(actor: User, user_id: int) -> tuple[User, str]:
    """Give a user a new random password that they must change at next login."""
    _require_admin(actor, "user.reset_password", "user", user_id)
    user = get_user(user_id)
    temporary = secrets.token_urlsafe(9)
    user.set_password(temporary)
    user.must_change_password = True
    sessions.revoke_all(user, "password_reset")
    audit.record(actor, "user.reset_password", "user", user.id)
    db.session.flush()
    return user, temporary


def unlock_account(actor: User, user_id: int) -> tuple[User, bool]:
    """An admin lifts a log-in lock-out; returns the user and whether it was locked."""
    _require_admin(actor, "user.unlock", "user", user_id)
    user = get_user(user_id)
    return user, login_limits.unlock(actor, user)


def lockouts(accounts: list[User]) -> dict[str, datetime]:
    """The end of the lock-out of each locked account among `accounts`, by user name."""
    return login_limits.locked_until([user.username for user in accounts])


def change_password(
    user: User, current: str, new: str, confirm: str, keep_token: str | None = None
) -> None:
    """A user changes their own password; their other sessions end (`keep_token`'s stays)."""
    errors: dict[str, str] = {}
    if not user.check_password(current):
        errors["current"] = _("The current password is wrong.")
    _check_password(new, errors, "new")
    if new != confirm:
        errors["confirm"] = _("The two new passwords differ.")
    elif new and new == current:
        errors["new"] = _("Choose a password different from the current one.")
    if errors:
        raise InvalidInput(errors=errors)
    user.set_password(new)
    user.must_change_password = False
    sessions.revoke_all(user, "password_change", keep_token=keep_token)
    audit.record(user, "user.change_password", "user", user.id)
    db.session.flush()


def create_department(actor: User, key: str, name_en: str, name_zh: str) -> Department:
    """Add a department; BPMN lanes may then name it by key or either name."""
    _require_admin(actor, "department.create", "department")
    errors: dict[str, str] = {}
    key = key.strip().lower()
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,39}", key):
        errors["key"] = _(
            "Use 2-40 lower-case letters, digits or underscores, starting with a letter."
        )
    elif db.session.scalar(db.select(Department.id).where(Department.key == key)):
        errors["key"] = _("This key is taken.")
    if not name_en.strip():
        errors["name_en"] = _("Enter the English name.")
    if not name_zh.strip():
        errors["name_zh"] = _("Enter the Chinese name.")
    if errors:
        raise InvalidInput(errors=errors)
    dept = Department(key=key, name_en=name_en.strip(), name_zh=name_zh.strip())
    with uniqueness.refuse_duplicate("key", _("This key is taken.")):
        db.session.add(dept)
    audit.record(actor, "department.create", "department", dept.id, data={"key": key})
    return dept


def get_user(user_id: int) -> User:
    """One user or NotFound."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("This user does not exist."))
    return user


def list_users() -> list[User]:
    """Every user, by department then name."""
    return list(db.session.scalars(db.select(User).order_by(User.department_id, User.username)))


def _user_facts(user: User) -> dict:
    return {
        "username": user.username,
        "department": user.department.key if user.department else None,
        "role": user.role,
        "admin": user.is_admin,
        "process_owner": user.is_process_owner,
        "active": user.active,
        "email": bool(user.email),  # whether mail can reach them; the address stays out
    }

"""Logging in and out, and the language switch."""

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app import limits
from app.core.clock import utcnow
from app.core.users import logins, sessions
from app.core.users.login_limits import ACCOUNT, Limits, Lockout
from app.core.users.models import User
from app.core.web import commit
from app.extensions import db
from app.i18n import local_datetime

bp = Blueprint("auth", __name__, template_folder="../templates")
# The session cookie's key for the token of the `user_session` row it belongs to.
SESSION_TOKEN = "session_token"


def idle_limit() -> timedelta:
    """How long a signed-in browser may go unused before it must log in again."""
    return timedelta(days=current_app.config["SESSION_IDLE_DAYS"])


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the user only while the session the cookie names is live."""
    if limits.record_id(user_id) is None:
        return None
    row = sessions.find(int(user_id), session.get(SESSION_TOKEN), idle_limit())
    if row is None:
        return None
    if sessions.touch(row):
        # Runs before any view (the password-change hook asks for current_user first), so the
        # only change in this transaction is the time stamp.
        db.session.commit()
    return row.user


def _lockout_message(lockout: Lockout) -> str:
    until = local_datetime(lockout.until)
    if lockout.scope == ACCOUNT:
        return _(
            "Too many failed log-ins: this account is locked until %(time)s. "
            "Try again then, or ask an administrator to unlock it.",
            time=until,
        )
    return _(
        "Too many failed log-ins from your network address: log-ins from it are blocked "
        "until %(time)s.",
        time=until,
    )


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and sign the user in; they land on their department's inbox."""
    if current_user.is_authenticated:
        return redirect(url_for("inbox.index"))
    if request.method == "GET":
        return render_template("auth/login.html", error=None)
    outcome = logins.log_in(
        request.form.get("username", ""),
        request.form.get("password", ""),
        request.remote_addr,
        request.user_agent.string,
        Limits.from_config(current_app.config),
        idle_limit(),
    )
    commit()
    if outcome.user is not None:
        login_user(outcome.user)
        session[SESSION_TOKEN] = outcome.token
        return redirect(_safe_next(request.args.get("next")) or url_for("inbox.index"))
    if outcome.lockout is None:
        error = _("Wrong user name or password, or the account is deactivated.")
        return render_template("auth/login.html", error=error), 401
    seconds = max(1, int((outcome.lockout.until - utcnow()).total_seconds()))
    page = render_template("auth/login.html", error=_lockout_message(outcome.lockout))
    return page, 429, {"Retry-After": str(seconds)}


@bp.post("/logout")
@login_required
def logout():
    """Sign out; the session's record is revoked, so a kept copy of the cookie stops working."""
    logins.log_out(current_user, session.get(SESSION_TOKEN), request.remote_addr)
    commit()
    logout_user()
    session.pop(SESSION_TOKEN, None)
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language():
    """Switch the interface language (kept in the session, and on the user for their mail)."""
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated and current_user.locale != lang:
            current_user.locale = lang  # mail and digests are written in the reader's language
            commit()
    return redirect(_safe_next(request.form.get("next")) or url_for("inbox.index"))


@bp.get("/")
def root():
    """The home page is the inbox."""
    return redirect(url_for("inbox.index"))

"""Logging in and out, and the language switch."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.services import audit, users
from app.web import commit

bp = Blueprint("auth", __name__)


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
    error = None
    if request.method == "POST":
        username = request.form.get("username", "")
        user = users.authenticate(username, request.form.get("password", ""))
        if user is None:
            error = _("Wrong user name or password, or the account is deactivated.")
            audit.record(
                None,
                "login.failed",
                "user",
                None,
                data={"username": username[:80]},
                ip=request.remote_addr,
            )
            commit()
        else:
            login_user(user)
            audit.record(user, "login", "user", user.id, ip=request.remote_addr)
            commit()
            return redirect(_safe_next(request.args.get("next")) or url_for("inbox.index"))
    return render_template("auth/login.html", error=error), (401 if error else 200)


@bp.post("/logout")
@login_required
def logout():
    """Sign out."""
    logout_user()
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language():
    """Switch the interface language (kept in the session)."""
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(_safe_next(request.form.get("next")) or url_for("inbox.index"))


@bp.get("/")
def root():
    """The home page is the inbox."""
    return redirect(url_for("inbox.index"))

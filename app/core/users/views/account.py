"""A user's own account: changing the password, and the browsers signed in to it."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.users import accounts as users
from app.core.users import sessions
from app.core.users.views.auth import SESSION_TOKEN, idle_limit
from app.core.web import commit, submit

bp = Blueprint("account", __name__, url_prefix="/account", template_folder="../templates")


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password (forced after an admin reset); other sessions end."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        _done, errors = submit(
            lambda: users.change_password(
                current_user,
                request.form.get("current", ""),
                request.form.get("new", ""),
                request.form.get("confirm", ""),
                keep_token=session.get(SESSION_TOKEN),
            )
        )
        if not errors:
            flash(_("Your password was changed."), "success")
            return redirect(url_for("inbox.index"))
    return render_template("account/password.html", errors=errors), (400 if errors else 200)


@bp.get("/sessions")
@login_required
def session_list():
    """The browsers signed in to this account, this one marked."""
    token = session.get(SESSION_TOKEN)
    rows = sessions.active_sessions(current_user, idle_limit())
    return render_template(
        "account/sessions.html",
        sessions=[(row, sessions.is_current(row, token)) for row in rows],
    )


@bp.post("/sessions/others")
@login_required
def sign_out_others():
    """End every other session of this account."""
    count = sessions.sign_out_others(current_user, session.get(SESSION_TOKEN))
    commit()
    flash(_("The other sessions were signed out (%(n)s).", n=count), "success")
    return redirect(url_for("account.session_list"))


@bp.post("/sessions/<int:session_id>/end")
@login_required
def sign_out_one(session_id: int):
    """End one other session of this account."""
    sessions.sign_out_one(current_user, session_id, session.get(SESSION_TOKEN))
    commit()
    flash(_("The session was signed out."), "success")
    return redirect(url_for("account.session_list"))

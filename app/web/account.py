"""A user's own account: changing the password."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.services import users
from app.web import submit

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password (forced after an admin reset)."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        _done, errors = submit(
            lambda: users.change_password(
                current_user,
                request.form.get("current", ""),
                request.form.get("new", ""),
                request.form.get("confirm", ""),
            )
        )
        if not errors:
            flash(_("Your password was changed."), "success")
            return redirect(url_for("inbox.index"))
    return render_template("account/password.html", errors=errors), (400 if errors else 200)

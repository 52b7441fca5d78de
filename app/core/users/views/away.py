"""The out-of-office page: away for a range of days, with a substitute (app/core/users/away.py)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import limits
from app.core.users import away
from app.core.web import commit, submit

bp = Blueprint("away", __name__, url_prefix="/account/away", template_folder="../templates")


@bp.route("", methods=["GET", "POST"])
@login_required
def index():
    """List my ranges and add one; a bad range is shown with its message, nothing saved."""
    errors: dict[str, str] = {}
    values = request.form if request.method == "POST" else {}
    if request.method == "POST":
        _row, errors = submit(
            lambda: away.add(
                current_user,
                limits.record_id(request.form.get("substitute_id")),
                request.form.get("starts_on"),
                request.form.get("ends_on"),
                request.form.get("note"),
                request.remote_addr,
            )
        )
        if not errors:
            flash(_("Your out-of-office was saved."), "success")
            return redirect(url_for("away.index"))
    return render_template(
        "account/away.html",
        ranges=away.ranges_of(current_user),
        standing_in=away.standing_in_for(current_user),
        users=away.substitutes_for(current_user),
        errors=errors,
        values=values,
        note_length=away.NOTE_LENGTH,
    ), (400 if errors else 200)


@bp.post("/<int:away_id>/delete")
@login_required
def delete(away_id: int):
    """Delete one of my ranges."""
    away.remove(current_user, away_id, request.remote_addr)
    commit()
    flash(_("The out-of-office was deleted."), "success")
    return redirect(url_for("away.index"))

"""The user's in-app notifications."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.core.notifications import services as notifications
from app.core.web import commit

bp = Blueprint("notifications", __name__, url_prefix="/notifications", template_folder="templates")


@bp.get("")
@login_required
def index():
    """The newest notifications, unread first shown highlighted."""
    return render_template("notifications/index.html", items=notifications.for_user(current_user))


@bp.post("/read")
@login_required
def read_all():
    """Mark everything as read."""
    notifications.mark_all_read(current_user)
    commit()
    return redirect(url_for("notifications.index"))

"""Send a task back (退回) and withdraw a request (撤回): the forms on the task page post here.

htmx posts answer with a message fragment (errors) or an HX-Redirect (done); plain posts
flash the message and redirect, so both work without JavaScript.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import limits
from app.core.subjects import services as subjects
from app.core.tasks import inbox, sendback
from app.core.tasks import withdraw as withdrawing
from app.core.web import commit, wants_fragment
from app.errors import InvalidInput
from app.extensions import db
from app.i18n import current_locale

bp = Blueprint("task_sendback", __name__, url_prefix="/tasks", template_folder="../templates")


def _answer(url: str, message: str, category: str = "success", status: int = 200):
    """htmx: an error message in place, or a redirect after success; else flash + redirect."""
    if wants_fragment() and category == "error":
        return render_template("partials/message.html", message=message), status
    flash(message, category)
    if wants_fragment():
        return "", 204, {"HX-Redirect": url}
    return redirect(url)


@bp.post("/<int:task_id>/send-back")
@login_required
def send_back(task_id: int):
    """Send the task back to an earlier step with a reason."""
    target_id = limits.record_id(request.form.get("target_id"))
    try:
        target = sendback.send_back(
            task_id, current_user, target_id, request.form.get("reason"), request.remote_addr
        )
    except InvalidInput as exc:
        db.session.rollback()
        message = next(iter(exc.errors.values()), exc.message)
        return _answer(url_for("tasks.detail", task_id=task_id), message, "error", 400)
    commit()
    step = target.display_name(current_locale())
    return _answer(url_for("inbox.index"), _("Sent back to “%(step)s”.", step=step))


@bp.post("/<int:task_id>/withdraw")
@login_required
def withdraw(task_id: int):
    """The requester withdraws the request the task's process carries."""
    task = inbox.get_task(task_id)
    try:
        withdrawing.withdraw(
            task.instance_id, current_user, request.form.get("reason"), request.remote_addr
        )
    except InvalidInput as exc:
        db.session.rollback()
        message = next(iter(exc.errors.values()), exc.message)
        return _answer(url_for("tasks.detail", task_id=task_id), message, "error", 400)
    commit()
    back = subjects.url(task.subject_type, task.subject_key) or url_for("inbox.index")
    return _answer(back, _("Your request was withdrawn."))

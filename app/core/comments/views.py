"""Comments on a task (the form on the task page posts here) and their files' downloads."""

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.comments import services as comments
from app.core.tasks import registry
from app.core.tasks.inbox import get_task
from app.core.web import commit, wants_fragment
from app.errors import InvalidInput
from app.extensions import db

bp = Blueprint("comments", __name__, template_folder="templates")


def _list(task, status: int = 200, error: str | None = None):
    """The task's comments as the task page shows them (what htmx swaps in)."""
    panel = comments.task_panels(task, registry.TaskPage(viewer=current_user, can_act=False))[0]
    return render_template(panel.template, **panel.context, error=error), status


@bp.post("/tasks/<int:task_id>/comments")
@login_required
def add(task_id: int):
    """Add a comment with @mentions and files to the task."""
    try:
        comments.add_comment(
            task_id,
            current_user,
            request.form.get("body"),
            request.files.getlist("files"),
            request.remote_addr,
        )
    except InvalidInput as exc:
        db.session.rollback()
        message = next(iter(exc.errors.values()), exc.message)
        if wants_fragment():
            return _list(get_task(task_id), 400, message)
        flash(message, "error")
        return redirect(url_for("tasks.detail", task_id=task_id) + "#comments")
    commit()
    if wants_fragment():
        return _list(get_task(task_id))
    flash(_("Your comment was added."), "success")
    return redirect(url_for("tasks.detail", task_id=task_id) + "#comments")


@bp.get("/comments/files/<int:file_id>")
@login_required
def file(file_id: int):
    """Download a comment's file (for who may read the comment)."""
    found, path = comments.get_file(file_id, current_user, request.remote_addr)
    return send_file(
        path, mimetype=found.content_type, as_attachment=True, download_name=found.file_name
    )

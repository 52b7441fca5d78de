"""Approval actions on the task page (docs/TASK_ACTIONS.md): transfer, delegate and take back,
answer a co-sign or delegation, add or take back a co-signer, copy; the copies page.

Claim, give back and assign stay on app/core/tasks/views/tasks.py (they call the same rules in
app/core/tasks/actions.py). A refused input is shown as a message and nothing changes; a denial
is audited and shown by the app's error handler.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import limits
from app.core.tasks import actions, copies, delegation
from app.core.web import commit, wants_fragment
from app.errors import InvalidInput
from app.extensions import db

bp = Blueprint("task_actions", __name__, url_prefix="/tasks", template_folder="../templates")


def _run(task_id: int, action, done: str, target: str | None = None):
    """Run one action; a refused input becomes a message on the task page, nothing changed."""
    try:
        action()
    except InvalidInput as exc:
        db.session.rollback()
        message = exc.message if not exc.errors else "; ".join(exc.errors.values())
        if wants_fragment():
            return render_template("partials/message.html", message=message), 400
        flash(message, "error")
        return redirect(url_for("tasks.detail", task_id=task_id))
    commit()
    if wants_fragment():
        return "", 204, {"HX-Redirect": target or url_for("tasks.detail", task_id=task_id)}
    flash(done, "success")
    return redirect(target or url_for("tasks.detail", task_id=task_id))


def _ip():
    return request.remote_addr


@bp.post("/<int:task_id>/transfer")
@login_required
def transfer(task_id: int):
    """转办: hand the task to a colleague, with a reason."""
    to = limits.record_id(request.form.get("user_id"))
    return _run(
        task_id,
        lambda: actions.transfer(task_id, current_user, to, request.form.get("reason"), _ip()),
        _("The task was transferred."),
        url_for("inbox.index"),
    )


@bp.post("/<int:task_id>/delegate")
@login_required
def delegate(task_id: int):
    """委派: ask someone to answer; the task comes back."""
    to = limits.record_id(request.form.get("user_id"))
    return _run(
        task_id,
        lambda: delegation.delegate(task_id, current_user, to, request.form.get("note"), _ip()),
        _("The task was delegated; it comes back to you when they answer."),
    )


@bp.post("/<int:task_id>/delegate/recall")
@login_required
def recall(task_id: int):
    """Take a delegated task back before the delegate answered."""
    return _run(
        task_id,
        lambda: delegation.recall_delegation(task_id, current_user, _ip()),
        _("The task is back with you."),
    )


@bp.post("/<int:task_id>/cosign")
@login_required
def add_cosigner(task_id: int):
    """加签: add a co-signer before or after me."""
    to = limits.record_id(request.form.get("user_id"))
    return _run(
        task_id,
        lambda: actions.add_cosigner(
            task_id,
            current_user,
            to,
            request.form.get("position"),
            request.form.get("note"),
            _ip(),
        ),
        _("The co-signer was added."),
    )


@bp.post("/<int:task_id>/cosign/<int:cosign_id>/cancel")
@login_required
def cancel_cosigner(task_id: int, cosign_id: int):
    """Take a co-sign back."""
    return _run(
        task_id,
        lambda: actions.cancel_cosigner(cosign_id, current_user, _ip()),
        _("The co-sign was taken back."),
    )


@bp.post("/<int:task_id>/answer")
@login_required
def answer(task_id: int):
    """Answer a co-sign or a delegation with an opinion."""
    return _run(
        task_id,
        lambda: delegation.answer(
            task_id,
            current_user,
            request.form.get("decision"),
            request.form.get("opinion"),
            _ip(),
        ),
        _("Your answer was sent."),
        url_for("inbox.index"),
    )


@bp.post("/<int:task_id>/copy")
@login_required
def copy(task_id: int):
    """抄送: show the task to others for information."""
    ids = [limits.record_id(v) for v in request.form.getlist("recipient_ids")]
    if any(i is None for i in ids):
        ids = [None]  # a value that names nobody is refused like an unknown user
    return _run(
        task_id,
        lambda: copies.copy(task_id, current_user, ids, request.form.get("note"), _ip()),
        _("The task was copied."),
    )


@bp.get("/shared")
@login_required
def shared():
    """What was copied to me, read-only."""
    return render_template("tasks/shared.html", copies=copies.shared_with(current_user))

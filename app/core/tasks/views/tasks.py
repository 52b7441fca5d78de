"""A task page: the task, its form and what the subject's domain shows about it (registry
panels); claim, give back, assign, complete."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import limits
from app.core.processes import form_views, forms
from app.core.tasks import action_page, actions, copies, inbox, registry
from app.core.tasks import completion as tasks
from app.core.users import permissions
from app.core.web import commit, panels, wants_fragment
from app.errors import InvalidInput
from app.extensions import db
from app.i18n import current_locale

bp = Blueprint("tasks", __name__, url_prefix="/tasks", template_folder="../templates")


def _render(task, values=None, errors=None, status=200):
    doc = tasks.form_document(task)
    locale = current_locale()
    fields = forms.field_views(doc, locale, values, errors) if doc else []
    can_act = inbox.may_act(current_user, task)
    page = registry.TaskPage(
        viewer=current_user, can_act=can_act, values=values, errors=errors or {}
    )
    return render_template(
        "tasks/detail.html",
        task=task,
        values=values,
        **panels.page_context(registry.task_panels(task, page)),
        fields=fields,
        form_title=forms.form_title(doc, locale) if doc else task.display_name(locale),
        errors=errors or {},
        can_act=can_act,
        is_head=current_user.is_head and current_user.department_id == task.department_id,
        members=inbox.members_for(task),
        acts=action_page.page_facts(task, current_user),  # tasks/_task_actions.html
        may_see_prices=permissions.can_see_prices(current_user),  # tasks/_subject_facts.html
    ), status


@bp.get("/<int:task_id>")
@login_required
def detail(task_id: int):
    """Show the task with its order, history and form."""
    task = inbox.get_task(task_id)
    copies.mark_copies_read(current_user, task.id)  # a copy 抄送 to the viewer is now read
    commit()
    return _render(task)


def _done(task_id: int, message: str):
    if wants_fragment():
        return render_template("partials/message.html", message=message)
    flash(message, "success")
    return redirect(url_for("tasks.detail", task_id=task_id))


@bp.post("/<int:task_id>/claim")
@login_required
def claim(task_id: int):
    """Claim the task."""
    actions.claim(task_id, current_user, request.remote_addr)
    commit()
    return _done(task_id, _("You claimed this task."))


@bp.post("/<int:task_id>/unclaim")
@login_required
def unclaim(task_id: int):
    """Give the task back to the department."""
    actions.unclaim(task_id, current_user, request.remote_addr)
    commit()
    return _done(task_id, _("The task is back in the department's inbox."))


@bp.post("/<int:task_id>/assign")
@login_required
def assign(task_id: int):
    """A department head assigns the task to a member."""
    assignee_id = limits.record_id(request.form.get("assignee_id"))
    if assignee_id is None:
        flash(_("Choose a member to assign the task to."), "error")
        return redirect(url_for("tasks.detail", task_id=task_id))
    task = actions.assign(task_id, current_user, assignee_id, request.remote_addr)
    commit()
    return _done(task_id, _("Assigned to %(name)s.", name=task.assignee.display_name))


def _after_completion(task, step: str) -> str:
    """Say what happened, not just "moved on": what the process waits for now (other
    departments' parallel reviews included), or that it ended, or that it waits for an event."""
    locale = current_locale()
    waiting = tasks.open_after(task)
    if waiting:
        names = "、" if locale.startswith("zh") else ", "
        listed = names.join(
            f"{row.display_name(locale)} ({row.department.display_name(locale)})"
            if row.department
            else row.display_name(locale)
            for row in waiting
        )
        return _(
            "“%(step)s” is done. The process now waits for: %(steps)s.", step=step, steps=listed
        )
    if task.instance.status == "completed":
        return _("“%(step)s” is done. The process is complete.", step=step)
    return _(
        "“%(step)s” is done. The process now waits for an event (a customer's answer or a "
        "timer), not for a task.",
        step=step,
    )


def _errors_in_a_line(task_id: int, exc: InvalidInput) -> str:
    """The form's errors as one message, each named by its field's label (no form around it)."""
    doc = tasks.form_document(inbox.get_task(task_id))
    locale = current_locale()
    parts = [
        f"{form_views.field_label(doc, name, locale)}: {message}"
        if not name.startswith("_")
        else str(message)
        for name, message in exc.errors.items()
    ]
    return " ".join(parts) or exc.message


@bp.post("/<int:task_id>/complete")
@login_required
def complete(task_id: int):
    """Validate the form and complete the task; on errors, re-render with what was typed."""
    try:
        task = tasks.complete_task(task_id, current_user, request.form, request.remote_addr)
    except InvalidInput as exc:
        db.session.rollback()
        if wants_fragment():  # a form elsewhere (the approvals page): the message in place
            return render_template(
                "partials/message.html", message=_errors_in_a_line(task_id, exc), error=True
            ), 400
        return _render(inbox.get_task(task_id), request.form, exc.errors, 400)
    # Worded before the commit, from what this transaction already holds: after it every row
    # would be expired and read again (the user, the task, in a second transaction).
    step = task.display_name(current_locale())
    if task.state == "waiting":  # held for the co-signers after me (docs/TASK_ACTIONS.md)
        message = _("“%(step)s” waits for the co-signers after you to agree.", step=step), "info"
    else:
        message = _after_completion(task, step), "success"
    commit()
    flash(*message)
    back = request.form.get("next", "")
    target = back if back.startswith("/") and not back.startswith("//") else url_for("inbox.index")
    if wants_fragment():
        return "", 204, {"HX-Redirect": target}
    return redirect(target)

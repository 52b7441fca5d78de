"""A task page: the order, its history, the task's form; claim, give back, assign, complete."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import limits
from app.core.processes import forms
from app.core.tasks import completion as tasks
from app.core.tasks import inbox
from app.core.users import permissions
from app.core.web import commit, wants_fragment
from app.errors import InvalidInput
from app.extensions import db
from app.i18n import current_locale
from app.modules.changes.services import changes
from app.modules.confirmations.services import confirmations
from app.modules.orders import hooks as task_effects
from app.modules.orders.labels import SPEC_LABELS
from app.modules.orders.services import access, orders, reviews
from app.modules.rush.services import rush

bp = Blueprint("tasks", __name__, url_prefix="/tasks", template_folder="../templates")


def history(order_id: int | None, viewer) -> list[dict]:
    """Completed steps of the order with their submitted data, as this reader may see them."""
    if order_id is None:
        return []
    locale = current_locale()
    steps = []
    for task in orders.order_tasks(order_id):
        if task.state != "completed":
            continue
        doc = tasks.form_document(task)
        data = tasks.submitted_data(task)
        fields = forms.field_views(doc, locale, data) if doc else []
        steps.append({"task": task, "fields": permissions.visible_fields(viewer, fields)})
    return steps


def _change_info(task) -> dict | None:
    change = changes.for_instance(task.instance_id)
    return changes.view(change, current_user) if change is not None else None


def _rush_info(task) -> dict | None:
    found = rush.for_instance(task.instance_id)
    if found is None:
        return None
    preview, problem = rush.live(found)
    return {"rush": found, "preview": preview, "problem": problem}


REVIEW_CONTEXT_STEPS = ("sales_revise", "pmc_consolidate", "review_meeting")


def _render(task, values=None, errors=None, status=200):
    doc = tasks.form_document(task)
    locale = current_locale()
    fields = forms.field_views(doc, locale, values, errors) if doc else []
    estimating = task.spec_name in task_effects.ESTIMATING_STEPS
    return render_template(
        "tasks/detail.html",
        task=task,
        values=values,
        task_line=task_effects.task_line(task) if task.context else None,
        spec_labels=list(SPEC_LABELS.items()),
        estimate_lines=task_effects.nonstandard_lines(task.order) if estimating else [],
        production_lines=task_effects.production_lines() if estimating else [],
        show_reviews=task.spec_name in REVIEW_CONTEXT_STEPS and task.order is not None,
        change_info=_change_info(task),
        rush_info=_rush_info(task),
        confirmation_step=(
            confirmations.confirmations_of(task.order)
            if task.spec_name == confirmations.ANSWERED_STEP and task.order is not None
            else None
        ),
        reviews=reviews.latest_reviews(task.order) if task.order is not None else [],
        order=task.order,
        prices=access.order_prices(current_user, task.order) if task.order else None,
        may_see_prices=permissions.can_see_prices(current_user),
        fields=fields,
        form_title=forms.form_title(doc, locale) if doc else task.display_name(locale),
        errors=errors or {},
        steps=history(task.order_id, current_user),
        can_act=inbox.may_act(current_user, task),
        is_head=current_user.is_head and current_user.department_id == task.department_id,
        members=inbox.members_for(task),
    ), status


@bp.get("/<int:task_id>")
@login_required
def detail(task_id: int):
    """Show the task with its order, history and form."""
    return _render(inbox.get_task(task_id))


def _done(task_id: int, message: str):
    if wants_fragment():
        return render_template("partials/message.html", message=message)
    flash(message, "success")
    return redirect(url_for("tasks.detail", task_id=task_id))


@bp.post("/<int:task_id>/claim")
@login_required
def claim(task_id: int):
    """Claim the task."""
    inbox.claim(task_id, current_user, request.remote_addr)
    commit()
    return _done(task_id, _("You claimed this task."))


@bp.post("/<int:task_id>/unclaim")
@login_required
def unclaim(task_id: int):
    """Give the task back to the department."""
    inbox.unclaim(task_id, current_user, request.remote_addr)
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
    task = inbox.assign(task_id, current_user, assignee_id, request.remote_addr)
    commit()
    return _done(task_id, _("Assigned to %(name)s.", name=task.assignee.display_name))


@bp.post("/<int:task_id>/complete")
@login_required
def complete(task_id: int):
    """Validate the form and complete the task; on errors, re-render with what was typed."""
    try:
        task = tasks.complete_task(task_id, current_user, request.form, request.remote_addr)
    except InvalidInput as exc:
        db.session.rollback()
        return _render(inbox.get_task(task_id), request.form, exc.errors, 400)
    commit()
    step = task.display_name(current_locale())
    flash(_("“%(step)s” is done. The order moved on.", step=step), "success")
    back = request.form.get("next", "")
    return redirect(
        back if back.startswith("/") and not back.startswith("//") else url_for("inbox.index")
    )

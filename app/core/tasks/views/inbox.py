"""The department inbox page: filters, sort, pages, tabs; saved views; bulk approve and assign."""

from dataclasses import replace

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import limits
from app.core.tasks import bulk, inbox, inbox_query, listing, saved_views
from app.core.users import permissions
from app.core.web import active_departments, commit, wants_fragment
from app.errors import InvalidInput
from app.extensions import db
from app.i18n import current_locale

bp = Blueprint("inbox", __name__, url_prefix="/inbox", template_folder="../templates")


def _department(query: inbox_query.InboxQuery, departments):
    """The department the page lists: the one asked for, else the viewer's own (else all)."""
    if query.dept:
        found = next((d for d in departments if d.key == query.dept), None)
        if found is not None:
            return found, query
        query = replace(query, dept="", errors=(*query.errors, _("Unknown department: ignored.")))
    return current_user.department, query


def _bulk_context(page: listing.InboxPage, dept) -> dict:
    """What the page offers for the selected rows: approve (one step with a default decision,
    that the viewer acts on) and assign (the department's head)."""
    first = page.rows[0] if page.rows else None
    may_approve = bool(
        first is not None
        and page.query.step
        and page.query.group == "act"
        and inbox.may_act(current_user, first)
        and bulk.default_decision(first) is not None
    )
    may_assign = dept is not None and permissions.may_bulk_assign(current_user, dept.id)
    return {
        "may_bulk_approve": may_approve,
        "bulk_steps": _bulk_steps(page) if not may_approve else [],
        "may_bulk_assign": may_assign,
        "members": bulk.members(dept.id) if may_assign else [],
    }


def _bulk_steps(page: listing.InboxPage) -> list:
    """One row of each step on the page that bulk approve could take (its form declares a
    default decision and the viewer acts on it): the page offers to filter by it."""
    if page.query.group != "act" or page.query.step:
        return []
    first_of: dict[str, object] = {}
    for row in page.rows:
        first_of.setdefault(row.spec_name, row)
    return bulk.with_default_decision(
        [row for row in first_of.values() if inbox.may_act(current_user, row)]
    )


@bp.get("")
@login_required
def index():
    """List the open tasks of a department (the user's own by default), a page at a time."""
    # First: the viewer's own department is then one of them, not read again by itself.
    departments = active_departments()
    may_see_prices = permissions.can_see_prices(current_user)
    query = inbox_query.parse(request.args, may_sort_amount=may_see_prices)
    dept, query = _department(query, departments)
    locale = current_locale()
    page = listing.list_page(current_user, query, dept.id if dept else None, locale)
    context = {
        "page": page,
        "query": query,
        "dept": dept,
        "may_see_prices": may_see_prices,
        "steps": listing.step_choices(dept.id if dept else None),
        "views": saved_views.views_of(current_user),
        **_bulk_context(page, dept),
    }
    if request.headers.get("HX-Request") == "true":  # htmx swaps only a 2xx answer
        return render_template("inbox/_results.html", **context)
    # What was ignored is said on the page; the status says the request was not taken as is.
    return render_template("inbox/index.html", **context), 400 if query.errors else 200


def _selected_ids() -> list[int]:
    """The ticked rows, or every row shown when "all rows on this page" was ticked."""
    names = ("shown_id",) if request.form.get("all_shown") == "1" else ("task_id",)
    ids = [limits.record_id(text) for name in names for text in request.form.getlist(name)]
    return [task_id for task_id in ids if task_id is not None]


def _back() -> str:
    """The inbox page the bulk action came from (a local inbox URL only)."""
    back = request.form.get("back", "")
    return back if back.startswith("/inbox") else url_for("inbox.index")


@bp.post("/bulk")
@login_required
def bulk_action():
    """Approve (default decision) or assign the selected tasks; report per task."""
    action = request.form.get("action")
    ids = _selected_ids()
    try:
        if action == "approve":
            result = bulk.approve(current_user, ids, request.remote_addr)
        elif action == "assign":
            assignee_id = limits.record_id(request.form.get("assignee_id"))
            if assignee_id is None:
                raise InvalidInput(_("Choose a member to assign the tasks to."))
            result = bulk.assign(current_user, ids, assignee_id, request.remote_addr)
        else:
            raise InvalidInput(_("Choose what to do with the selected tasks."))
    except InvalidInput as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(_back())
    commit()
    return render_template("inbox/bulk.html", result=result, back=_back())


@bp.post("/views")
@login_required
def save_view():
    """Save the current inbox query under a name."""
    query = inbox_query.parse(request.form)
    try:
        view = saved_views.save(current_user, request.form.get("name"), query)
    except InvalidInput as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _go(url_for("inbox.index", **query.to_args()))
    commit()
    flash(_("Saved the view “%(name)s”.", name=view.name), "success")
    return _go(url_for("inbox.index", **query.to_args()))


def _go(url: str):
    """Redirect; an htmx form (the save form sends the live filters) is sent on by htmx."""
    if wants_fragment():
        return "", 204, {"HX-Redirect": url}
    return redirect(url)


@bp.post("/views/<int:view_id>/rename")
@login_required
def rename_view(view_id: int):
    """Rename one of the user's saved views."""
    try:
        view = saved_views.rename(current_user, view_id, request.form.get("name"))
    except InvalidInput as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("inbox.index"))
    commit()
    flash(_("Renamed the view to “%(name)s”.", name=view.name), "success")
    return redirect(url_for("inbox.index"))


@bp.post("/views/<int:view_id>/delete")
@login_required
def delete_view(view_id: int):
    """Delete one of the user's saved views."""
    saved_views.delete(current_user, view_id)
    commit()
    flash(_("The view was deleted."), "success")
    return redirect(url_for("inbox.index"))

"""The department inbox page."""

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from app import limits
from app.core.tasks import inbox
from app.core.tasks.inbox import InboxFilter

bp = Blueprint("inbox", __name__, url_prefix="/inbox", template_folder="../templates")


@bp.get("")
@login_required
def index():
    """List the ready tasks of a department (the user's own by default)."""
    departments = inbox.departments()
    dept_key = request.args.get("dept") or (
        current_user.department.key if current_user.department else ""
    )
    dept = next((d for d in departments if d.key == dept_key), None)
    flt = InboxFilter(
        department_id=dept.id if dept else None,
        mine=request.args.get("mine") == "1",
        unassigned=request.args.get("unassigned") == "1",
        overdue=request.args.get("overdue") == "1",
        query=limits.search_text(request.args.get("q")),
    )
    tasks = inbox.list_tasks(current_user, flt)
    template = (
        "inbox/_rows.html" if request.headers.get("HX-Request") == "true" else "inbox/index.html"
    )
    return render_template(template, tasks=tasks, dept=dept, flt=flt, may_act=inbox.may_act)

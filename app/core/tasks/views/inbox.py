"""The department inbox page: filters, sort, pages, tabs; saved views; bulk approve and assign."""

from dataclasses import replace

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.tasks import inbox, inbox_query, listing
from app.core.users import permissions
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


@bp.get("")
@login_required
def index():
    """List the open tasks of a department (the user's own by default), a page at a time."""
    may_see_prices = permissions.can_see_prices(current_user)
    query = inbox_query.parse(request.args, may_sort_amount=may_see_prices)
    departments = inbox.departments()
    dept, query = _department(query, departments)
    locale = current_locale()
    page = listing.list_page(current_user, query, dept.id if dept else None, locale)
    context = {
        "page": page,
        "query": query,
        "dept": dept,
        "may_see_prices": may_see_prices,
        "steps": listing.step_choices(dept.id if dept else None),
        "may_act": inbox.may_act,
    }
    if request.headers.get("HX-Request") == "true":  # htmx swaps only a 2xx answer
        return render_template("inbox/_results.html", **context)
    # What was ignored is said on the page; the status says the request was not taken as is.
    return render_template("inbox/index.html", **context), 400 if query.errors else 200

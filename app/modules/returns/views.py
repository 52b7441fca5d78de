"""Return requests and complaints: ask for a return, record a complaint, follow them."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.users import permissions
from app.core.web import panels, submit
from app.errors import PermissionDenied
from app.limits import record_id
from app.modules.orders import panels as order_panels
from app.modules.orders.services import customer_filter, orders
from app.modules.orders.services.access import deny_order
from app.modules.returns.services import complaints, reading, requests

bp = Blueprint("returns", __name__, url_prefix="/returns", template_folder="templates")


def _require_sales(order, action: str) -> None:
    if not permissions.may_handle_orders(current_user):
        raise deny_order(current_user, order, action, request.remote_addr)


@bp.route("/orders/<int:order_id>/new", methods=["GET", "POST"])
@login_required
def new(order_id: int):
    """Sales asks for a return of a delivered order's goods."""
    order = orders.get_order(order_id)
    _require_sales(order, "return_request")
    errors: dict[str, str] = {}
    values = request.form if request.method == "POST" else {}
    if request.method == "POST":
        quantities = {line.id: request.form.get(f"qty-{line.id}", "") for line in order.lines}
        created, errors = submit(
            lambda: requests.request_return(
                current_user,
                order_id,
                quantities,
                request.form.get("reason_category", ""),
                request.form.get("reason", ""),
                request.form.get("requested_outcome", ""),
                request.files.getlist("photos"),
                request.form.get("form_token", ""),
            )
        )
        if not errors:
            flash(
                _("Return request #%(id)s was sent to quality for inspection.", id=created.id),
                "success",
            )
            return redirect(url_for("returns.detail", return_id=created.id))
    elif order.status not in requests.RETURNABLE_STATUSES:
        errors["__form__"] = _("Only a delivered order takes a return request.")
    return render_template(
        "returns/new.html",
        order=order,
        lines=requests.returnable_lines(order),
        reasons=requests.REASONS,
        outcomes=requests.OUTCOMES,
        values=values,
        errors=errors,
        may_see_prices=permissions.can_see_prices(current_user),
    ), (400 if errors else 200)


@bp.get("/<int:return_id>")
@login_required
def detail(return_id: int):
    """One return: what comes back, why, its steps and its outcome."""
    found = requests.get_return(return_id)
    return render_template(
        "returns/detail.html",
        ret=found,
        order=found.order,
        steps=reading.steps(found),
        reasons=requests.REASONS,
        outcomes=requests.OUTCOMES,
        may_see_prices=permissions.can_see_prices(current_user),
    )


@bp.route("/orders/<int:order_id>/complaint", methods=["GET", "POST"])
@login_required
def complaint(order_id: int):
    """Sales records a customer complaint about an order (without a return)."""
    order = orders.get_order(order_id)
    _require_sales(order, "complaint")
    errors: dict[str, str] = {}
    values = request.form if request.method == "POST" else {}
    if request.method == "POST":
        _created, errors = submit(
            lambda: complaints.record_complaint(
                current_user,
                order_id,
                request.form.get("category", ""),
                request.form.get("description", ""),
                request.form.get("form_token", ""),
            )
        )
        if not errors:
            flash(_("The complaint was recorded; quality was told."), "success")
            return redirect(url_for("orders.detail", order_id=order_id))
    return render_template(
        "returns/complaint.html",
        order=order,
        categories=complaints.CATEGORIES,
        values=values,
        errors=errors,
    ), (400 if errors else 200)


@bp.get("")
@login_required
def index():
    """Returns and complaints, each a page at a time, newest first, of one customer (returns
    also of one status) if asked."""
    if not permissions.has_department(current_user):
        raise PermissionDenied(_("Only members of a department see returns and complaints."))
    args = request.args
    customer = customer_filter.read(args.get("customer"))
    status = args.get("status", "") if args.get("status") in reading.STATUSES else ""
    chosen = customer.customer_id
    return render_template(
        "returns/index.html",
        # A name that is no customer lists nothing (the page says so).
        returns=None
        if customer.unknown
        else reading.list_returns(chosen, status, record_id(args.get("page"))),
        complaints=None
        if customer.unknown
        else reading.list_complaints(chosen, record_id(args.get("complaints_page"))),
        # Each pager's links keep the filters and the other list's page.
        returns_args={name: value for name, value in args.items() if name != "page"},
        complaints_args={k: v for k, v in args.items() if k != "complaints_page"},
        customer_field=panels.shown(order_panels.customer_filter_field(customer)),
        unknown_customer=panels.shown(order_panels.unknown_customer(customer)),
        statuses=reading.STATUSES,
        status=status,
        reasons=requests.REASONS,
        categories=complaints.CATEGORIES,
        may_see_prices=permissions.can_see_prices(current_user),
    )

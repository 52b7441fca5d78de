"""Close-out pages: the list of close-outs, the cost rates finance keeps (with their history)
and a product's cost history. The costing and approvals are task pages (hooks.py panels)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.users import permissions
from app.core.web import submit
from app.errors import PermissionDenied
from app.limits import record_id
from app.modules.closeout.services import history, rates, reading

bp = Blueprint("closeout", __name__, template_folder="templates")


def _require_prices() -> None:
    if not permissions.can_see_prices(current_user):
        raise PermissionDenied(
            _("Costs and margins are shown to sales, PMC, finance and management.")
        )


@bp.get("/closeout/")
@login_required
def index():
    """Close-outs, a page at a time, newest first (of one status if asked), with their margins;
    and the products they costed, latest first, each list with its own pager."""
    _require_prices()
    args = request.args
    status = args.get("status", "") if args.get("status") in reading.STATUSES else ""
    return render_template(
        "closeout/index.html",
        closeouts=reading.closeouts(status, record_id(args.get("page"))),
        products=reading.costed_products(record_id(args.get("products_page"))),
        # Each pager's links keep the filter and the other list's page.
        closeouts_args={name: value for name, value in args.items() if name != "page"},
        products_args={name: value for name, value in args.items() if name != "products_page"},
        statuses=reading.STATUSES,
        status=status,
    )


def _rates_page(values=None, errors=None, status=200):
    return (
        render_template(
            "closeout/rates.html",
            current=rates.current(),
            history=rates.history(),
            may_edit=rates.may_set_rates(current_user),
            values=values or {},
            errors=errors or {},
        ),
        status,
    )


@bp.route("/closeout/rates", methods=["GET", "POST"])
@login_required
def rates_page():
    """The labour and machine rates per production line; finance sets a new one from a day."""
    _require_prices()
    if request.method == "GET":
        return _rates_page()
    f = request.form
    _row, errors = submit(
        lambda: rates.set_rate(
            current_user,
            f.get("line_id", ""),
            f.get("labour_rate", ""),
            f.get("machine_rate", ""),
            f.get("valid_from", ""),
            f.get("note", ""),
        )
    )
    if errors:
        return _rates_page(dict(f.items()), errors, 400)
    flash(_("The rates were saved."), "success")
    return redirect(url_for("closeout.rates_page"), 303)


@bp.get("/products/<int:product_id>/costs")
@login_required
def product_costs(product_id: int):
    """A product's cost history from closed orders: average and latest unit cost, margin."""
    _require_prices()
    product = reading.get_product(product_id)
    return render_template(
        "closeout/product_costs.html",
        product=product,
        cost=history.cost_history(product.id),
    )


@bp.app_template_filter("co_number")
def co_number(value) -> str:
    """A quantity, hours or rate in the reader's number format, with the places it has."""
    return "" if value is None else format_decimal(value, format="#,##0.######")

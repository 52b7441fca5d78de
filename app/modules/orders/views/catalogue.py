"""Master data pages: customers, products with their line rates, production lines."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import limits
from app.core.users import permissions
from app.core.web import commit, panels, submit
from app.errors import InvalidInput
from app.extensions import db
from app.modules.orders import panels as domain_panels
from app.modules.orders.models import Product
from app.modules.orders.services import catalogue, catalogue_listing
from app.modules.orders.services import products as product_service
from app.modules.orders.services.order_input import record_id

bp = Blueprint("catalogue", __name__, url_prefix="/catalogue", template_folder="../templates")


def _listed(list_page) -> dict:
    """A catalogue list's page for the template: the rows, the search and the pager's links."""
    args = request.args
    query = limits.search_text(args.get("q"))
    return {
        "listed": list_page(query, record_id(args.get("page"))),
        "query": query,
        # The pager's links keep the search.
        "filter_args": {name: value for name, value in args.items() if name != "page"},
    }


@bp.route("/customers", methods=["GET", "POST"])
@login_required
def customers():
    """List customers; sales (or an admin) adds one."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        f = request.form
        customer, errors = submit(
            lambda: catalogue.create_customer(
                current_user,
                f.get("name", ""),
                f.get("contact", ""),
                f.get("address", ""),
                f.get("tier", ""),
                f.get("form_token", ""),
                f.get("email", ""),
            )
        )
        if not errors:
            flash(_("Customer %(name)s was added.", name=customer.name), "success")
            return redirect(url_for("catalogue.customers"))
    return render_template(
        "catalogue/customers.html",
        **_listed(catalogue_listing.list_customers),
        errors=errors,
        values=request.form,
        tiers=catalogue.TIERS,
        can_edit=permissions.may_edit_customers(current_user),
    ), (400 if errors else 200)


@bp.route("/products", methods=["GET", "POST"])
@login_required
def products():
    """The catalogue with each product's lines; engineering (or an admin) adds products."""
    errors: dict[str, str] = {}
    lines = catalogue.lines()
    if request.method == "POST":
        f = request.form
        rates = {line.id: f.get(f"rate-{line.id}", "") for line in lines}
        product, errors = submit(
            lambda: catalogue.create_product(
                current_user,
                f.get("code", ""),
                f.get("name", ""),
                f.get("unit", ""),
                f.get("standard_cost", ""),
                rates,
                f.get("form_token", ""),
            )
        )
        if not errors:
            flash(_("Product %(code)s was added.", code=product.code), "success")
            return redirect(url_for("catalogue.products"))
    shown = _listed(catalogue_listing.list_products)
    return render_template(
        "catalogue/products.html",
        **shown,
        costs=permissions.product_costs(current_user, shown["listed"].rows),
        lines=lines,
        errors=errors,
        values=request.form,
        can_edit=permissions.may_edit_products(current_user),
    ), (400 if errors else 200)


@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
@login_required
def product(product_id: int):
    """One product: its line rates, its history; engineering (or an admin) edits it here."""
    item = db.session.get(Product, product_id)
    if item is None:
        abort(404)
    lines = catalogue.lines()
    errors: dict[str, str] = {}
    may_see_cost = permissions.can_see_prices(current_user)
    if request.method == "POST":
        f = request.form
        data = product_service.ProductInput(
            code=f.get("code", ""),
            name=f.get("name", ""),
            unit=f.get("unit", ""),
            standard_cost=f.get("standard_cost", "") if may_see_cost else None,
            rates={line.id: f.get(f"rate-{line.id}", "") for line in lines},
            reason=f.get("reason", ""),
        )
        edited, errors = submit(
            lambda: product_service.edit_product(current_user, product_id, data)
        )
        if not errors:
            flash(_("Product %(code)s was changed.", code=edited.code), "success")
            return redirect(url_for("catalogue.product", product_id=product_id))
        item = db.session.get(Product, product_id)
    return render_template(
        "catalogue/product.html",
        product=item,
        lines=lines,
        history=product_service.history(item, current_user),
        cost=item.standard_cost if may_see_cost else None,
        errors=errors,
        values=request.form if errors else product_service.form_values(item),
        can_edit=permissions.may_edit_products(current_user),
        **panels.page_context(
            domain_panels.product_panels(
                item, domain_panels.ProductPage(current_user, may_see_cost)
            )
        ),
    ), (400 if errors else 200)


def _line_change(action, message):
    """Run a production-line change; refusals come back as messages on the catalogue page."""
    try:
        line = action()
    except InvalidInput as exc:
        db.session.rollback()
        for text in exc.errors.values():
            flash(text, "error")
        return redirect(url_for("catalogue.products")), 303
    commit()
    flash(message(line), "success")
    return redirect(url_for("catalogue.products"))


@bp.post("/lines")
@login_required
def add_line():
    """Add a production line with its hours per working day."""
    f = request.form
    return _line_change(
        lambda: catalogue.create_line(
            current_user, f.get("line_code", ""), f.get("line_name", ""), f.get("daily_hours", "")
        ),
        lambda line: _("Production line %(code)s was added.", code=line.code),
    )


@bp.post("/lines/<int:line_id>/capacity")
@login_required
def line_capacity(line_id: int):
    """Change a production line's hours per working day."""
    return _line_change(
        lambda: catalogue.set_capacity(current_user, line_id, request.form.get("daily_hours", "")),
        lambda line: _(
            "Line %(code)s now works %(h)s hours a day.", code=line.code, h=line.daily_hours
        ),
    )

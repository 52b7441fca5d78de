"""Master data pages: customers, products with their line rates, production lines."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import InvalidInput
from app.extensions import db
from app.services import catalogue, orders
from app.web import commit, submit

bp = Blueprint("catalogue", __name__, url_prefix="/catalogue")


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
            )
        )
        if not errors:
            flash(_("Customer %(name)s was added.", name=customer.name), "success")
            return redirect(url_for("catalogue.customers"))
    return render_template(
        "catalogue/customers.html",
        customers=orders.customers(),
        errors=errors,
        values=request.form,
        tiers=catalogue.TIERS,
        can_edit=catalogue.may_edit_customers(current_user),
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
            )
        )
        if not errors:
            flash(_("Product %(code)s was added.", code=product.code), "success")
            return redirect(url_for("catalogue.products"))
    return render_template(
        "catalogue/products.html",
        products=orders.products(),
        lines=lines,
        errors=errors,
        values=request.form,
        can_edit=catalogue.may_edit_products(current_user),
    ), (400 if errors else 200)


@bp.post("/lines")
@login_required
def add_line():
    """Add a production line."""
    try:
        line = catalogue.create_line(
            current_user, request.form.get("line_code", ""), request.form.get("line_name", "")
        )
    except InvalidInput as exc:
        db.session.rollback()
        for message in exc.errors.values():
            flash(message, "error")
        return redirect(url_for("catalogue.products")), 303
    commit()
    flash(_("Production line %(code)s was added.", code=line.code), "success")
    return redirect(url_for("catalogue.products"))

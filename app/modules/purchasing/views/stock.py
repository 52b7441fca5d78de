"""Components, product BOMs, stock and its ledger."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.users import permissions
from app.core.web import submit
from app.modules.purchasing.services import components, stock
from app.modules.purchasing.views.blueprint import bp, require_department


def _component_input():
    return components.ComponentInput(
        request.form.get("code", ""), request.form.get("name", ""), request.form.get("unit", "")
    )


@bp.route("/components", methods=["GET", "POST"])
@login_required
def component_list():
    """Every component; engineering or purchasing adds one."""
    require_department()
    errors: dict[str, str] = {}
    values = request.form if request.method == "POST" else {}
    if request.method == "POST":
        created, errors = submit(
            lambda: components.create_component(current_user, _component_input())
        )
        if not errors:
            flash(_("Component %(code)s was added.", code=created.code), "success")
            return redirect(url_for("purchasing.component_list"))
    return render_template(
        "purchasing/components.html",
        components=components.components(),
        may_edit=permissions.may_edit_boms(current_user),
        values=values,
        errors=errors,
    ), (400 if errors else 200)


@bp.route("/components/<int:component_id>", methods=["GET", "POST"])
@login_required
def component_edit(component_id: int):
    """Change a component's code, name or (while unused) unit."""
    require_department()
    component = components.get_component(component_id)
    errors: dict[str, str] = {}
    values = request.form if request.method == "POST" else component.__dict__
    if request.method == "POST":
        _done, errors = submit(
            lambda: components.edit_component(current_user, component_id, _component_input())
        )
        if not errors:
            flash(_("Component %(code)s was saved.", code=component.code), "success")
            return redirect(url_for("purchasing.component_list"))
    return render_template(
        "purchasing/component.html",
        component=component,
        may_edit=permissions.may_edit_boms(current_user),
        values=values,
        errors=errors,
    ), (400 if errors else 200)


def _bom_rows() -> list[tuple[str, str]]:
    return list(
        zip(request.form.getlist("component_id"), request.form.getlist("quantity"), strict=False)
    )


@bp.route("/products/<int:product_id>/bom", methods=["GET", "POST"])
@login_required
def product_bom(product_id: int):
    """Edit a product's bill of materials (engineering or purchasing)."""
    product = components.get_product(product_id)
    components.require_bom_keeper(current_user, product_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        rows = _bom_rows()
        _done, errors = submit(lambda: components.set_product_bom(current_user, product_id, rows))
        if not errors:
            flash(_("The bill of materials was saved."), "success")
            return redirect(url_for("catalogue.product", product_id=product_id))
    else:
        saved = components.bom_of_product(product_id)
        rows = [(str(line.component_id), f"{line.quantity:f}") for line in saved]
    return render_template(
        "purchasing/bom.html",
        product=product,
        item=None,
        rows=rows + [("", "")] * 3,
        components=components.components(),
        errors=errors,
    ), (400 if errors else 200)


@bp.get("/stock")
@login_required
def stock_index():
    """Every component's stock: on hand, reserved, free (and value for price readers)."""
    require_department()
    return render_template(
        "purchasing/stock.html",
        rows=stock.balances(),
        may_see_values=permissions.may_see_purchase_prices(current_user),
    )


@bp.route("/stock/<int:component_id>", methods=["GET", "POST"])
@login_required
def stock_ledger(component_id: int):
    """One component's balance and ledger; the warehouse adjusts it here with a reason."""
    require_department()
    component = components.get_component(component_id)
    errors: dict[str, str] = {}
    values = request.form if request.method == "POST" else {}
    if request.method == "POST":
        _done, errors = submit(
            lambda: stock.adjust(
                current_user,
                component_id,
                request.form.get("quantity", ""),
                request.form.get("reason", ""),
            )
        )
        if not errors:
            flash(_("The stock of %(code)s was adjusted.", code=component.code), "success")
            return redirect(url_for("purchasing.stock_ledger", component_id=component_id))
    return render_template(
        "purchasing/ledger.html",
        component=component,
        balance=stock.balance_of(component_id),
        moves=stock.ledger(component_id),
        kinds=stock.KINDS,
        bound=stock.MOVE,
        may_adjust=permissions.may_move_stock(current_user),
        may_see_values=permissions.may_see_purchase_prices(current_user),
        values=values,
        errors=errors,
    ), (400 if errors else 200)


@bp.route("/items/<int:order_line_id>/bom", methods=["GET", "POST"])
@login_required
def item_bom(order_line_id: int):
    """Engineering gives a non-standard item its BOM during the order's review."""
    item = components.get_item(order_line_id)
    components.require_bom_keeper(current_user)
    errors: dict[str, str] = {}
    if request.method == "POST":
        rows = _bom_rows()
        _done, errors = submit(lambda: components.set_item_bom(current_user, order_line_id, rows))
        if not errors:
            flash(_("The bill of materials was saved."), "success")
            return redirect(url_for("orders.detail", order_id=item.order_id))
    else:
        saved = components.bom_of_item(order_line_id)
        rows = [(str(line.component_id), f"{line.quantity:f}") for line in saved]
    return render_template(
        "purchasing/bom.html",
        item=item,
        product=None,
        rows=rows + [("", "")] * 3,
        components=components.components(),
        errors=errors,
    ), (400 if errors else 200)

"""Suppliers, purchase requests and orders, receipts and incoming inspection, and issuing an
order's reserved material."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import limits
from app.core.users import permissions
from app.core.web import submit
from app.modules.orders.services import orders
from app.modules.orders.services.order_input import record_id
from app.modules.purchasing.services import (
    buying,
    po_listing,
    reading,
    receiving,
    requirements,
    suppliers,
)
from app.modules.purchasing.views.blueprint import bp, require_department


def _supplier_input() -> suppliers.SupplierInput:
    f = request.form
    return suppliers.SupplierInput(*(f.get(name, "") for name in suppliers.FIELDS))


@bp.route("/suppliers", methods=["GET", "POST"])
@login_required
def supplier_list():
    """Every supplier; purchasing adds one."""
    require_department()
    errors: dict[str, str] = {}
    values = request.form if request.method == "POST" else {}
    if request.method == "POST":
        created, errors = submit(lambda: suppliers.create_supplier(current_user, _supplier_input()))
        if not errors:
            flash(_("Supplier %(code)s was added.", code=created.code), "success")
            return redirect(url_for("purchasing.supplier_list"))
    return render_template(
        "purchasing/suppliers.html",
        suppliers=suppliers.suppliers(),
        may_edit=permissions.may_purchase(current_user),
        values=values,
        errors=errors,
    ), (400 if errors else 200)


@bp.route("/suppliers/<int:supplier_id>", methods=["GET", "POST"])
@login_required
def supplier_edit(supplier_id: int):
    """One supplier; purchasing changes its details or takes it out of use."""
    require_department()
    supplier = suppliers.get_supplier(supplier_id)
    errors: dict[str, str] = {}
    values = request.form if request.method == "POST" else reading.supplier_values(supplier)
    if request.method == "POST":
        active = request.form.get("is_active") == "1"
        _done, errors = submit(
            lambda: suppliers.edit_supplier(current_user, supplier_id, _supplier_input(), active)
        )
        if not errors:
            flash(_("Supplier %(code)s was saved.", code=supplier.code), "success")
            return redirect(url_for("purchasing.supplier_list"))
    return render_template(
        "purchasing/supplier.html",
        supplier=supplier,
        may_edit=permissions.may_purchase(current_user),
        values=values,
        errors=errors,
    ), (400 if errors else 200)


@bp.route("/requests", methods=["GET", "POST"])
@login_required
def request_list():
    """Open purchase requests; purchasing puts the chosen ones on a purchase order."""
    require_department()
    errors: dict[str, str] = {}
    values = request.form if request.method == "POST" else {}
    open_requests = buying.open_requests()
    components = reading.components_of(open_requests)
    if request.method == "POST":
        terms = {
            c.id: buying.LineTerms(
                request.form.get(f"price-{c.id}", ""), request.form.get(f"expected-{c.id}", "")
            )
            for c in components
        }
        po, errors = submit(
            lambda: buying.create_purchase_order(
                current_user,
                request.form.get("supplier_id", ""),
                request.form.getlist("request_id"),
                terms,
                request.form.get("notes", ""),
                request.form.get("form_token", ""),
            )
        )
        if not errors:
            flash(_("Purchase order %(number)s was placed.", number=po.number), "success")
            return redirect(url_for("purchasing.po_detail", po_id=po.id))
    return _requests_page(
        open_requests,
        components,
        errors,
        chosen=set(request.form.getlist("request_id")),
        values=values,
    )


def _requests_page(open_requests: list, components, errors: dict, **form_state) -> tuple:
    """The open requests page with what the user typed (`form_state`) and the errors."""
    return render_template(
        "purchasing/requests.html",
        requests=open_requests,
        components=components,
        suppliers=suppliers.suppliers(active_only=True),
        may_order=permissions.may_purchase(current_user),
        may_see_prices=permissions.may_see_purchase_prices(current_user),
        errors=errors,
        **form_state,
    ), (400 if errors else 200)


@bp.post("/requests/cancel")
@login_required
def request_cancel():
    """Purchasing cancels an open request that is no longer needed, with a reason."""
    require_department()
    request_id = limits.record_id(request.form.get("cancel_id"))
    _done, errors = submit(
        lambda: buying.cancel_request(
            current_user, request_id, request.form.get("cancel_reason", "")
        )
    )
    if not errors:
        flash(_("The purchase request was cancelled."), "success")
        return redirect(url_for("purchasing.request_list"))
    open_requests = buying.open_requests()
    return _requests_page(
        open_requests,
        reading.components_of(open_requests),
        errors,
        chosen=set(),
        values={},
        cancel_values=request.form,
    )


@bp.get("/orders")
@login_required
def po_list():
    """Purchase orders a page at a time, newest first, of one status and/or number/supplier."""
    require_department()
    args = request.args
    status = args.get("status", "") if args.get("status") in buying.STATUS_LABELS else ""
    query = limits.search_text(args.get("q"))
    return render_template(
        "purchasing/orders.html",
        listed=po_listing.list_purchase_orders(status, query, record_id(args.get("page"))),
        # The pager's links keep the filters.
        filter_args={name: value for name, value in args.items() if name != "page"},
        labels=buying.STATUS_LABELS,
        status=status,
        query=query,
        may_see_prices=permissions.may_see_purchase_prices(current_user),
    )


def _po_page(po_id: int, errors: dict | None = None, values=None, status: int = 200):
    return render_template(
        "purchasing/order.html",
        **reading.po_page(buying.get_po(po_id), current_user),
        errors=errors or {},
        values=values or {},
    ), status


@bp.get("/orders/<int:po_id>")
@login_required
def po_detail(po_id: int):
    """One purchase order: lines, what arrived, what quality decided, the orders it buys for."""
    require_department()
    return _po_page(po_id)


@bp.post("/orders/<int:po_id>/lines/<int:line_id>/receive")
@login_required
def receive(po_id: int, line_id: int):
    """The warehouse records what arrived on a line."""
    require_department()
    buying.get_po(po_id)
    f = request.form
    _done, errors = submit(
        lambda: receiving.receive(
            current_user, line_id, f.get(f"quantity-{line_id}", ""),
            f.get(f"inspect-{line_id}") == "1", f.get(f"note-{line_id}", ""),
        )
    )  # fmt: skip
    if errors:
        return _po_page(po_id, errors, f, 400)
    flash(_("The receipt was recorded."), "success")
    return redirect(url_for("purchasing.po_detail", po_id=po_id))


@bp.post("/receipts/<int:receipt_id>/inspect")
@login_required
def inspect(receipt_id: int):
    """Quality accepts or rejects what arrived."""
    require_department()
    po_id = reading.po_id_of_receipt(receipt_id)
    f, key = request.form, f"r{receipt_id}-"
    _done, errors = submit(
        lambda: receiving.inspect(
            current_user, receipt_id, f.get(key + "accepted", ""), f.get(key + "rejected", ""),
            f.get(key + "reason", ""),
        )
    )  # fmt: skip
    if errors:
        return _po_page(po_id, errors, f, 400)
    flash(_("The inspection was recorded."), "success")
    return redirect(url_for("purchasing.po_detail", po_id=po_id))


@bp.post("/orders/<int:po_id>/lines/<int:line_id>/expected")
@login_required
def expected(po_id: int, line_id: int):
    """Purchasing moves a line's expected arrival."""
    require_department()
    buying.get_po(po_id)
    text = request.form.get(f"expected-{line_id}", "")
    _done, errors = submit(lambda: receiving.set_expected(current_user, line_id, text))
    if errors:
        return _po_page(po_id, errors, request.form, 400)
    flash(_("The expected arrival was changed."), "success")
    return redirect(url_for("purchasing.po_detail", po_id=po_id))


@bp.post("/sales-orders/<int:order_id>/issue")
@login_required
def issue(order_id: int):
    """The warehouse issues what is reserved for a sales order."""
    order = orders.get_order(order_id)
    _done, errors = submit(lambda: requirements.issue_by_warehouse(current_user, order))
    if errors:
        flash(errors.get("__form__", ""), "error")
    else:
        flash(_("The reserved material was issued to the order."), "success")
    return redirect(url_for("orders.detail", order_id=order_id, _anchor="material-requirements"))

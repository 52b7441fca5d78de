"""Order pages: list, entry, detail with timeline and process diagram."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import InvalidInput, PermissionDenied
from app.extensions import db
from app.models.orders import ORDER_STATUSES, ORDER_TYPES
from app.services import audit, inbox, orders
from app.services.orders import LineInput, OrderInput
from app.web import commit
from app.web.tasks import history

bp = Blueprint("orders", __name__, url_prefix="/orders")
LINE_ROWS = 5


@bp.get("")
@login_required
def index():
    """Orders with filters: status, customer, department waited on, number."""
    args = request.args
    customer = args.get("customer", "")
    waiting = args.get("waiting", "")
    rows = orders.list_orders(
        status=args.get("status", "") if args.get("status") in ORDER_STATUSES else "",
        customer_id=int(customer) if customer.isdigit() else None,
        waiting_on=int(waiting) if waiting.isdigit() else None,
        query=args.get("q", "")[:60],
    )
    return render_template("orders/index.html", orders=rows, statuses=ORDER_STATUSES,
                           customers=orders.customers(), departments=inbox.departments())


def _order_input(form) -> OrderInput:
    lines = [
        LineInput(
            product_id=form.get(f"lines-{i}-product_id", ""),
            description=form.get(f"lines-{i}-description", "")[:4000],
            quantity=form.get(f"lines-{i}-quantity", ""),
            unit_price=form.get(f"lines-{i}-unit_price", ""),
        )
        for i in range(LINE_ROWS)
    ]
    return OrderInput(
        customer_id=form.get("customer_id", ""),
        customer_po=form.get("customer_po", ""),
        order_type=form.get("order_type", ""),
        requested_date=form.get("requested_date", ""),
        currency=form.get("currency", "CNY"),
        notes=form.get("notes", "")[:4000],
        lines=lines,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Sales enters a new order; saving starts its review process."""
    if current_user.department is None or current_user.department.key != "sales":
        audit.record(current_user, "denied.order_create", "order", None, ip=request.remote_addr)
        raise PermissionDenied(_("Only the sales department enters orders."))
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            order = orders.create_order(current_user, _order_input(request.form))
        except InvalidInput as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            commit()
            flash(_("Order %(number)s was entered and sent for confirmation.", number=order.number),
                  "success")
            return redirect(url_for("orders.detail", order_id=order.id))
    return render_template(
        "orders/new.html", errors=errors, values=request.form, types=ORDER_TYPES,
        customers=orders.customers(), products=orders.products(), line_rows=range(LINE_ROWS),
    ), (400 if errors else 200)


@bp.get("/<int:order_id>")
@login_required
def detail(order_id: int):
    """The order: lines, open tasks, timeline and the process diagram."""
    order = orders.get_order(order_id)
    tasks = orders.order_tasks(order_id)
    instance = order.instances[-1] if order.instances else None
    return render_template(
        "orders/detail.html",
        order=order,
        open_tasks=[t for t in tasks if t.state == "ready"],
        steps=history(order_id),
        events=audit.events_for_order(order_id),
        instance=instance,
        done_ids=",".join(sorted({t.spec_name for t in tasks if t.state == "completed"})),
        current_ids=",".join(sorted({t.spec_name for t in tasks if t.state == "ready"})),
    )


@bp.get("/<int:order_id>/diagram.bpmn")
@login_required
def diagram(order_id: int):
    """The BPMN XML of the version the order's process runs on, for the viewer."""
    order = orders.get_order(order_id)
    if not order.instances:
        abort(404)
    return Response(order.instances[-1].version.xml, mimetype="application/xml")

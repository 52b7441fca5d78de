"""Shipping pages: record a shipment, a shipment with its delivery note, the customer's receipt."""

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core import clock
from app.core.web import submit
from app.limits import record_id
from app.modules.orders.services import orders
from app.modules.shipping.services import note, reading, shipping

bp = Blueprint("shipping", __name__, template_folder="templates")


def _typed_quantities(form) -> dict[int, str]:
    """The per-line quantities as typed (`qty_<line id>`); other names are ignored."""
    typed = {}
    for name, value in form.items():
        if name.startswith("qty_"):
            line_id = record_id(name[4:])
            if line_id is not None:
                typed[line_id] = value
    return typed


@bp.route("/orders/<int:order_id>/shipments/new", methods=["GET", "POST"])
@login_required
def new(order_id: int):
    """The warehouse records a shipment of made goods (partial shipments allowed)."""
    order = orders.get_order(order_id)
    values = dict(request.form.items()) if request.method == "POST" else {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        created, errors = submit(
            lambda: shipping.record_shipment(
                current_user,
                order.id,
                _typed_quantities(request.form),
                request.form.get("carrier", ""),
                request.form.get("tracking_number", ""),
                request.form.get("ship_date", ""),
                request.form.get("note", ""),
                request.form.get("form_token", ""),
            )
        )
        if not errors:
            flash(_("Shipment %(n)s was recorded.", n=created.number), "success")
            return redirect(url_for("shipping.detail", shipment_id=created.id), 303)
    else:
        values["ship_date"] = clock.today().isoformat()
    context = {"order": order, "totals": reading.line_totals(order), "values": values}
    return render_template("shipping/new.html", errors=errors, **context), (400 if errors else 200)


@bp.get("/shipments/<int:shipment_id>")
@login_required
def detail(shipment_id: int, errors=None, values=None, status: int = 200):
    """One shipment: its lines, carrier, delivery note, and the customer's receipt."""
    shipment = reading.get_shipment(shipment_id)
    return render_template(
        "shipping/detail.html",
        shipment=shipment,
        order=shipment.order,
        errors=errors or {},
        values=values or {"received_on": clock.today().isoformat()},
    ), status


@bp.post("/shipments/<int:shipment_id>/receipt")
@login_required
def receipt(shipment_id: int):
    """The warehouse or sales records the customer's signed delivery note."""
    _done, errors = submit(
        lambda: shipping.record_receipt(
            current_user,
            shipment_id,
            request.files.get("receipt_file"),
            request.form.get("receipt_signer", ""),
            request.form.get("received_on", ""),
            request.form.get("form_token", ""),
        )
    )
    if errors:
        return detail(shipment_id, errors, dict(request.form.items()), 400)
    flash(_("The customer's receipt was recorded."), "success")
    return redirect(url_for("shipping.detail", shipment_id=shipment_id), 303)


@bp.get("/shipments/<int:shipment_id>/delivery-note.pdf")
@login_required
def note_pdf(shipment_id: int):
    """The shipment's delivery note (送货单), in Chinese and English."""
    shipment = reading.get_shipment(shipment_id)
    body = note.note_pdf(shipment, current_app.config["TIMEZONE"])
    name = f"{shipment.number}.pdf"
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )

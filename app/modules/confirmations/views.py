"""Customer re-confirmation: sales makes the link or uploads the signed scan; the customer signs."""

from functools import lru_cache
from itertools import groupby

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
from markupsafe import Markup
from reportlab.graphics.barcode.qr import QrCodeWidget

from app.core.web import commit, panels
from app.errors import DomainError, InvalidInput
from app.extensions import db
from app.modules.confirmations.services import confirmations
from app.modules.confirmations.services.sheet import sheet_pdf, staff_sheet_pdf
from app.modules.orders import panels as order_panels
from app.modules.orders.services import orders, revisions

bp = Blueprint("confirmations", __name__, template_folder="templates")


@bp.post("/orders/<int:order_id>/confirmation/link")
@login_required
def make_link(order_id: int):
    """Create a new single-use link (older ones stop working) and show it with its QR code."""
    order = orders.get_order(order_id)
    token = confirmations.issue_link(order, current_user)
    commit()
    url = url_for("confirmations.public", token=token, _external=True)
    return render_template(
        "confirmations/link.html", order=order, url=url, token=token, qr=Markup(qr_svg(url))
    )


QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks


@lru_cache(maxsize=256)
def qr_svg(value: str, size: int = 180) -> str:
    """An inline SVG QR code of `value` (reportlab's encoder, level M), so the page needs no
    image file or script.

    Drawn once per link and kept: one path of the dark runs, row by row (a few KB), instead of
    reportlab's SVG renderer with one rectangle element per run (~136 KB and ~0.3-0.9 s a
    code; docs/PERFORMANCE.md).
    """
    code = QrCodeWidget(value, barLevel="M").qr
    code.make()
    count = code.getModuleCount()
    runs = []
    for row, modules in enumerate(code.modules):
        column = 0
        for dark, run in groupby(bool(m) for m in modules):
            length = len(list(run))
            if dark:
                runs.append(f"M{column + QUIET_ZONE} {row + QUIET_ZONE}h{length}v1h-{length}z")
            column += length
    side = count + 2 * QUIET_ZONE
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {side} {side}" shape-rendering="crispEdges" role="img">'
        f'<rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )


@bp.get("/orders/<int:order_id>/confirmation.pdf")
@login_required
def staff_pdf(order_id: int):
    """The confirmation sheet of the current revision (with the link's QR code when given)."""
    order = orders.get_order(order_id)
    url = None
    token = request.args.get("token")
    if token:
        linked, _row = confirmations.check_link(token)
        if linked.id != order.id:
            raise confirmations.LinkInvalid()
        url = url_for("confirmations.public", token=token, _external=True)
    tz = current_app.config["TIMEZONE"]
    return _pdf(order, staff_sheet_pdf(current_user, order, url, tz, request.remote_addr))


def _pdf(order, body: bytes):
    name = f"{order.number}-R{order.revision}.pdf"
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@bp.post("/orders/<int:order_id>/confirmation/scan")
@login_required
def upload_scan(order_id: int):
    """Sales records the customer's signed scan; the process moves on."""
    order = orders.get_order(order_id)
    try:
        confirmations.record_scan(
            order,
            current_user,
            request.files.get("scan"),
            request.form.get("signer_name", ""),
            request.remote_addr,
        )
    except InvalidInput as exc:
        db.session.rollback()
        for message in exc.errors.values():
            flash(message, "error")
        return redirect(url_for("orders.detail", order_id=order_id) + "#confirmation"), 303
    commit()
    flash(_("The signed confirmation was recorded. The order moves on."), "success")
    return redirect(url_for("orders.detail", order_id=order_id))


def _public_error(error: DomainError):
    db.session.rollback()
    return render_template("confirmations/invalid.html", message=error.message), error.status


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def public(token: str):
    """The customer's page: the order as it stands, the sheet, and the typed-name signature."""
    try:
        order, row = confirmations.check_link(token)
    except DomainError as error:
        return _public_error(error)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            done = confirmations.confirm_with_link(
                token,
                request.form.get("signer_name", ""),
                request.form.get("agree") == "1",
                request.remote_addr,
                request.headers.get("User-Agent"),
            )
        except InvalidInput as exc:
            db.session.rollback()
            errors = exc.errors
        except DomainError as error:
            return _public_error(error)
        else:
            commit()
            return render_template("confirmations/thanks.html", order=order, confirmation=done)
    return render_template(
        "confirmations/public.html",
        order=order,
        summary=panels.shown(order_panels.public_summary(order)),
        token=token,
        errors=errors,
        revision=revisions.current_revision(order),
        expires=row.expires_at,
    ), (400 if errors else 200)


@bp.get("/confirm/<token>/sheet.pdf")
def public_pdf(token: str):
    """The confirmation sheet, for the customer to read or print."""
    try:
        order, _row = confirmations.check_link(token)
    except DomainError as error:
        return _public_error(error)
    url = url_for("confirmations.public", token=token, _external=True)
    return _pdf(order, sheet_pdf(order, url, current_app.config["TIMEZONE"]))

"""Quotation pages: the list, the editor (with its htmx figures), the detail with revisions."""

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.web import commit, panels, submit
from app.limits import record_id
from app.modules.orders import panels as order_panels
from app.modules.orders.services import customer_filter
from app.modules.quotations.models import STATUSES
from app.modules.quotations.services import (
    acceptance,
    approval,
    pricing,
    quotations,
    reading,
    sending,
)

bp = Blueprint("quotations", __name__, url_prefix="/quotations", template_folder="templates")


def _require_sales(quotation_id: int | None = None) -> None:
    if not quotations.may_edit(current_user):
        raise quotations.deny(current_user, "quotation_edit", quotation_id)


@bp.get("/")
@login_required
def index():
    """Quotations, newest first, filtered by status and customer, a page at a time."""
    quotations.require_prices(current_user)
    args = request.args
    status = args.get("status", "") if args.get("status") in STATUSES else ""
    customer = customer_filter.read(args.get("customer"))
    page = record_id(args.get("page"))
    return render_template(
        "quotations/index.html",
        # A name that is no customer lists nothing (the page says so).
        listed=None
        if customer.unknown
        else reading.list_quotations(status, customer.customer_id, page),
        # The pager's links keep the filters.
        filter_args={name: value for name, value in args.items() if name != "page"},
        statuses=STATUSES,
        status=status,
        customer_field=panels.shown(order_panels.customer_filter_field(customer)),
        unknown_customer=panels.shown(order_panels.unknown_customer(customer)),
        may_edit=quotations.may_edit(current_user),
        status_label=quotations.status_label,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Sales writes a quotation."""
    _require_sales()
    errors: dict[str, str] = {}
    values = request.form if request.method == "POST" else {}
    if request.method == "POST":
        created, errors = submit(
            lambda: quotations.create_quotation(
                current_user,
                reading.quotation_input(request.form),
                request.form.get("form_token", ""),
            )
        )
        if not errors:
            flash(_("Quotation %(number)s was saved.", number=created.number), "success")
            return redirect(url_for("quotations.detail", quotation_id=created.id))
    return render_template(
        "quotations/edit.html", quotation=None, **reading.form_context(values, errors)
    ), (400 if errors else 200)


@bp.route("/<int:quotation_id>/edit", methods=["GET", "POST"])
@login_required
def edit(quotation_id: int):
    """Sales edits a quotation (a new revision once the customer has the current one)."""
    found = quotations.get_quotation(quotation_id)
    _require_sales(quotation_id)
    errors: dict[str, str] = {}
    values = request.form if request.method == "POST" else reading.values_of(found)
    if request.method == "POST":
        _saved, errors = submit(
            lambda: quotations.update_quotation(
                current_user,
                quotation_id,
                reading.quotation_input(request.form),
                request.form.get("reason", ""),
            )
        )
        if not errors:
            flash(_("Quotation %(number)s was saved.", number=found.number), "success")
            return redirect(url_for("quotations.detail", quotation_id=quotation_id))
    return render_template(
        "quotations/edit.html",
        quotation=found,
        sent=quotations.current_revision(found).sent_at is not None,
        **reading.form_context(values, errors),
    ), (400 if errors else 200)


@bp.post("/figures")
@login_required
def figures():
    """The editor's figures for what is typed now (htmx): cost basis, margin, flags per line."""
    _require_sales()
    return render_template(
        "quotations/_figures.html",
        rows=reading.preview(request.form),
        flag_text=pricing.flag_text,
    )


def _detail(found, errors: dict | None = None, values=None):
    return render_template(
        "quotations/detail.html",
        quotation=found,
        revisions=reading.revisions(found),
        line_flags=reading.line_flags,
        flag_text=pricing.flag_text,
        may_edit=quotations.may_edit(current_user),
        may_send=sending.may_send(found),
        expired=quotations.is_expired(found),
        status_label=quotations.status_label,
        errors=errors or {},
        values=values or {},
    ), (400 if errors else 200)


@bp.get("/<int:quotation_id>")
@login_required
def detail(quotation_id: int):
    """One quotation: its lines with their cost basis, its state, actions and revisions."""
    found = quotations.get_quotation(quotation_id)
    quotations.require_prices(current_user, quotation_id)
    return _detail(found)


@bp.post("/<int:quotation_id>/submit")
@login_required
def submit_for_approval(quotation_id: int):
    """Sales sends a flagged quotation to its approvers."""
    found = approval.request_approval(current_user, quotation_id)
    commit()
    flash(_("Quotation %(number)s went to the sales head for approval.", number=found.number),
          "success")  # fmt: skip
    return redirect(url_for("quotations.detail", quotation_id=quotation_id))


@bp.post("/<int:quotation_id>/send")
@login_required
def send(quotation_id: int):
    """Sales sends the quotation to the customer (mailed when the customer has an address)."""
    found = sending.send_quotation(current_user, quotation_id)
    commit()
    if found.customer.email:
        message = _("Quotation %(number)s is marked as sent; it is mailed to %(email)s when mail "
                    "is set up. Download the PDF to send it yourself.",
                    number=found.number, email=found.customer.email)  # fmt: skip
    else:
        message = _("Quotation %(number)s is marked as sent. The customer has no email address: "
                    "download the PDF and send it.", number=found.number)  # fmt: skip
    flash(message, "success")
    return redirect(url_for("quotations.detail", quotation_id=quotation_id))


@bp.get("/<int:quotation_id>/pdf")
@login_required
def pdf(quotation_id: int):
    """The quotation as a bilingual PDF, for download."""
    found, content = sending.quotation_pdf(current_user, quotation_id)
    return (
        content,
        200,
        {
            "Content-Type": "application/pdf",
            "Content-Disposition": f'attachment; filename="{found.number}-r{found.revision}.pdf"',
        },
    )


@bp.post("/<int:quotation_id>/accept")
@login_required
def accept(quotation_id: int):
    """Sales records the customer's acceptance with the signed copy."""
    found = quotations.get_quotation(quotation_id)
    _saved, errors = submit(
        lambda: acceptance.accept_with_scan(
            current_user,
            quotation_id,
            request.files.get("scan"),
            request.form.get("signer_name", ""),
        )
    )
    if errors:
        quotations.require_prices(current_user, quotation_id)
        return _detail(found, errors, request.form)
    flash(_("The customer's acceptance of %(number)s was recorded.", number=found.number),
          "success")  # fmt: skip
    return redirect(url_for("quotations.detail", quotation_id=quotation_id))


@bp.get("/<int:quotation_id>/signed")
@login_required
def signed(quotation_id: int):
    """The customer's signed copy."""
    found, path = acceptance.signed_copy(current_user, quotation_id)
    return send_file(path, as_attachment=True, download_name=found.signed_file_name)


@bp.post("/<int:quotation_id>/order")
@login_required
def make_order(quotation_id: int):
    """An accepted quotation becomes an order in review."""
    order = acceptance.convert_to_order(current_user, quotation_id)
    commit()
    flash(_("Order %(number)s was entered from the quotation.", number=order.number), "success")
    return redirect(url_for("orders.detail", order_id=order.id))

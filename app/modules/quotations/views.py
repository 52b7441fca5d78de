"""Quotation pages: the list, the editor (with its htmx figures), the detail with revisions."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.web import submit
from app.limits import record_id
from app.modules.orders.services import orders
from app.modules.quotations.models import STATUSES
from app.modules.quotations.services import pricing, quotations, reading

bp = Blueprint("quotations", __name__, url_prefix="/quotations", template_folder="templates")


def _require_sales(quotation_id: int | None = None) -> None:
    if not quotations.may_edit(current_user):
        raise quotations.deny(current_user, "quotation_edit", quotation_id)


@bp.get("/")
@login_required
def index():
    """Quotations, newest first, filtered by status and customer, a page at a time."""
    quotations.require_prices(current_user)
    status = request.args.get("status", "")
    customer_id = record_id(request.args.get("customer"))
    page = record_id(request.args.get("page")) or 1
    return render_template(
        "quotations/index.html",
        page=reading.list_quotations(status, customer_id, page),
        statuses=STATUSES,
        status=status if status in STATUSES else "",
        customer_id=customer_id,
        customers=orders.customers(),
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


@bp.get("/<int:quotation_id>")
@login_required
def detail(quotation_id: int):
    """One quotation: its lines with their cost basis, its state and its revisions."""
    found = quotations.get_quotation(quotation_id)
    quotations.require_prices(current_user, quotation_id)
    return render_template(
        "quotations/detail.html",
        quotation=found,
        revisions=reading.revisions(found),
        line_flags=reading.line_flags,
        flag_text=pricing.flag_text,
        may_edit=quotations.may_edit(current_user),
        expired=quotations.is_expired(found),
        status_label=quotations.status_label,
    )

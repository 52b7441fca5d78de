"""Production progress pages: an order's progress with the report forms (production, PMC), the
head's correction of a report, and PMC's list of late orders."""

from collections import Counter

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.users import permissions
from app.core.web import submit
from app.limits import record_id
from app.modules.fulfilment.services import lateness, reading, reporting, steps
from app.modules.orders.services import orders
from app.modules.schedule.services import plan

bp = Blueprint("fulfilment", __name__, template_folder="templates")

# Late orders on one page of /late-orders: at 1,900 late orders the whole list was 200 KB of
# HTML (issue 14); the counts per kind still cover them all.
LATE_PAGE_SIZE = 50


def _progress_page(order, values=None, errors=None, status=200):
    context = reading.progress_page(order, current_user)
    return (
        render_template(
            "fulfilment/progress.html", **context, values=values or {}, errors=errors or {}
        ),
        status,
    )


@bp.route("/orders/<int:order_id>/progress", methods=["GET", "POST"])
@login_required
def progress(order_id: int):
    """The order's progress against the plan; production reports a line here."""
    order = orders.get_order(order_id)
    if request.method == "GET":
        return _progress_page(order)
    reporting.require_reporter(current_user, order)
    f = request.form
    line_id = record_id(f.get("line_id"))
    if line_id is None or line_id not in {line.id for line in order.lines}:
        errors = {"__form__": _("Choose a line of this order.")}
        return _progress_page(order, dict(f.items()), errors, 400)
    _row, errors = submit(
        lambda: reporting.report(
            current_user,
            line_id,
            f.get("step", ""),
            f.get("quantity_done", ""),
            f.get("note", ""),
            f.get("form_token", ""),
        )
    )
    if errors:
        return _progress_page(order, {**f, "failed_line": line_id}, errors, 400)
    flash(_("Progress reported."), "success")
    return redirect(url_for("fulfilment.progress", order_id=order.id) + "#reports", 303)


@bp.post("/progress/reports/<int:report_id>/correct")
@login_required
def correct(report_id: int):
    """The reporter's head corrects a line's latest report, with a reason."""
    order_id = reading.order_of_report(report_id)
    if order_id is None:
        abort(404)
    f = request.form
    _row, errors = submit(
        lambda: reporting.correct(
            current_user, report_id, f.get("quantity_done", ""), f.get("reason", "")
        )
    )
    order = orders.get_order(order_id)
    if errors:
        values = {**f, "failed_report": report_id}
        return _progress_page(order, values, errors, 400)
    flash(_("The report was corrected."), "success")
    return redirect(url_for("fulfilment.progress", order_id=order_id) + "#reports", 303)


@bp.get("/late-orders")
@login_required
def late():
    """PMC's list of open orders behind plan, at risk or late."""
    if not (permissions.may_plan(current_user) or permissions.is_manager(current_user)):
        abort(403)
    found, problem = plan.attempt(lambda: lateness.late_orders(rows=False))
    found = found or []
    pages = max(1, -(-len(found) // LATE_PAGE_SIZE))
    page = min(record_id(request.args.get("page")) or 1, pages)
    first = (page - 1) * LATE_PAGE_SIZE
    shown = found[first : first + LATE_PAGE_SIZE]
    return render_template(
        "fulfilment/late.html",
        late=lateness.with_orders(shown) if shown else [],
        counts=Counter(late.kind for late in found),
        total=len(found),
        page=page,
        pages=pages,
        plan_problem=problem,
    )


@bp.route("/progress/steps", methods=["GET", "POST"])
@login_required
def product_steps():
    """A product's milestone steps (engineering or production sets them; else the default)."""
    product_id = record_id(request.values.get("product_id"))
    values, errors = {}, {}
    if request.method == "POST":
        if product_id is None:
            abort(404)
        text = request.form.get("steps", "")
        _saved, errors = submit(lambda: steps.save_product_steps(current_user, product_id, text))
        if not errors:
            flash(_("The steps were saved."), "success")
            return redirect(url_for("fulfilment.product_steps", product_id=product_id), 303)
        values = {"steps": text}
    context = {
        "products": orders.products(),
        "product_id": product_id,
        "steps_text": values.get("steps")
        if "steps" in values
        else (steps.steps_text(product_id) if product_id else ""),
        "defaults": steps.default_steps(),
        "may_edit": permissions.may_edit_products(current_user),
        "errors": errors,
    }
    return render_template("fulfilment/steps.html", **context), (400 if errors else 200)

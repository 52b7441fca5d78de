"""Rush requests (插单申请): ask with the impact preview first, then follow the decision."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.tasks import withdraw
from app.core.web import submit
from app.extensions import db
from app.limits import record_id
from app.modules.orders.models import Order
from app.modules.rush.services import reading, rush
from app.modules.schedule.services import plan

bp = Blueprint("rush", __name__, template_folder="templates")


def _rush_form_context(
    order: Order | None, values, errors, shown: rush.ShownPreview | None = None
) -> dict:
    return {
        "order": order,
        "candidates": reading.candidates(),
        "line_codes": plan.current_line_codes(),
        "values": values,
        "errors": errors,
        "preview": shown.preview if shown else None,
        "preview_key": shown.preview_key if shown else "",
    }


@bp.route("/rush/new", methods=["GET", "POST"])
@login_required
def new():
    """Ask to rush an order: compute the impact preview first, then submit it for approval."""
    f = request.values
    order_text = f.get("order_id", "")
    order_id = record_id(order_text)
    order = db.session.get(Order, order_id) if order_id is not None else None
    values = dict(f.items()) if request.method == "POST" else {"order_id": order_text}
    if request.method == "GET":
        return render_template("rush/new.html", **_rush_form_context(order, values, {}))
    if order is None:
        errors = {"order_id": _("Choose the order to rush.")}
        return render_template("rush/new.html", **_rush_form_context(None, values, errors)), 400
    args = (current_user, order.id, f.get("required_by", ""), f.get("line_code", ""))
    if f.get("action") == "submit":
        created, errors = submit(
            lambda: rush.request_rush(
                *args,
                f.get("reason", ""),
                f.get("customer_ref", ""),
                f.get("preview_key", ""),
                f.get("form_token", ""),
            )
        )
        if not errors:
            flash(
                _(
                    "Rush request #%(id)s was submitted; the plan changes only once it is "
                    "approved.",
                    id=created.id,
                ),
                "success",
            )
            return redirect(url_for("rush.detail", rush_id=created.id))
    else:
        errors = {}
    shown, preview_errors = submit(lambda: rush.preview_request(*args))
    errors = {**preview_errors, **errors}
    context = _rush_form_context(order, values, errors, shown)
    return render_template("rush/new.html", **context), (400 if errors else 200)


@bp.get("/rush/<int:rush_id>")
@login_required
def detail(rush_id: int):
    """One rush request: the impact (live while open), its status and the process steps."""
    found = rush.get(rush_id)
    live = rush.live(found)
    return render_template(
        "rush/detail.html",
        rush=found,
        order=found.order,
        preview=live.preview,
        problem=live.problem,
        steps=reading.steps(found),
        withdrawal=withdraw.offer(current_user, found.instance_id),
    )


@bp.get("/rush")
@login_required
def index():
    """Rush requests a page at a time, newest first (of one status if asked), with the counts
    managers watch."""
    args = request.args
    status = args.get("status", "") if args.get("status") in reading.STATUSES else ""
    return render_template(
        "rush/index.html",
        listed=reading.list_requests(status, record_id(args.get("page"))),
        # The pager's links keep the filter.
        filter_args={name: value for name, value in args.items() if name != "page"},
        statuses=reading.STATUSES,
        status=status,
        counts=reading.counts(),
    )

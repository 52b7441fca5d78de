"""Change requests: raise one against a released order, read its diff, approve from one page."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.tasks import withdraw
from app.core.users import permissions
from app.core.web import panels, submit
from app.modules.changes.services import approvals as head_approvals
from app.modules.changes.services import changes, reading, route
from app.modules.orders import panels as order_panels
from app.modules.orders.services import order_form, orders
from app.modules.rush import hooks as rush_hooks
from app.modules.rush.services import reading as rush_reading

bp = Blueprint("changes", __name__, template_folder="templates")


@bp.route("/orders/<int:order_id>/changes/new", methods=["GET", "POST"])
@login_required
def new(order_id: int):
    """Raise a change notice: the order's data as it should become, with the reason."""
    order = orders.get_order(order_id)
    errors: dict[str, str] = {}
    values = request.form if request.method == "POST" else order_form.values_of(order)
    values = permissions.visible_values(current_user, values)
    if request.method == "POST":
        f = request.form
        change, errors = submit(
            lambda: changes.raise_change(
                current_user,
                order_id,
                order_form.order_input(f),
                f.get("reason_category", ""),
                f.get("reason", ""),
                f.get("customer_ref", ""),
                f.get("form_token", ""),
            )
        )
        if not errors:
            flash(
                _(
                    "Change request #%(id)s was raised; the order stays as it is until it is "
                    "approved.",
                    id=change.id,
                ),
                "success",
            )
            return redirect(url_for("changes.detail", change_id=change.id))
    context = {
        **order_form.form_context(values, errors),
        "show_prices": permissions.can_see_prices(current_user),
    }
    fields = order_panels.order_form(context)  # the order's own fields, as orders renders them
    return render_template(
        "changes/new.html",
        order=order,
        reasons=changes.REASONS,
        **context,
        **panels.page_context({"form": [fields]}),
    ), (400 if errors else 200)


@bp.get("/changes/<int:change_id>")
@login_required
def detail(change_id: int):
    """One change request: the field-by-field diff, the opinions and the decision."""
    change = changes.get_change(change_id)
    view = reading.view(change, current_user)
    return render_template(
        "changes/detail.html",
        order=change.order,
        withdrawal=withdraw.offer(current_user, change.instance_id),
        decide=route.decision_task(view.route, current_user),
        **view.as_context(),
    )


@bp.get("/approvals")
@login_required
def approvals():
    """A manager's page: pending change and rush approvals (head-only steps) of their department."""
    pending = head_approvals.pending(current_user)
    # Rush renders its own pieces: each rush row's impact (with its charts' assets), the counts.
    impacts = [rush_hooks.impact_panel(row.live.preview) for row in pending.rushes]
    rush_counts = rush_hooks.counts_panel(rush_reading.counts())
    return render_template(
        "changes/approvals.html",
        change_rows=pending.changes,
        rush_rows=pending.rushes,
        rush_impacts=[panels.shown(impact) for impact in impacts],
        counts=reading.counts(),
        rush_counts=panels.shown(rush_counts),
        **panels.assets([*impacts, rush_counts]),
    )

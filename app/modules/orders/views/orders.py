"""Order pages: list, entry, revision, detail with timeline, files and the process diagram."""

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import limits
from app.core.audit import services as audit
from app.core.processes import diagrams
from app.core.users import permissions
from app.core.web import active_departments, commit, panels, submit
from app.i18n import current_locale
from app.modules.orders import panels as order_panels
from app.modules.orders.labels import SPEC_LABELS
from app.modules.orders.models import ORDER_STATUSES, ORDER_TYPES
from app.modules.orders.services import (
    access,
    attachments,
    customer_filter,
    lifecycle,
    order_form,
    orders,
    reviews,
    revisions,
)
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.history import order_history
from app.modules.orders.services.order_input import record_id

bp = Blueprint("orders", __name__, url_prefix="/orders", template_folder="../templates")


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("")
@login_required
def index():
    """Orders with filters: status, customer, type, delivery dates, department waited on."""
    args = request.args
    waiting = args.get("waiting", "")
    customer = customer_filter.read(args.get("customer"))
    filters = {
        "status": args.get("status", "") if args.get("status") in ORDER_STATUSES else "",
        "customer_id": customer.customer_id,
        "waiting_on": record_id(waiting),
        "order_type": args.get("type", "") if args.get("type") in ORDER_TYPES else "",
        "date_from": _date_arg("from"),
        "date_to": _date_arg("to"),
        "with_returns": args.get("returns") == "1",
        "query": limits.search_text(args.get("q")),
    }
    listed = (
        None
        if customer.unknown
        else orders.list_orders(**filters, page=record_id(args.get("page")))
    )
    return render_template(
        "orders/index.html",
        listed=listed,
        # The pager's links keep the filters.
        filter_args={name: value for name, value in args.items() if name != "page"},
        statuses=ORDER_STATUSES,
        types=ORDER_TYPES,
        customer_filter=customer,
        departments=active_departments(),
    )


@bp.get("/customer-suggestions")
@login_required
def customer_suggestions():
    """The customer field's suggestions as the user types: at most 20 names that contain it."""
    found = orders.customer_suggestions(request.args.get("customer"))
    return render_template("orders/_customer_options.html", customer_options=found)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Sales enters a new order; saving starts its process."""
    # The page itself is sales-only too, so its GET is refused here, before any service runs.
    access.require_sales(current_user, None, "order_create", request.remote_addr)
    errors: dict[str, str] = {}
    if request.method == "POST":
        order, errors = submit(
            lambda: orders.create_order(
                current_user,
                order_form.order_input(request.form),
                request.files.getlist("attachments"),
                request.form.get("form_token", ""),
                request.remote_addr,
            )
        )
        if not errors:
            flash(
                _("Order %(number)s was entered and sent for confirmation.", number=order.number),
                "success",
            )
            return redirect(url_for("orders.detail", order_id=order.id))
    # A browser never sends a chosen file again: say which ones must be chosen again.
    dropped = [f.filename for f in request.files.getlist("attachments") if f.filename]
    context = order_form.form_context(request.form, errors)
    return render_template("orders/new.html", dropped_files=dropped if errors else [], **context), (
        400 if errors else 200
    )


@bp.route("/<int:order_id>/edit", methods=["GET", "POST"])
@login_required
def edit(order_id: int):
    """Sales revises the order while it is with them; a new revision becomes current."""
    order = orders.get_order(order_id)
    access.require_sales(current_user, order, "order_update", request.remote_addr)
    errors: dict[str, str] = {}
    values = request.form if request.method == "POST" else order_form.values_of(order)
    if request.method == "POST":
        _done, errors = submit(
            lambda: orders.update_order(
                current_user,
                order_id,
                order_form.order_input(request.form),
                request.form.get("reason", ""),
            )
        )
        if not errors:
            flash(
                _(
                    "Revision %(n)s of %(number)s is now current.",
                    n=order.revision,
                    number=order.number,
                ),
                "success",
            )
            return redirect(url_for("orders.detail", order_id=order.id))
    return render_template(
        "orders/edit.html", order=order, **order_form.form_context(values, errors)
    ), (400 if errors else 200)


@bp.get("/<int:order_id>")
@login_required
def detail(order_id: int):
    """The order: lines, open steps, reviews, revisions, files, timeline, diagram, and what the
    other domains show about it (plan, rush and change requests, confirmation: their panels)."""
    order = orders.get_order(order_id)
    tasks = orders.order_tasks(order_id)
    instance = lifecycle.lifecycle_of(order)
    is_sales = permissions.may_handle_orders(current_user)
    may_see_prices = permissions.can_see_prices(current_user)
    page = order_panels.OrderPage(current_user, is_sales, may_see_prices)
    return render_template(
        "orders/detail.html",
        order=order,
        **panels.page_context(order_panels.order_panels(order, page)),
        prices=access.order_prices(current_user, order),
        may_see_prices=may_see_prices,
        priced_kinds=permissions.PRICED_ATTACHMENT_KINDS,
        open_tasks=[t for t in tasks if t.state == "ready"],
        steps=order_history(order_id, current_user, current_locale(), tasks),
        events=audit.events_for(order_subject.ref(order)),
        instance=instance,
        reviews=reviews.latest_reviews(order, tasks),
        revision=revisions.current_revision(order),
        revision_reason=revisions.reason_text,
        spec_labels=list(SPEC_LABELS.items()),
        is_sales=is_sales,
        can_edit=is_sales and orders.editable(order),
        done_ids=",".join(sorted({t.spec_name for t in tasks if t.state == "completed"})),
        current_ids=",".join(sorted({t.spec_name for t in tasks if t.state == "ready"})),
    )


@bp.get("/<int:order_id>/diagram.bpmn")
@login_required
def diagram(order_id: int):
    """The BPMN XML of the version the order's process runs on, for the viewer."""
    instance = lifecycle.lifecycle_of(orders.get_order(order_id))
    if instance is None:
        abort(404)
    return Response(
        diagrams.reader_xml(instance.version, current_locale()), mimetype="application/xml"
    )


@bp.get("/<int:order_id>/files/<int:attachment_id>")
@login_required
def file(order_id: int, attachment_id: int):
    """Download an attachment."""
    attachment, path = attachments.get_attachment(
        order_id, attachment_id, current_user, request.remote_addr
    )
    return send_file(
        path,
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.file_name,
    )


@bp.post("/<int:order_id>/files")
@login_required
def upload(order_id: int):
    """Sales attaches more files (drawings, specs) to the order."""
    order = orders.get_order(order_id)
    access.require_sales(current_user, order, "attachment_add", request.remote_addr)
    errors: dict[str, str] = {}
    uploads = attachments.check_uploads(request.files.getlist("attachments"), errors)
    if errors or not uploads:
        flash(errors.get("attachments") or _("Choose at least one file."), "error")
        return redirect(url_for("orders.detail", order_id=order_id) + "#files")
    attachments.attach(order, uploads, current_user, request.remote_addr)
    commit()
    flash(_("%(n)s file(s) attached.", n=len(uploads)), "success")
    return redirect(url_for("orders.detail", order_id=order_id) + "#files")

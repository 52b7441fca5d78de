"""Production progress reports (生产进度汇报): production says, per order line, which step it
reached and how many units are made in total; the head of the reporter's department corrects
a report with a reason. Every report and correction is audited; the plan then counts only the
hours of what is left (docs/FULFILMENT.md)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import gettext as _

from app import limits
from app.core import clock
from app.core.audit import services as audit
from app.core.submissions import uniqueness
from app.core.users import permissions
from app.core.users.models import User
from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.limits import NumberBound
from app.modules.fulfilment.models import ProgressReport
from app.modules.fulfilment.services import lateness, process
from app.modules.fulfilment.services.steps import steps_by_line
from app.modules.orders import events
from app.modules.orders.models import IN_PLAN_STATUSES, Order, OrderLine
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.access import deny_order
from app.modules.schedule.services import materials

SUBMISSION_KIND = "progress_report"


def _locked(line_id: int) -> tuple[Order, OrderLine]:
    """The order line and its order, the order row locked: reports on one order queue up."""
    line = db.session.get(OrderLine, line_id)
    if line is None:
        raise NotFound(_("This order line does not exist."))
    order = db.session.scalar(
        db.select(Order)
        .where(Order.id == line.order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    db.session.refresh(line)
    return order, line


def _quantity(text: str, line: OrderLine, errors: dict) -> Decimal | None:
    bound = NumberBound(Decimal(0), line.quantity, limits.get("quantity").places)
    return limits.parse_number(text, bound, errors, "quantity_done")


def _apply(order: Order, line: OrderLine, quantity: Decimal) -> None:
    """The line's total done; the order in production, or complete when every line is."""
    line.quantity_done = quantity
    if order.status == "released":
        events.production_started(order)
    if all(item.quantity_done >= item.quantity for item in order.lines):
        if order.status != "production_complete":
            order.status = "production_complete"
            process.tell_production_complete(order)
    elif order.status == "released":
        order.status = "in_production"


def require_reporter(actor: User, order: Order) -> None:
    """Refuse (403, audited) anyone but production or PMC before reading a report's input."""
    if not permissions.may_report_progress(actor):
        message = _("Only production or PMC reports production progress.")
        raise deny_order(actor, order, "progress_report", message=message)


def require_materials(order: Order) -> None:
    """Refuse to start production on an order still waiting for its materials.

    An order that is released but not yet in production starts with its first progress report.
    It may not while its material status (PMC's override when there is one, else the sources')
    holds it in the plan: materials expected after today. A date that has passed holds nothing,
    as in the plan (a late purchase order flags the order instead). PMC overrides on the order
    page when the materials are in fact there.
    """
    if order.status != "released":
        return
    status = materials.material_of(order).status
    day = status.not_before(clock.today())
    if day is None:
        return
    raise InvalidInput(
        _(
            "Order %(number)s is waiting for its materials, expected by %(date)s (%(basis)s): "
            "production does not start before they are there. If they have arrived, PMC sets "
            "the materials' date on the order page and production can start.",
            number=order.number,
            date=day.isoformat(),
            basis=str(status.basis),
        )
    )


@uniqueness.in_savepoint
def report(
    actor: User, line_id: int, step: str, quantity_text: str, note: str, form_token: str = ""
) -> ProgressReport:
    """Record production's report on a line: the step reached and the total quantity done.

    The quantity is cumulative (what is made so far, 0 to the line's quantity) and never goes
    down in a report: a lower figure is a correction for the department head. `form_token`
    makes a second submit of the same form show the first report instead of adding another.
    """
    order, line = _locked(line_id)
    require_reporter(actor, order)
    submission = uniqueness.claim_submission(actor, form_token, SUBMISSION_KIND)
    if order.status not in IN_PLAN_STATUSES:
        raise Conflict(
            _(
                "Order %(number)s is not in production (it is %(status)s): progress is "
                "reported on released orders until every line is made.",
                number=order.number,
                status=status_text(order.status),
            )
        )
    require_materials(order)
    errors: dict[str, str] = {}
    steps = [s.key for s in steps_by_line([line])[line.id]]
    if step not in steps:
        errors["step"] = _("Choose the step the line has reached.")
    quantity = _quantity(quantity_text, line, errors)
    if quantity is not None and quantity < line.quantity_done:
        errors["quantity_done"] = _(
            "%(done)s are already reported done: a report gives the total made so far, so "
            "enter at least that. A lower figure is corrected by your department head.",
            done=format_decimal(line.quantity_done, format="#,##0.###"),
        )
    note = limits.check_text(note, "notes", errors, "note")
    if errors:
        raise InvalidInput(errors=errors)
    row = ProgressReport(
        order_id=order.id,
        order_line_id=line.id,
        kind="report",
        step=step,
        quantity_done=quantity,
        previous_done=line.quantity_done,
        note=note,
        reported_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    uniqueness.bind_submission(submission, order.id)
    _apply(order, line, quantity)
    audit.record(
        actor,
        "progress.report",
        "progress_report",
        row.id,
        subject=order_subject.ref(order),
        data={"line": line.position, "step": step, "done": quantity, "before": row.previous_done},
    )
    lateness.check(actor)
    return row


@uniqueness.in_savepoint
def correct(actor: User, report_id: int, quantity_text: str, reason: str) -> ProgressReport:
    """The reporter's department head corrects a line's latest report, with a reason: the line's
    total done becomes the corrected figure (it may go down). Audited with both figures."""
    wrong = db.session.get(ProgressReport, report_id)
    if wrong is None:
        raise NotFound(_("This progress report does not exist."))
    order, line = _locked(wrong.order_line_id)
    reporter = wrong.reported_by
    if not permissions.may_correct_report(actor, reporter.department_id if reporter else None):
        message = _("Only the head of the reporter's department corrects a progress report.")
        raise deny_order(actor, order, "progress_correct", message=message)
    latest = db.session.scalar(
        db.select(ProgressReport.id)
        .where(ProgressReport.order_line_id == line.id)
        .order_by(ProgressReport.id.desc())
        .limit(1)
    )
    if latest != wrong.id:
        raise Conflict(_("Only the latest report of a line can be corrected; reload the page."))
    if order.status not in IN_PLAN_STATUSES:
        raise Conflict(
            _(
                "Order %(number)s is production complete and with the warehouse: its reports "
                "can no longer be corrected.",
                number=order.number,
            )
        )
    errors: dict[str, str] = {}
    quantity = _quantity(quantity_text, line, errors)
    reason = limits.check_text(reason, "notes", errors, "reason")
    if not reason and "reason" not in errors:
        errors["reason"] = _("Say why the report is corrected.")
    if quantity is not None and quantity == line.quantity_done:
        errors["quantity_done"] = _("This is the figure already reported; nothing to correct.")
    if errors:
        raise InvalidInput(errors=errors)
    row = ProgressReport(
        order_id=order.id,
        order_line_id=line.id,
        kind="correction",
        step=wrong.step,
        quantity_done=quantity,
        previous_done=line.quantity_done,
        note=reason,
        reported_by_id=actor.id,
        corrects_id=wrong.id,
    )
    db.session.add(row)
    db.session.flush()
    _apply(order, line, quantity)
    audit.record(
        actor,
        "progress.correct",
        "progress_report",
        row.id,
        subject=order_subject.ref(order),
        data={
            "line": line.position,
            "corrects": wrong.id,
            "reported_by": wrong.reported_by_id,
            "done": quantity,
            "before": row.previous_done,
            "reason": reason,
        },
    )
    lateness.check(actor)
    return row


def status_text(status: str) -> str:
    """An order status in the reader's language (the few this module names in messages)."""
    names = {
        "production_complete": _("Production complete"),
        "in_production": _("In production"),
        "released": _("Released"),
        "cancelled": _("Cancelled"),
    }
    return names.get(status, _("not yet released"))

"""The production schedule (PMC arranges it) and rush requests with their impact preview."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.i18n import current_locale
from app.models import Order
from app.planning import weekly_load
from app.services import factory_calendar, plan, rush, rush_preview
from app.services.order_input import record_id
from app.web import commit, submit

bp = Blueprint("planning", __name__)


def _plan_context(state) -> dict:
    jobs = {job.order_id: job for job in state.jobs}
    lines = []
    for code, row in state.line_rows.items():
        entries = [
            {
                "job": scheduled,
                "order": state.orders[scheduled.order_id],
                "capable": sorted(
                    line
                    for line in jobs[scheduled.order_id].hours_by_line
                    if line in state.line_rows
                ),
            }
            for scheduled in state.schedule.on_line(code)
        ]
        lines.append({"row": row, "entries": entries})
    return {
        "state": state,
        "lines": lines,
        "load": weekly_load(state.schedule, state.calendar, rush_preview.LOAD_WEEKS),
        "gantt": {"tasks": rush_preview.gantt_tasks(state.schedule), "view_modes": ["Day", "Week"]},
    }


def _schedule_context(values=None, errors=None) -> dict:
    """The schedule page: the plan (or why it cannot be computed now) and the calendar."""
    plan_part, problem = plan.attempt(lambda: _plan_context(plan.current()))
    return {
        **(plan_part or {"state": None, "lines": [], "load": {}, "gantt": None}),
        "plan_problem": problem,
        "plan_row": plan.plan_row(),
        "factory_days": factory_calendar.factory_days(),
        "official_days": factory_calendar.official_holidays(
            "zh_CN" if current_locale().startswith("zh") else "en_US"
        ),
        "may_plan": plan.may_plan(current_user),
        "values": values or {},
        "errors": errors or {},
    }


@bp.route("/schedule", methods=["GET", "POST"])
@login_required
def schedule():
    """The plan per line as a Gantt chart and tables; PMC reorders or moves orders here."""
    if request.method == "POST":
        f = request.form
        rows = [
            (record_id(oid), f.get(f"line-{oid}", ""), f.get(f"position-{oid}", ""))
            for oid in f.getlist("order")
            if record_id(oid) is not None
        ]
        _new, errors = submit(lambda: plan.rearrange(current_user, f.get("fingerprint", ""), rows))
        if not errors:
            flash(_("The production plan was saved."), "success")
            return redirect(url_for("planning.schedule"))
        return render_template("planning/schedule.html", **_schedule_context(f, errors)), 400
    return render_template("planning/schedule.html", **_schedule_context())


@bp.post("/schedule/calendar")
@login_required
def calendar_set():
    """PMC marks a date as a factory holiday or an extra working day."""
    f = request.form
    _row, errors = submit(
        lambda: factory_calendar.set_factory_day(
            current_user,
            f.get("calendar_day", ""),
            f.get("calendar_kind", ""),
            f.get("note", ""),
            f.get("form_token", ""),
        )
    )
    if errors:
        context = _schedule_context(f, errors)
        return render_template("planning/schedule.html", **context), 400
    flash(_("The factory calendar was updated; the plan follows it."), "success")
    return redirect(url_for("planning.schedule") + "#calendar")


@bp.post("/schedule/calendar/<day>/clear")
@login_required
def calendar_clear(day: str):
    """PMC removes the factory's mark on a date."""
    if factory_calendar.clear_factory_day(current_user, day):
        flash(_("The date follows the official calendar again."), "success")
    commit()
    return redirect(url_for("planning.schedule") + "#calendar")


def _rush_form_context(order: Order | None, values, errors, preview=None) -> dict:
    return {
        "order": order,
        "candidates": rush.candidates(),
        "line_codes": plan.current_line_codes(),
        "values": values,
        "errors": errors,
        "preview": preview,
    }


@bp.route("/rush/new", methods=["GET", "POST"])
@login_required
def rush_new():
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
                f.get("fingerprint", ""),
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
            return redirect(url_for("planning.rush_detail", rush_id=created.id))
    else:
        errors = {}
    preview, preview_errors = submit(lambda: rush.preview_request(*args))
    errors = {**preview_errors, **errors}
    context = _rush_form_context(order, values, errors, preview)
    return render_template("rush/new.html", **context), (400 if errors else 200)


@bp.get("/rush/<int:rush_id>")
@login_required
def rush_detail(rush_id: int):
    """One rush request: the impact (live while open), its status and the process steps."""
    found = rush.get(rush_id)
    preview, problem = rush.live(found)
    return render_template(
        "rush/detail.html",
        rush=found,
        order=found.order,
        preview=preview,
        problem=problem,
        steps=rush.steps(found),
    )


@bp.get("/rush")
@login_required
def rush_index():
    """Every rush request, newest first, with the counts managers watch."""
    return render_template("rush/index.html", requests=rush.all_requests(), counts=rush.counts())

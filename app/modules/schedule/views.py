"""The production schedule page: PMC arranges the plan and keeps the factory calendar."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core import clock
from app.core.calendar import services as factory_calendar
from app.core.users import permissions
from app.core.web import commit, submit
from app.i18n import current_locale
from app.modules.orders.services import orders
from app.modules.orders.services.order_input import record_id
from app.modules.schedule.services import charts, materials, plan, writing
from app.planning import weekly_load

bp = Blueprint("schedule", __name__, template_folder="templates")


# Positions per line on one page of the schedule: with 2,000 open orders the whole plan is
# megabytes of HTML (issue 14); a page shows the same stretch of every line.
PLAN_PAGE_SIZE = 20
# Orders the plan cannot place listed by name (the rest are counted): 1,290 of them made half
# the page at volume.
UNPLANNED_SHOWN = 50


def _page_number(text: str | None) -> int:
    """The page asked for (1 for anything that is not a page number)."""
    number = record_id(text or "")
    return number if number is not None else 1


def _plan_context(state, page: int) -> dict:
    jobs = {job.order_id: job for job in state.jobs}
    longest = max((len(state.schedule.on_line(code)) for code in state.line_rows), default=0)
    pages = max(1, -(-longest // PLAN_PAGE_SIZE))
    page = min(page, pages)
    first = (page - 1) * PLAN_PAGE_SIZE
    windows = {
        code: state.schedule.on_line(code)[first : first + PLAN_PAGE_SIZE]
        for code in state.line_rows
    }
    # Only the orders this page shows are read (one statement), whatever the plan's size.
    state.orders.load(job.order_id for window in windows.values() for job in window)
    lines, shown = [], []
    for code, row in state.line_rows.items():
        window = windows[code]
        shown.extend(window)
        entries = [
            {
                "job": scheduled,
                "order": state.orders[scheduled.order_id],
                "material": state.materials.get(scheduled.order_id),
                "capable": sorted(
                    line
                    for line in jobs[scheduled.order_id].hours_by_line
                    if line in state.line_rows
                ),
            }
            for scheduled in window
        ]
        lines.append({"row": row, "entries": entries, "total": len(state.schedule.on_line(code))})
    return {
        "state": state,
        "lines": lines,
        "page": page,
        "pages": pages,
        "page_size": PLAN_PAGE_SIZE,
        "unplanned_shown": UNPLANNED_SHOWN,
        "load": weekly_load(state.schedule, state.calendar, charts.LOAD_WEEKS),
        "gantt_chart": charts.chart(
            charts.gantt_bars_of(shown, {}, state.schedule.start),
            charts.jobs_window(shown, clock.today()),
        ),
    }


def _schedule_context(values=None, errors=None, page: int = 1) -> dict:
    """The schedule page: one page of the plan (or why it cannot be computed now) and the
    calendar."""
    plan_part, problem = plan.attempt(lambda: _plan_context(plan.current(), page))
    empty = {"state": None, "lines": [], "load": {}, "gantt_chart": None, "page": 1, "pages": 1}
    return {
        **(plan_part or empty),
        "plan_problem": problem,
        "plan_row": plan.plan_row(),
        "factory_days": factory_calendar.factory_days(),
        "official_days": factory_calendar.official_holidays(
            "zh_CN" if current_locale().startswith("zh") else "en_US"
        ),
        "may_plan": permissions.may_plan(current_user),
        "values": values or {},
        "errors": errors or {},
    }


@bp.route("/schedule", methods=["GET", "POST"])
@login_required
def index():
    """The plan per line as a Gantt chart and tables; PMC reorders or moves orders here."""
    if request.method == "POST":
        f = request.form
        rows = [
            (record_id(oid), f.get(f"line-{oid}", ""), f.get(f"position-{oid}", ""))
            for oid in f.getlist("order")
            if record_id(oid) is not None
        ]
        _new, errors = submit(
            lambda: writing.rearrange(current_user, f.get("base_fingerprint", ""), rows)
        )
        if not errors:
            flash(_("The production plan was saved."), "success")
            page = _page_number(f.get("page"))
            return redirect(url_for("schedule.index", **({"page": page} if page > 1 else {})))
        context = _schedule_context(f, errors, _page_number(f.get("page")))
        return render_template("schedule/index.html", **context), 400
    page = _page_number(request.args.get("page"))
    return render_template("schedule/index.html", **_schedule_context(page=page))


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
        return render_template("schedule/index.html", **context), 400
    flash(_("The factory calendar was updated; the plan follows it."), "success")
    return redirect(url_for("schedule.index") + "#calendar")


@bp.post("/schedule/calendar/<day>/clear")
@login_required
def calendar_clear(day: str):
    """PMC removes the factory's mark on a date."""
    if factory_calendar.clear_factory_day(current_user, day):
        flash(_("The date follows the official calendar again."), "success")
    commit()
    return redirect(url_for("schedule.index") + "#calendar")


@bp.post("/orders/<int:order_id>/materials")
@login_required
def material_set(order_id: int):
    """PMC sets when the order's materials are ready, with a reason (the plan follows it)."""
    order = orders.get_order(order_id)
    f = request.form
    _row, errors = submit(
        lambda: materials.set_override(
            current_user, order, f.get("ready_on", ""), f.get("reason", "")
        )
    )
    if errors:
        for message in errors.values():
            flash(message, "error")
        return redirect(url_for("orders.detail", order_id=order_id) + "#materials", 303)
    flash(_("The material date was set; the plan follows it."), "success")
    return redirect(url_for("orders.detail", order_id=order_id) + "#materials", 303)


@bp.post("/orders/<int:order_id>/materials/clear")
@login_required
def material_clear(order_id: int):
    """PMC removes its material date: the warehouse's or purchasing's answer holds again."""
    order = orders.get_order(order_id)
    removed, errors = submit(lambda: materials.clear_override(current_user, order))
    if errors:
        for message in errors.values():
            flash(message, "error")
    elif removed:
        flash(
            _("PMC's material date was removed; the plan follows the other sources again."),
            "success",
        )
    return redirect(url_for("orders.detail", order_id=order_id) + "#materials", 303)

"""The rush preview: computed on the plan as it is (cached), and as plain data for the pages
(tables, Gantt bars) and for the request that stores it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date

from flask_babel import gettext as _

from app.errors import InvalidInput
from app.modules.orders.models import Order
from app.modules.schedule.services import plan
from app.modules.schedule.services.charts import LOAD_WEEKS, gantt_bars, gantt_tasks
from app.modules.schedule.services.jobs import job_for
from app.planning import (
    BeyondHorizon,
    NotCapable,
    PlanningError,
    Preview,
    horizon_of,
    insert_rush,
    weekly_load,
)


def preview_dict(preview: Preview, cal) -> dict:
    """A preview as plain JSON data: what the pages show and what a request stores."""
    before_load = weekly_load(preview.before, cal, LOAD_WEEKS)
    after_load = weekly_load(preview.after, cal, LOAD_WEEKS)
    newly_late = {slip.order_id for slip in preview.newly_late}
    marks: dict[int, list[str]] = {slip.order_id: ["og-slipped"] for slip in preview.slips}
    marks[preview.rush.order_id] = ["og-rush"]
    return {
        "order_id": preview.rush.order_id,
        "order_number": preview.rush.order_number,
        "line": preview.line,
        "required_by": preview.required_by.isoformat(),
        "start": preview.rush.start.isoformat(),
        "finish": preview.rush.finish.isoformat(),
        "hours": preview.rush.hours,
        "meets_required_date": preview.meets_required_date,
        "days_past_required": preview.days_past_required,
        "slips": [
            {
                "order_id": s.order_id,
                "order_number": s.order_number,
                "line": s.line,
                "old_finish": s.old_finish.isoformat(),
                "new_finish": s.new_finish.isoformat(),
                "working_days": s.working_days,
                "promised": s.promised.isoformat() if s.promised else None,
                "late": s.late,
                "newly_late": s.order_id in newly_late,
            }
            for s in preview.slips
        ],
        # An order pushed past the planning horizon is late too, and the approver must see it.
        "beyond_horizon": [unplaced.order_number for unplaced in preview.newly_beyond],
        "late_orders": len(preview.newly_late) + len(preview.newly_beyond),
        "slipped_orders": len(preview.slips),
        "max_slip_days": preview.max_slip_days,
        "load": [
            {
                "line": line,
                "week": old.week,
                "capacity": new.capacity_hours,
                "before": old.booked_hours,
                "after": new.booked_hours,
            }
            for line, weeks in after_load.items()
            for old, new in zip(before_load[line], weeks, strict=True)
        ],
        "before": gantt_tasks(preview.before),
        "after": gantt_bars(preview.after, marks),
        "plan_start": preview.before.start.isoformat(),
        "base_fingerprint": preview.base_fingerprint,
    }


def impact_of(data: dict) -> dict:
    """The figures the process decides on (RUSH_CONTRACT `impact`)."""
    return {
        "late_orders": data["late_orders"],
        "slipped_orders": data["slipped_orders"],
        "max_slip_days": data["max_slip_days"],
        "fingerprint": data["base_fingerprint"],
    }


# Previews by everything they depend on: the base plan's fingerprint (its orders, lines,
# capacities, start and days), the calendar, and the rush job and request. Pages showing an open
# request recompute it on every view; an unchanged plan gives the same preview.
_CACHE: OrderedDict[tuple, tuple] = OrderedDict()
_CACHE_SIZE = 64
_cache_lock = threading.Lock()


def compute(order: Order, required_by: date, line_code: str | None, state=None) -> tuple:
    """(Preview, its dict) of rushing `order` on the plan as it is now; InvalidInput if it can't."""
    state = state or plan.current()
    rush_job = job_for(order)
    # A line left out of the plan (no usable capacity) cannot take the rush either.
    if line_code is not None and line_code not in state.line_rows:
        raise InvalidInput(errors={"line_code": _("This line cannot make the order.")})
    if not any(code in state.line_rows for code in rush_job.hours_by_line):
        raise InvalidInput(_("No production line can make this order."))
    key = (
        state.fingerprint,
        tuple(job.order_number for job in state.schedule.jobs),  # shown, not in the fingerprint
        state.calendar,
        rush_job.order_id,
        rush_job.order_number,
        tuple(sorted(rush_job.hours_by_line.items())),
        rush_job.promised,
        required_by,
        line_code,
    )
    with _cache_lock:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    result = _compute(state, rush_job, required_by, line_code)
    with _cache_lock:
        _CACHE[key] = result
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result


def _compute(state, rush_job, required_by: date, line_code: str | None) -> tuple:
    try:
        preview = insert_rush(
            state.jobs,
            state.lines,
            state.calendar,
            state.start,
            rush_job,
            required_by,
            line=line_code,
            sequence=state.sequence,
        )
    except NotCapable as exc:
        raise InvalidInput(errors={"line_code": _("This line cannot make the order.")}) from exc
    except BeyondHorizon as exc:
        raise InvalidInput(
            _(
                "Order %(number)s would finish after the planning horizon (%(date)s) on every "
                "line it may go on: check its quantities and hours per unit.",
                number=rush_job.order_number,
                date=horizon_of(state.start),
            )
        ) from exc
    except PlanningError as exc:
        raise InvalidInput(_("The plan cannot place this order.")) from exc
    return preview, preview_dict(preview, state.calendar)

"""The rush preview: computed on the plan as it is (cached), and as the plain figures the pages
show (tables, Gantt bars) and the request stores as JSON."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _

from app.core import clock
from app.errors import InvalidInput
from app.modules.orders.models import Order
from app.modules.schedule.services import plan
from app.modules.schedule.services.charts import LOAD_WEEKS, chart, gantt_bars, gantt_tasks
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
from app.planning.windows import ChartWindow, chart_window


@dataclass(frozen=True)
class SlippedOrder:
    """An order that finishes later once the rush goes first, as the preview shows it."""

    order_id: int
    order_number: str
    line: str
    old_finish: date
    new_finish: date
    working_days: int
    promised: date | None
    late: bool
    newly_late: bool

    @classmethod
    def from_data(cls, data: dict) -> SlippedOrder:
        """A slip as stored in a request's preview."""
        promised = data.get("promised")
        return cls(
            order_id=data["order_id"],
            order_number=data["order_number"],
            line=data["line"],
            old_finish=date.fromisoformat(data["old_finish"]),
            new_finish=date.fromisoformat(data["new_finish"]),
            working_days=data["working_days"],
            promised=date.fromisoformat(promised) if promised else None,
            late=data["late"],
            newly_late=data["newly_late"],
        )


@dataclass(frozen=True)
class LineWeekLoad:
    """One line's ISO week: hours booked before and after the insertion, of the capacity."""

    line: str
    week: str
    capacity: float
    before: float
    after: float


@dataclass(frozen=True)
class RushPreview:
    """The impact of rushing an order, as every page shows it and a rush request stores it.

    The field order is the stored JSON's key order: `to_json` writes what the requests of
    every earlier version stored, and `from_json` reads them back.
    """

    order_id: int
    order_number: str
    line: str
    required_by: date
    start: date
    finish: date
    hours: float
    meets_required_date: bool
    days_past_required: int
    slips: tuple[SlippedOrder, ...]
    # An order pushed past the planning horizon is late too, and the approver must see it.
    beyond_horizon: tuple[str, ...]
    late_orders: int
    slipped_orders: int
    max_slip_days: int
    load: tuple[LineWeekLoad, ...]
    before: tuple[dict, ...]  # Gantt bars of the plan now, as assets/gantt.js reads them
    after: tuple[dict, ...]  # ... and after the insertion (rush and slipped orders marked)
    plan_start: date
    base_fingerprint: str

    @classmethod
    def of(cls, preview: Preview, cal) -> RushPreview:
        """The figures of a computed insertion, on the calendar it was computed with."""
        before_load = weekly_load(preview.before, cal, LOAD_WEEKS)
        after_load = weekly_load(preview.after, cal, LOAD_WEEKS)
        newly_late = {slip.order_id for slip in preview.newly_late}
        marks: dict[int, list[str]] = {slip.order_id: ["og-slipped"] for slip in preview.slips}
        marks[preview.rush.order_id] = ["og-rush"]
        return cls(
            order_id=preview.rush.order_id,
            order_number=preview.rush.order_number,
            line=preview.line,
            required_by=preview.required_by,
            start=preview.rush.start,
            finish=preview.rush.finish,
            hours=preview.rush.hours,
            meets_required_date=preview.meets_required_date,
            days_past_required=preview.days_past_required,
            slips=tuple(
                SlippedOrder(
                    order_id=s.order_id,
                    order_number=s.order_number,
                    line=s.line,
                    old_finish=s.old_finish,
                    new_finish=s.new_finish,
                    working_days=s.working_days,
                    promised=s.promised,
                    late=s.late,
                    newly_late=s.order_id in newly_late,
                )
                for s in preview.slips
            ),
            beyond_horizon=tuple(unplaced.order_number for unplaced in preview.newly_beyond),
            late_orders=len(preview.newly_late) + len(preview.newly_beyond),
            slipped_orders=len(preview.slips),
            max_slip_days=preview.max_slip_days,
            load=tuple(
                LineWeekLoad(
                    line=line,
                    week=old.week,
                    capacity=new.capacity_hours,
                    before=old.booked_hours,
                    after=new.booked_hours,
                )
                for line, weeks in after_load.items()
                for old, new in zip(before_load[line], weeks, strict=True)
            ),
            before=tuple(gantt_tasks(preview.before)),
            after=tuple(gantt_bars(preview.after, marks)),
            plan_start=preview.before.start,
            # Where the orders stand, not their hours: a progress report that moves no order
            # and makes none late does not make an open decision stale (docs/FULFILMENT.md).
            base_fingerprint=preview.before.standing_fingerprint,
        )

    def impact(self) -> dict:
        """The figures the process decides on (RUSH_CONTRACT `impact`, process data)."""
        return {
            "late_orders": self.late_orders,
            "slipped_orders": self.slipped_orders,
            "max_slip_days": self.max_slip_days,
            "fingerprint": self.base_fingerprint,
        }

    def window(self, today: date) -> ChartWindow:
        """The days both charts open on: today to the last finish of the rush order and of every
        order whose dates move or that becomes late (before and after), and the required date."""
        spans = [(self.start, self.finish), (self.required_by, self.required_by)]
        spans += [(slip.old_finish, slip.new_finish) for slip in self.slips]
        before = {bar["id"]: (bar["start"], bar["end"]) for bar in self.before}
        for bar in self.after:
            old = before.get(bar["id"])
            if old != (bar["start"], bar["end"]):
                spans.append((date.fromisoformat(bar["start"]), date.fromisoformat(bar["end"])))
                if old is not None:
                    spans.append((date.fromisoformat(old[0]), date.fromisoformat(old[1])))
        return chart_window(today, spans)

    def charts(self, today: date | None = None) -> dict[str, dict]:
        """The data blocks of the charts before and after the insertion, on one window; `today`
        is the factory's (clock.today()) unless given."""
        window = self.window(today or clock.today())
        return {"before": chart(self.before, window), "after": chart(self.after, window)}

    def to_json(self) -> str:
        """The preview as a rush request stores it (`rush_request.preview`)."""
        return json.dumps(_plain(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> RushPreview:
        """A stored preview; requests stored before the planning horizon have no
        `beyond_horizon` (none was)."""
        data = json.loads(text)
        return cls(
            order_id=data["order_id"],
            order_number=data["order_number"],
            line=data["line"],
            required_by=date.fromisoformat(data["required_by"]),
            start=date.fromisoformat(data["start"]),
            finish=date.fromisoformat(data["finish"]),
            hours=data["hours"],
            meets_required_date=data["meets_required_date"],
            days_past_required=data["days_past_required"],
            slips=tuple(SlippedOrder.from_data(slip) for slip in data["slips"]),
            beyond_horizon=tuple(data.get("beyond_horizon", ())),
            late_orders=data["late_orders"],
            slipped_orders=data["slipped_orders"],
            max_slip_days=data["max_slip_days"],
            load=tuple(LineWeekLoad(**cell) for cell in data["load"]),
            before=tuple(data["before"]),
            after=tuple(data["after"]),
            plan_start=date.fromisoformat(data["plan_start"]),
            base_fingerprint=data["base_fingerprint"],
        )


def _plain(value: Any) -> Any:
    """JSON data of a preview: dataclasses as objects in field order, dates as ISO text."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


@dataclass(frozen=True)
class Computed:
    """A rush insertion computed on the plan: the planning result and the preview it shows."""

    insertion: Preview
    preview: RushPreview


# Previews by everything they depend on: the base plan's fingerprint (its orders, lines,
# capacities, start and days), the calendar, and the rush job and request. Pages showing an open
# request recompute it on every view; an unchanged plan gives the same preview.
_CACHE: OrderedDict[tuple, Computed] = OrderedDict()
_CACHE_SIZE = 64
_cache_lock = threading.Lock()


def compute(order: Order, required_by: date, line_code: str | None, state=None) -> Computed:
    """Rushing `order` on the plan as it is now (or `state`); InvalidInput if it can't."""
    state = state or plan.current()
    rush_job = job_for(order)
    if rush_job is None:
        raise InvalidInput(_("Every line of this order is made in full: there is nothing to rush."))
    rush_job = plan.material_job(state, order, rush_job)  # it does not start before its materials
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
        rush_job.not_before,
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


def _compute(state, rush_job, required_by: date, line_code: str | None) -> Computed:
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
            before=state.schedule,  # the plan of these inputs: not placed again
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
    return Computed(preview, RushPreview.of(preview, state.calendar))

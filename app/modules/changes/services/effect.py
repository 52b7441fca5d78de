"""A change request's effect on the production plan: the order's finish before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.modules.orders.models import Order
from app.modules.schedule.services import plan
from app.planning import Job, PlanningError, Slip, order_hours, schedule, slips_between


@dataclass(frozen=True)
class ChangeEffect:
    """What a change of an order's items or promised date does to the plan."""

    line: str
    finish_before: date
    finish_after: date | None  # None: it would finish after the planning horizon
    promised_after: date | None
    late_after: bool
    slips: list[Slip]  # other orders that finish later
    horizon: date | None = None


def effect_of_change(order: Order, lines: list, promised: date | None) -> ChangeEffect | None:
    """The plan with the order's items and promised date replaced, compared with the plan now.

    `lines` are the changed order's lines (OrderLine-shaped: position, quantity, product). A
    described item keeps the estimate of the current line at its position; None when the order
    is not planned or an item has no hours yet (the reviewers' estimate is then the guide).
    """
    state = plan.current()
    if order.id not in state.orders:
        return None
    estimates = {item.position: item for item in order.lines if item.product is None}
    items = []
    for item in lines:
        product = item.product
        if product is not None:
            rates = {rate.line.code: rate.hours_per_unit for rate in product.rates}
        else:
            known = estimates.get(item.position)
            estimate = known.planned_estimate if known is not None else None
            rates = {estimate.line.code: estimate.hours_per_unit} if estimate is not None else {}
        if not rates:
            return None
        items.append((item.quantity, rates))
    try:
        hours = order_hours(order.number, items)
        held = next(job.not_before for job in state.jobs if job.order_id == order.id)
        changed = Job(order.id, order.number, hours, promised, order.released_at, held)
    except PlanningError:
        return None
    jobs = [changed if job.order_id == order.id else job for job in state.jobs]
    sequence = {
        code: [oid for oid in ids if oid != order.id or code in hours]
        for code, ids in state.sequence.items()
    }
    after = schedule(jobs, state.lines, state.calendar, state.start, sequence=sequence)
    before_job = state.schedule.job(order.id)
    if any(unplaced.order_id == order.id for unplaced in after.beyond_horizon):
        return ChangeEffect(
            line=before_job.line,
            finish_before=before_job.finish,
            finish_after=None,
            promised_after=promised,
            late_after=True,
            slips=[],
            horizon=after.horizon,
        )
    after_job = after.job(order.id)
    return ChangeEffect(
        line=after_job.line,
        finish_before=before_job.finish,
        finish_after=after_job.finish,
        promised_after=promised,
        late_after=after_job.late,
        slips=slips_between(state.schedule, after, state.calendar, ignore=(order.id,)),
    )

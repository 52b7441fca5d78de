"""Progress against the plan (订单追踪): per order line what is done, the hours left, and its
milestone steps with the dates the plan reaches them; per order the planned dates.

Remaining hours of a line = its hours x (1 - quantity done / quantity) (the plan counts only
these). A line's steps share its hours (equally by default): step i is planned for the day the
plan's allocations of the order reach the hours of the steps up to i, assuming the order's
lines advance together (docs/FULFILMENT.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from app.extensions import db
from app.modules.fulfilment.models import ProgressReport
from app.modules.fulfilment.services.steps import Step, steps_by_line
from app.modules.orders.models import Order, OrderLine
from app.modules.schedule.models import PlanSlot
from app.modules.schedule.services.jobs import line_rates
from app.planning import ScheduledJob


@dataclass(frozen=True)
class Milestone:
    step: Step
    hours: float  # the step's share of the line's hours
    reached: bool
    planned: date | None  # when the plan reaches it (None: reached, or not planned)


@dataclass
class LineProgress:
    line: OrderLine
    steps: list[Step]
    last_step: Step | None  # the step the latest report named
    hours: float | None  # the line's hours on the planned line (None: not planned)
    milestones: list[Milestone] = field(default_factory=list)

    @property
    def remaining_hours(self) -> float | None:
        """hours x (1 - done / quantity)."""
        if self.hours is None:
            return None
        return float(Fraction(str(self.hours)) * (1 - self.done_share))

    @property
    def done_share(self) -> Fraction:
        quantity = self.line.quantity or Decimal(0)
        if quantity <= 0:
            return Fraction(0)
        return Fraction(self.line.quantity_done or 0) / Fraction(quantity)

    @property
    def percent(self) -> int:
        return int(self.done_share * 100)


@dataclass
class OrderProgress:
    order: Order
    lines: list[LineProgress]
    job: ScheduledJob | None  # its place in the plan now
    baseline_finish: date | None  # the finish PMC's plan last wrote (plan_slot)

    @property
    def done_share(self) -> float | None:
        """The share of the order's hours made; None when no line has planned hours (an order
        made in full has left the plan, so its hours are no longer known)."""
        total = sum(lp.hours or 0 for lp in self.lines)
        if not total:
            return None
        return sum((lp.hours or 0) * float(lp.done_share) for lp in self.lines) / total

    @property
    def made_in_full(self) -> bool:
        return bool(self.lines) and all(lp.done_share >= 1 for lp in self.lines)


def _last_steps(line_ids: list[int]) -> dict[int, str]:
    """The step named by each line's latest report (one statement)."""
    if not line_ids:
        return {}
    latest = (
        db.select(db.func.max(ProgressReport.id))
        .where(ProgressReport.order_line_id.in_(line_ids))
        .group_by(ProgressReport.order_line_id)
    )
    rows = db.session.execute(
        db.select(ProgressReport.order_line_id, ProgressReport.step).where(
            ProgressReport.id.in_(latest)
        )
    )
    return dict(rows.all())


def baseline_finish(order_id: int) -> date | None:
    """The finish date the plan was last written with for this order (PMC's baseline)."""
    return db.session.scalar(
        db.select(PlanSlot.planned_finish).where(PlanSlot.order_id == order_id)
    )


def _planned_dates(job: ScheduledJob | None, fractions: list[Fraction]) -> list[date | None]:
    """The day the job's allocations reach each fraction of its (remaining) hours."""
    if job is None or not job.hours:
        return [None for _ in fractions]
    total = Fraction(str(job.hours))
    out, done, allocations = [], Fraction(0), list(job.allocations)
    index = 0
    for fraction in fractions:
        target = fraction * total
        while index < len(allocations) and done < target:
            done += Fraction(str(allocations[index][1]))
            index += 1
        out.append(allocations[max(index - 1, 0)][0] if allocations else None)
    return out


def line_progress(lp: LineProgress, job: ScheduledJob | None) -> None:
    """Fill the line's milestones: reached by report or quantity, else the planned date."""
    reached_upto = -1
    if lp.last_step is not None:
        reached_upto = [s.key for s in lp.steps].index(lp.last_step.key)
    if lp.done_share >= 1:
        reached_upto = len(lp.steps) - 1
    hours = Fraction(str(lp.hours)) if lp.hours else Fraction(0)
    done = hours * lp.done_share
    remaining = hours - done
    cumulative = Fraction(0)
    fractions: list[Fraction] = []
    for step in lp.steps:
        cumulative += step.share
        ahead = cumulative * hours - done
        fractions.append(ahead / remaining if remaining > 0 and ahead > 0 else Fraction(0))
    dates = _planned_dates(job, fractions)
    lp.milestones = [
        Milestone(
            step=step,
            hours=float(step.share * hours),
            reached=n <= reached_upto,
            planned=None if n <= reached_upto else dates[n],
        )
        for n, step in enumerate(lp.steps)
    ]


def progress_of(order: Order, job: ScheduledJob | None) -> OrderProgress:
    """The order's progress: its lines, their milestones against the plan (`job`: the order's
    place in the plan now, or None), and PMC's baseline finish."""
    lines = list(order.lines)
    steps = steps_by_line(lines)
    last = _last_steps([line.id for line in lines])
    out = []
    for line in lines:
        by_key = {s.key: s for s in steps[line.id]}
        hours = None
        if job is not None:
            rate = line_rates(line)[0].get(job.line)
            hours = float(Fraction(str(rate)) * Fraction(str(line.quantity))) if rate else None
        lp = LineProgress(line, steps[line.id], by_key.get(last.get(line.id, "")), hours)
        line_progress(lp, job)
        out.append(lp)
    return OrderProgress(order, out, job, baseline_finish(order.id))


def reports_of(order_id: int) -> list[ProgressReport]:
    """The order's reports and corrections, newest first."""
    return list(
        db.session.scalars(
            db.select(ProgressReport)
            .where(ProgressReport.order_id == order_id)
            .order_by(ProgressReport.id.desc())
        )
    )


def latest_report_ids(order_id: int) -> set[int]:
    """The latest report of each of the order's lines: the ones a head may correct."""
    return set(
        db.session.scalars(
            db.select(db.func.max(ProgressReport.id))
            .where(ProgressReport.order_id == order_id)
            .group_by(ProgressReport.order_line_id)
        )
    )

"""Late orders (延期预警): open orders whose plan finishes after the promised date ("late"),
after the finish PMC's plan was last written with ("behind plan"), or within LATE_RISK_DAYS
working days of the promised date ("at risk"). PMC lists them; each order's owner is told once
per new or worse flag (in-app notification `order_late`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.core.notifications import services as notifications
from app.core.submissions import uniqueness
from app.core.users import permissions
from app.core.users.models import Department, User
from app.extensions import db
from app.modules.fulfilment.models import LATE_KINDS, LateFlag
from app.modules.orders.models import Order
from app.modules.orders.services import subject as order_subject
from app.modules.schedule.models import PlanSlot
from app.modules.schedule.services import plan

SEVERITY = {kind: n for n, kind in enumerate(LATE_KINDS)}  # behind < at_risk < late


@dataclass(frozen=True)
class LateOrder:
    order_id: int
    kind: str  # "late", "behind" or "at_risk" (the worst that applies)
    line: str
    finish: date
    promised: date | None
    baseline: date | None  # the finish PMC's plan was written with
    days: int  # working days past the promised date (late), the baseline (behind), or of slack

    @property
    def severity(self) -> int:
        return SEVERITY[self.kind]

    # The order's row, read for the late orders a page shows (`with_orders`).
    order: Order | None = None


def _baselines(order_ids: list[int]) -> dict[int, date]:
    if not order_ids:
        return {}
    rows = db.session.execute(
        db.select(PlanSlot.order_id, PlanSlot.planned_finish).where(
            PlanSlot.order_id.in_(order_ids)
        )
    )
    return dict(rows.all())


def with_orders(found: list[LateOrder], state=None) -> list[LateOrder]:
    """`found` with each order's row (read in one statement for the lot)."""
    state = state or plan.current()
    state.orders.load(late.order_id for late in found)
    return [replace(late, order=state.orders[late.order_id]) for late in found]


def late_orders(state=None, rows: bool = True) -> list[LateOrder]:
    """Every open order in the plan that is late, behind plan or at risk; worst first, then by
    finish. `state`: the plan as computed (`plan.current()`), computed here if not given.
    Without `rows` the orders' rows are not read (a page reads those it shows: `with_orders`)."""
    state = state or plan.current()
    risk_days = current_app.config["LATE_RISK_DAYS"]
    cal = state.calendar
    baselines = _baselines(sorted(state.orders))
    found = []
    for job in state.schedule.jobs:
        baseline = baselines.get(job.order_id)
        kind, days = None, 0
        if job.promised is not None and job.finish > job.promised:
            kind, days = "late", cal.workdays_between(job.promised, job.finish)
        elif (
            job.promised is not None and cal.workdays_between(job.finish, job.promised) <= risk_days
        ):
            kind, days = "at_risk", cal.workdays_between(job.finish, job.promised)
        if baseline is not None and job.finish > baseline and kind != "late":
            kind, days = "behind", cal.workdays_between(baseline, job.finish)
        if kind is not None:
            found.append(
                LateOrder(job.order_id, kind, job.line, job.finish, job.promised, baseline, days)
            )
    found.sort(key=lambda late: (-late.severity, late.finish, late.order_id))
    return with_orders(found, state) if rows else found


def flag_of(order_id: int) -> LateFlag | None:
    return db.session.get(LateFlag, order_id)


def _recipients(order: Order) -> list[int]:
    """The order's owner (who entered it); else the sales heads."""
    if order.created_by_id:
        return [order.created_by_id]
    return list(
        db.session.scalars(
            db.select(User.id)
            .join(Department, Department.id == User.department_id)
            .where(Department.key == permissions.SALES, User.role == "head", User.active.is_(True))
            .order_by(User.id)
        )
    )


def check(actor: User | None = None) -> int:
    """Flag the late orders now, tell the owner of each new or worse one, and clear the flags of
    orders on time again (or finished). Returns how many owners were told. A plan that cannot be
    computed now changes nothing (the schedule page says why)."""
    state, problem = plan.attempt(plan.current)
    if problem is not None:
        return 0
    now = {late.order_id: late for late in late_orders(state, rows=False)}
    flags = {flag.order_id: flag for flag in db.session.scalars(db.select(LateFlag))}
    for order_id, flag in flags.items():
        if order_id not in now:
            db.session.delete(flag)
    told = 0
    for order_id, late in now.items():
        flag = flags.get(order_id)
        if flag is not None and SEVERITY.get(flag.kind, -1) >= late.severity:
            flag.kind, flag.finish = late.kind, late.finish.isoformat()  # better: not news
            continue
        if flag is None:
            try:
                with uniqueness.savepoint():
                    db.session.add(
                        LateFlag(order_id=order_id, kind=late.kind, finish=late.finish.isoformat())
                    )
            except IntegrityError:
                continue  # flagged by a concurrent check, which tells the owner
        else:
            flag.kind, flag.finish = late.kind, late.finish.isoformat()
        order = state.orders[order_id]
        params = {
            "number": order.number,
            "kind": late.kind,
            "finish": late.finish.isoformat(),
            "promised": late.promised.isoformat() if late.promised else None,
            "baseline": late.baseline.isoformat() if late.baseline else None,
            "days": late.days,
        }
        told += notifications.notify_users(
            _recipients(order), order_subject.ref(order), "order_late", params
        )
    db.session.flush()
    return told

"""The production plan (生产排程): released orders on the lines, as PMC arranged them.

The plan is computed by `app.planning` from the database each time: the lines and their daily
capacity, the working calendar, the orders to make (released ones, and any order an approved
rush request placed), and PMC's sequence, stored as one `plan_slot` per order. Writing a plan
(PMC reorders, a rush is applied) locks the `production_plan` row, checks that the plan is still
the one the user saw (its fingerprint), and rewrites every slot in the same transaction.
"""

from __future__ import annotations

import gc
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TypeVar

from flask import current_app, has_request_context, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from app.core import clock
from app.core.audit import services as audit
from app.core.calendar import services as factory_calendar
from app.core.clock import utcnow
from app.core.notifications import services as notifications
from app.core.submissions import uniqueness
from app.core.users import permissions
from app.core.users.models import User
from app.errors import Conflict, DomainError, InvalidInput, PermissionDenied
from app.extensions import db
from app.modules.orders.models import Order, ProductionLine
from app.modules.orders.services import subject as order_subject
from app.modules.schedule.models import PlanSlot, ProductionPlan
from app.modules.schedule.services import materials as material_dates
from app.modules.schedule.services.jobs import (
    ACTIVE_STATUSES,
    job_for,
    orders_to_plan,
    usable_lines,
)
from app.planning import (
    Job,
    Line,
    PlanningError,
    Schedule,
    ScheduledJob,
    Slip,
    WorkCalendar,
    schedule,
    slips_between,
)

T = TypeVar("T")

PLAN_ID = 1


def calendar(start: date | None = None) -> WorkCalendar:
    """The working calendar the plan uses (app/services/factory_calendar.py)."""
    return factory_calendar.calendar(start or clock.today())


@dataclass(frozen=True)
class Unplanned:
    """An order that should be planned but cannot be, and why (shown to PMC)."""

    order: Order
    message: str


@dataclass
class PlanState:
    """Everything the plan was computed from, and the schedule itself."""

    start: date
    calendar: WorkCalendar
    lines: list[Line]
    line_rows: dict[str, ProductionLine]
    orders: dict[int, Order]
    jobs: list[Job]
    sequence: dict[str, list[int]]
    schedule: Schedule
    unplanned: list[Unplanned] = field(default_factory=list)
    # Lines left out of the plan (a capacity of 0 or less in the database), with the reason.
    problems: list[str] = field(default_factory=list)
    # Each planned order's material status (docs/PLANNING.md, "Material dates").
    materials: dict[int, material_dates.Material] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """The fingerprint of the schedule as computed now."""
        return self.schedule.fingerprint


def _lock_plan() -> ProductionPlan:
    """The plan row, locked for this transaction (created on first use)."""
    row = db.session.scalar(
        db.select(ProductionPlan).where(ProductionPlan.id == PLAN_ID).with_for_update()
    )
    if row is None:
        try:
            with uniqueness.savepoint():
                db.session.add(ProductionPlan(id=PLAN_ID, version=0, fingerprint=""))
        except IntegrityError:
            pass  # created by a concurrent writer; lock theirs
        row = db.session.scalar(
            db.select(ProductionPlan).where(ProductionPlan.id == PLAN_ID).with_for_update()
        )
    return row


def _jobs(line_rows: dict, bad_lines: set[str]) -> tuple[dict, list[Job], list[Unplanned]]:
    orders: dict[int, Order] = {}
    jobs: list[Job] = []
    unplanned: list[Unplanned] = []
    for order in orders_to_plan():
        try:
            job = job_for(order)
        except InvalidInput as exc:
            unplanned.append(Unplanned(order, exc.message))
            continue
        if job is None:  # made in full, its status not yet moved on: nothing left to plan
            continue
        if not any(code in line_rows for code in job.hours_by_line):
            message = _("No production line can make this order.")
            if any(code in bad_lines for code in job.hours_by_line):
                message = _(
                    "The only lines that can make this order have no usable daily capacity."
                )
            unplanned.append(Unplanned(order, message))
            continue
        orders[order.id] = order
        jobs.append(job)
    return orders, jobs, unplanned


# The last plans computed by this process, by everything they were computed from: a page view
# on an unchanged plan reuses the schedule instead of placing every open order again.
_PLANS: OrderedDict[str, tuple[Callable, Schedule]] = OrderedDict()
_PLANS_KEPT = 4
_PLANS_LOCK = threading.Lock()


def _schedule_of(jobs, lines, cal, start, sequence) -> Schedule:
    """`schedule(...)`, or the one computed from exactly the same inputs before.

    The key is the full text of every input (each job with all its fields, the lines, the
    calendar's days, the start, PMC's sequence), so any change is a new plan; the planner is
    part of it too, so a replaced one (in tests) never gets another's result.
    """
    key = hashlib.sha256(repr((start, cal, lines, jobs, sequence)).encode()).hexdigest()
    with _PLANS_LOCK:
        found = _PLANS.get(key)
        if found is not None and found[0] is schedule:
            _PLANS.move_to_end(key)
            return found[1]
    computed = schedule(jobs, lines, cal, start, sequence=sequence)
    with _PLANS_LOCK:
        _PLANS[key] = (schedule, computed)
        while len(_PLANS) > _PLANS_KEPT:
            _PLANS.popitem(last=False)
    return computed


_REQUEST_KEY = "ordergate.plan_state"


def current(lock: bool = False, start: date | None = None) -> PlanState:
    """The plan as it stands: computed from the orders, lines, calendar and PMC's slots.

    With `lock`, the plan row is locked first, so nobody else writes the plan until commit.
    Bad data (a capacity or rate of 0, a huge quantity) leaves the order or line out, with the
    reason in `unplanned` or `problems`; it never fails the plan.
    """
    # A page that only reads (GET) computes the plan once: the order page asks for the order's
    # place and for its progress, each from the whole plan.
    # Kept in the request's own environ: `g` lives as long as the app context, which a test's
    # client shares between requests.
    reading = not lock and start is None and has_request_context() and request.method == "GET"
    if reading and _REQUEST_KEY in request.environ:
        return request.environ[_REQUEST_KEY]
    state = _computed(lock, start)
    if reading:
        request.environ[_REQUEST_KEY] = state
    return state


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while the plan is built, on again after.

    Building a plan makes tens of thousands of objects that live until the request ends (ORM
    rows, jobs, placements); the collector kept rescanning them: at 1,958 open orders, half of
    the 0.7 s of CPU a plan took (docs/PERFORMANCE.md). Nothing built here is garbage before the
    build ends, so pausing it frees nothing later than it would have been freed anyway.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _computed(lock: bool, start: date | None) -> PlanState:
    with _collector_paused():
        return _build(lock, start)


def _build(lock: bool, start: date | None) -> PlanState:
    if lock:
        _lock_plan()
    start = start or clock.today()
    cal = calendar(start)
    all_rows = {
        row.code: row
        for row in db.session.scalars(db.select(ProductionLine).order_by(ProductionLine.code))
    }
    line_rows, problems = usable_lines(all_rows)
    lines = [Line(code, row.daily_hours) for code, row in line_rows.items()]
    orders, jobs, unplanned = _jobs(line_rows, set(all_rows) - set(line_rows))
    materials = material_dates.materials_of(orders, start)
    jobs = [held(job, orders[job.order_id], materials[job.order_id], start) for job in jobs]
    by_id = {job.order_id: job for job in jobs}
    sequence: dict[str, list[int]] = {code: [] for code in line_rows}
    slots = db.session.scalars(db.select(PlanSlot).order_by(PlanSlot.position, PlanSlot.order_id))
    for slot in slots:
        job = by_id.get(slot.order_id)
        # A slot whose order can no longer be made there (its items changed, or the line is left
        # out) is dropped: the order joins the queue by its promised date instead.
        if job is not None and slot.line.code in sequence and slot.line.code in job.hours_by_line:
            sequence[slot.line.code].append(slot.order_id)
    sched = _schedule_of(jobs, lines, cal, start, sequence)
    for beyond in sched.beyond_horizon:
        unplanned.append(
            Unplanned(
                orders.pop(beyond.order_id),
                _(
                    "It would finish after the planning horizon (%(date)s): check its "
                    "quantities and hours per unit, or split the order.",
                    date=sched.horizon,
                ),
            )
        )
    return PlanState(
        start, cal, lines, line_rows, orders, jobs, sequence, sched, unplanned, problems, materials
    )


def held(job: Job, order: Order, material: material_dates.Material, start: date) -> Job:
    """The job with its material date as the first day it may start, if that is after `start`.

    An order already in production is not held: its materials are there, work has begun.
    """
    if order.status == "in_production":
        return job
    return replace(job, not_before=material.status.not_before(start))


def material_job(state: PlanState, order: Order, job: Job) -> Job:
    """`job` (the order's work, e.g. to rush) held by the order's material date, as in `state`."""
    material = state.materials.get(order.id)
    if material is None:
        material = material_dates.materials_of([order.id], state.start)[order.id]
    return held(job, order, material, state.start)


def write(state: PlanState, new: Schedule, actor: User | None, action: str, data: dict) -> int:
    """Store `new` as the plan (every slot rewritten) and return the new plan version.

    The caller holds the plan lock (`current(lock=True)`) and computed `new` from `state`.
    """
    plan = _lock_plan()
    db.session.execute(db.delete(PlanSlot))
    now = utcnow()
    db.session.add_all(
        PlanSlot(
            order_id=job.order_id,
            line_id=state.line_rows[job.line].id,
            position=job.position,
            planned_start=job.start,
            planned_finish=job.finish,
            updated_at=now,
        )
        for job in new.jobs
    )
    plan.version += 1
    plan.fingerprint = new.fingerprint
    plan.updated_at = now
    plan.updated_by_id = actor.id if actor else None
    audit.record(
        actor,
        action,
        "production_plan",
        plan.id,
        data={"version": plan.version, "fingerprint": new.fingerprint, **data},
    )
    return plan.version


def notify_delays(orders: dict[int, Order], slips: list[Slip], cause: dict) -> int:
    """Tell each delayed order's owner (who entered it; else the sales heads) how late it gets."""
    sent = 0
    sales_heads = None
    for slip in slips:
        order = orders.get(slip.order_id) or db.session.get(Order, slip.order_id)
        recipients = [order.created_by_id] if order.created_by_id else None
        if recipients is None:
            if sales_heads is None:
                sales_heads = _sales_heads()
            recipients = sales_heads
        params = {
            "number": slip.order_number,
            "old_finish": slip.old_finish.isoformat(),
            "new_finish": slip.new_finish.isoformat(),
            "days": slip.working_days,
            "promised": slip.promised.isoformat() if slip.promised else None,
            "late": slip.late,
            **cause,
        }
        # Through notify_users, so whoever chose email or the digest for it gets it that way.
        sent += notifications.notify_users(
            recipients, order_subject.ref(order), "order_delayed", params
        )
    return sent


def _sales_heads() -> list[int]:
    from app.core.users.models import Department

    return list(
        db.session.scalars(
            db.select(User.id)
            .join(Department, Department.id == User.department_id)
            .where(Department.key == permissions.SALES, User.role == "head", User.active.is_(True))
        )
    )


def rearrange(actor: User, base_fingerprint: str, rows: list[tuple[int, str, str]]) -> Schedule:
    """PMC's new order of the plan: rows of (order id, line code, position text).

    Orders are sorted per line by position (ties keep their current order); orders without a
    row (on another page of the plan) keep their line and position. The plan must still be the
    one PMC saw (`base_fingerprint`), else nothing changes and PMC is asked to reload.
    """
    if not permissions.may_plan(actor):
        audit.record(actor, "plan.denied", "production_plan", PLAN_ID)
        raise PermissionDenied(_("Only PMC arranges the production plan."))
    state = checked(lambda: current(lock=True))
    if base_fingerprint != state.fingerprint:
        raise Conflict(
            _("The plan changed since you opened it (an order or a rush was added); reload it.")
        )
    errors: dict[str, str] = {}
    current_place = {job.order_id: (job.line, job.position) for job in state.schedule.jobs}
    placed: dict[str, list[tuple[float, int, int]]] = {code: [] for code in state.line_rows}
    jobs = {job.order_id: job for job in state.jobs}
    seen: set[int] = set()
    for order_id, line_code, position_text in rows:
        if order_id not in current_place or order_id in seen:
            errors["__form__"] = _("The plan changed since you opened it; reload it.")
            continue
        seen.add(order_id)
        number = state.orders[order_id].number
        key = f"position-{order_id}"
        try:
            position = float(position_text)
            if not 0 < position < 100000:
                raise ValueError
        except ValueError:
            errors[key] = _("Enter a position of 1 or more.")
            continue
        job = jobs[order_id]
        if line_code not in state.line_rows:
            errors[f"line-{order_id}"] = _("Choose a production line.")
        elif line_code not in job.hours_by_line:
            errors[f"line-{order_id}"] = _(
                "Order %(number)s cannot be made on line %(line)s.", number=number, line=line_code
            )
        else:
            old_line, old_position = current_place[order_id]
            # A moved order without a new position goes to the end of its new line.
            tie = old_position if old_line == line_code else 100000 + old_position
            placed[line_code].append((position, tie, order_id))
    # The page shows the plan a window at a time: an order not on it keeps its line and place.
    for order_id, (line_code, position) in current_place.items():
        if order_id not in seen:
            placed[line_code].append((float(position), position, order_id))
    if errors:
        raise InvalidInput(errors=errors)
    sequence = {code: [oid for *_k, oid in sorted(items)] for code, items in placed.items()}
    new = checked(
        lambda: schedule(state.jobs, state.lines, state.calendar, state.start, sequence=sequence)
    )
    if new.fingerprint == state.fingerprint:
        return new
    slips = slips_between(state.schedule, new, state.calendar)
    write(state, new, actor, "plan.rearrange", {"slips": [s.order_number for s in slips]})
    notify_delays(state.orders, slips, {"cause": "plan"})
    return new


def plan_row() -> ProductionPlan | None:
    """The plan's version row (who changed it last, and when), if the plan was ever written."""
    return db.session.get(ProductionPlan, PLAN_ID)


def planned(order: Order) -> ScheduledJob | None:
    """The order's place in the plan as computed now (a ScheduledJob), or None if not planned."""
    return place_of(order)[0]


def place_of(order: Order) -> tuple[ScheduledJob | None, str | None]:
    """The order's place in the plan now, or why the plan cannot place it (None, None: not
    an order to plan)."""
    if order.status not in ACTIVE_STATUSES:
        return None, None
    state = current()
    if order.id in state.orders:
        return state.schedule.job(order.id), None
    reason = next((u.message for u in state.unplanned if u.order.id == order.id), None)
    return None, reason


def unavailable(reason: str) -> str:
    """The message a page shows instead of the plan."""
    return _("The plan cannot be computed right now: %(reason)s", reason=reason)


def attempt(compute: Callable[[], T]) -> tuple[T | None, str | None]:
    """Run a computation on the plan for a page: (its result, None), or (None, a message).

    Whatever makes planning fail is logged and becomes a message on the page, so that the rest
    of the page still renders. Domain errors (permissions, invalid input) and database errors
    are not planning failures: they propagate as usual.
    """
    try:
        return compute(), None
    except (DomainError, SQLAlchemyError):
        raise
    except PlanningError:
        current_app.logger.exception("The production plan could not be computed")
        reason = _("the planning data is inconsistent; the details were logged.")
    except Exception:
        current_app.logger.exception("The production plan could not be computed")
        reason = _("an unexpected error occurred; the details were logged.")
    return None, unavailable(reason)


def checked(compute: Callable[[], T]) -> T:
    """Run a computation on the plan for a form: its result, or InvalidInput with the message."""
    result, problem = attempt(compute)
    if problem is not None:
        raise InvalidInput(problem)
    return result


def current_line_codes() -> list[str]:
    """The codes of every production line."""
    return list(db.session.scalars(db.select(ProductionLine.code).order_by(ProductionLine.code)))

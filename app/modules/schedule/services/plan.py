"""The production plan (生产排程): released orders on the lines, as PMC arranged them.

The plan is computed by `app.planning` from the database: the lines and their daily capacity,
the working calendar, the orders to make (released ones, and any order an approved rush request
placed), their material dates, and PMC's sequence, stored as one `plan_slot` per order.

Reading it does not compute it each time (docs/PLANNING.md, "The stored plan"): every write to
one of those inputs moves the plan's input version on at commit (services/inputs.py), and the
plan computed for a version, start day and language is stored for every process to share
(services/stored.py). A reader reads the version (one statement) and takes the memoised or
stored plan; only a stale one is computed again, from the open orders only. A transaction that
changed inputs itself, and a writer (`current(lock=True)`), compute from the database.

Writing a plan (PMC reorders, a rush is applied; services/writing.py) locks the
`production_plan` row, checks that the plan is still the one the user saw (its fingerprint),
and rewrites every slot in the same transaction.
"""

from __future__ import annotations

import gc
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from typing import TypeVar

from flask import current_app, has_request_context, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

import app.planning as planning
from app.core import clock
from app.core.calendar import services as factory_calendar
from app.core.submissions import uniqueness
from app.errors import DomainError, InvalidInput
from app.extensions import db
from app.i18n import current_locale
from app.modules.orders.models import Order, ProductionLine
from app.modules.schedule.models import PlanSlot, ProductionPlan
from app.modules.schedule.services import inputs, stored
from app.modules.schedule.services import materials as material_dates
from app.modules.schedule.services.jobs import (
    ACTIVE_STATUSES,
    job_for,
    orders_to_plan,
    usable_lines,
)
from app.modules.schedule.services.stored import PlanOrders, PlanState, Unplanned
from app.planning import (
    Job,
    Line,
    PlanningError,
    Schedule,
    ScheduledJob,
    WorkCalendar,
    schedule,
)

T = TypeVar("T")

PLAN_ID = 1


def calendar(start: date | None = None) -> WorkCalendar:
    """The working calendar the plan uses (app/services/factory_calendar.py)."""
    return factory_calendar.calendar(start or clock.today())


def lock_plan() -> ProductionPlan:
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
            unplanned.append(Unplanned(order.id, order.number, exc.message))
            continue
        if job is None:  # made in full, its status not yet moved on: nothing left to plan
            continue
        if not any(code in line_rows for code in job.hours_by_line):
            message = _("No production line can make this order.")
            if any(code in bad_lines for code in job.hours_by_line):
                message = _(
                    "The only lines that can make this order have no usable daily capacity."
                )
            unplanned.append(Unplanned(order.id, order.number, message))
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
    state = _computed(lock, start) if lock or start is not None else _read()
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


def _read() -> PlanState:
    """The plan as of today: the memoised or stored one of the current input version, else
    computed (and stored). Computed without storing while this transaction changed inputs."""
    version = inputs.version()
    if version is None or inputs.changed_here() or schedule is not planning.schedule:
        return _computed(False, None)  # (a replaced planner, in tests, never gets a stored plan)
    key = (*version, clock.today(), current_locale())
    snap = stored.recall(key) or stored.computed_elsewhere(key)
    if snap is not None:
        return stored.state_of(snap)
    state = _computed(False, key[2])
    stored.store(key, stored.snapshot_of(state))
    return state


def _computed(lock: bool, start: date | None) -> PlanState:
    with _collector_paused():
        return _build(lock, start)


def _build(lock: bool, start: date | None) -> PlanState:
    if lock:
        lock_plan()
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
        orders.pop(beyond.order_id)
        unplanned.append(
            Unplanned(
                beyond.order_id,
                beyond.order_number,
                _(
                    "It would finish after the planning horizon (%(date)s): check its "
                    "quantities and hours per unit, or split the order.",
                    date=sched.horizon,
                ),
            )
        )
    return PlanState(
        start,
        cal,
        lines,
        line_rows,
        PlanOrders(orders, orders),
        jobs,
        sequence,
        sched,
        unplanned,
        problems,
        materials,
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
    reason = next((u.message for u in state.unplanned if u.order_id == order.id), None)
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

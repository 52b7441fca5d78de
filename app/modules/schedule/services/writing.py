"""Writing the production plan: PMC's new order of it, an applied rush, and who is told.

The writer holds the plan lock (`plan.current(lock=True)`), computes the new schedule from the
state it read, rewrites every slot and moves the plan's version on, all in one transaction; the
slots are plan inputs, so its commit also moves the stored plan's input version on
(services/inputs.py).
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.notifications import services as notifications
from app.core.users import permissions
from app.core.users.models import User
from app.errors import Conflict, InvalidInput, PermissionDenied
from app.extensions import db
from app.modules.orders.models import Order
from app.modules.orders.services import subject as order_subject
from app.modules.schedule.models import PlanSlot
from app.modules.schedule.services import plan
from app.modules.schedule.services.plan import PLAN_ID, checked, current
from app.modules.schedule.services.stored import PlanState
from app.planning import Schedule, Slip, schedule, slips_between


def write(state: PlanState, new: Schedule, actor: User | None, action: str, data: dict) -> int:
    """Store `new` as the plan (every slot rewritten) and return the new plan version.

    The caller holds the plan lock (`current(lock=True)`) and computed `new` from `state`.
    """
    row = plan.lock_plan()
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
    row.version += 1
    row.fingerprint = new.fingerprint
    row.updated_at = now
    row.updated_by_id = actor.id if actor else None
    audit.record(
        actor,
        action,
        "production_plan",
        row.id,
        data={"version": row.version, "fingerprint": new.fingerprint, **data},
    )
    return row.version


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
        number = jobs[order_id].order_number
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
    # Only the lines whose order changed are placed again (app/planning/bylines.py).
    new = checked(
        lambda: schedule(
            state.jobs,
            state.lines,
            state.calendar,
            state.start,
            sequence=sequence,
            base=state.schedule,
        )
    )
    if new.fingerprint == state.fingerprint:
        return new
    slips = slips_between(state.schedule, new, state.calendar)
    write(state, new, actor, "plan.rearrange", {"slips": [s.order_number for s in slips]})
    notify_delays(state.orders, slips, {"cause": "plan"})
    return new

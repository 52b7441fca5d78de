"""`flask doctor`: finds instances, inbox rows and orders that disagree with each other.

Read-only. Works in batches (keyset pagination by id) so a large database is never loaded at
once; every problem is one line naming the object and what disagrees.
"""

from collections.abc import Iterator
from datetime import timedelta

from app.core.clock import utcnow
from app.core.processes import versions as processes
from app.core.tasks.models import HumanTask, ProcessInstance
from app.engine.inspect import summarise
from app.extensions import db
from app.modules.orders.models import RELEASED_STATUSES, Order
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.orders import ORDER_LIFECYCLE
from app.modules.purchasing.services import stock

BATCH = 200
OPEN_ORDER_STATUSES = (
    "in_review",
    "rejected",
    "review_passed",
    "awaiting_customer",
    "confirmed",
)


def _batches(stmt, key) -> Iterator[list]:
    """Rows of `stmt` in id order, BATCH at a time."""
    last = 0
    while True:
        rows = list(db.session.execute(stmt.where(key > last).order_by(key).limit(BATCH)))
        if not rows:
            return
        yield rows
        last = rows[-1][0]
        db.session.expire_all()


def check_all(timer_grace: timedelta = timedelta(minutes=10)) -> Iterator[str]:
    """Every problem found, one line each."""
    yield from check_instances(timer_grace)
    yield from check_finished_instances()
    yield from check_orders()
    yield from stock.ledger_problems()


def check_instances(timer_grace: timedelta) -> Iterator[str]:
    """Running and errored instances: state vs inbox, overdue timers, nothing to wait for."""
    stmt = db.select(ProcessInstance.id).where(ProcessInstance.status.in_(("running", "error")))
    late = utcnow() - timer_grace
    for rows in _batches(stmt, ProcessInstance.id):
        ids = [row[0] for row in rows]
        inbox: dict[int, set[str]] = {i: set() for i in ids}
        for instance_id, task_id in db.session.execute(
            db.select(HumanTask.instance_id, HumanTask.task_id).where(
                HumanTask.instance_id.in_(ids), HumanTask.state == "ready"
            )
        ):
            inbox[instance_id].add(task_id)
        for instance in db.session.scalars(
            db.select(ProcessInstance)
            .where(ProcessInstance.id.in_(ids))
            .order_by(ProcessInstance.id)
        ):
            yield from _check_instance(instance, inbox[instance.id], late)


def _check_instance(instance: ProcessInstance, ready_rows: set[str], late) -> Iterator[str]:
    about = f"{instance.subject_type} {instance.subject_key}" if instance.subject_type else "-"
    name = f"instance {instance.id} ({instance.version.process_id}, {about})"
    try:
        summary = summarise(processes.definition_for(instance.version), instance.state)
    except Exception as exc:  # noqa: BLE001 - an unreadable state is itself the finding
        yield f"{name}: stored state cannot be restored ({type(exc).__name__}: {exc})"
        return
    missing = summary.ready_human - ready_rows
    extra = ready_rows - summary.ready_human
    if missing:
        yield f"{name}: ready in the engine but not in the inbox: {', '.join(sorted(missing))}"
    if extra:
        yield f"{name}: ready in the inbox but not in the engine: {', '.join(sorted(extra))}"
    if instance.status != "running":
        return
    if instance.next_timer_at is not None and instance.next_timer_at < late:
        yield f"{name}: timer due at {instance.next_timer_at:%Y-%m-%d %H:%M} UTC has not fired"
    if summary.ready_automatic:
        steps = ", ".join(summary.ready_automatic)
        yield f"{name}: automatic steps ready but not run: {steps}"
    elif not summary.unfinished:
        yield f"{name}: status running but the engine has finished"
    elif not summary.ready_human and not summary.waiting_events:
        yield f"{name}: running with nothing ready and nothing waited for (stuck)"


def check_finished_instances() -> Iterator[str]:
    """Completed or cancelled instances must have nothing left in the inbox."""
    stmt = (
        db.select(HumanTask.id, HumanTask.instance_id, ProcessInstance.status)
        .join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
        .where(
            HumanTask.state == "ready",
            ProcessInstance.status.in_(("completed", "cancelled")),
        )
    )
    for rows in _batches(stmt, HumanTask.id):
        for task_id, instance_id, status in rows:
            yield f"task {task_id}: still ready in the inbox but instance {instance_id} is {status}"


def _lifecycles(order_ids: list[int]) -> dict[int, ProcessInstance]:
    """Each order's own lifecycle: its newest instance of the lifecycle kind."""
    found: dict[int, ProcessInstance] = {}
    rows = db.session.scalars(
        db.select(ProcessInstance)
        .where(
            order_subject.about(ProcessInstance),
            ProcessInstance.subject_key.in_(order_ids),
            ProcessInstance.kind == ORDER_LIFECYCLE,
        )
        .order_by(ProcessInstance.id)
    )
    for instance in rows:
        found[instance.subject_key] = instance
    return found


def check_orders() -> Iterator[str]:
    """Orders whose status contradicts their lifecycle's status."""
    stmt = db.select(Order.id, Order.number, Order.status)
    for rows in _batches(stmt, Order.id):
        lifecycles = _lifecycles([row[0] for row in rows])
        for order_id, number, status in rows:
            problem = order_problem(status, lifecycles.get(order_id))
            if problem:
                yield f"order {number} (id {order_id}): {problem}"


def order_problem(status: str, lifecycle: ProcessInstance | None) -> str | None:
    """Why an order's status cannot be right given its lifecycle, or None."""
    if lifecycle is None:
        return "has no lifecycle process"
    life = lifecycle.status
    said = f"status {status} but lifecycle instance {lifecycle.id} is {life}"
    if status == "cancelled" and life in ("running", "error"):
        return said
    if status in RELEASED_STATUSES and life == "cancelled":
        return said
    if status in OPEN_ORDER_STATUSES and life in ("completed", "cancelled"):
        return said
    if status == "error" and life != "error":
        return said
    if life == "error" and status != "error":
        return said
    return None

"""The tasks core's own notification: a task arrived in my department. Kept cheap: one query for
the members of every department a sync touched (once per worker round), one notify_users call
per new task.
(Assignment, transfer, delegation and the other approval actions notify from
app/core/tasks/actions.py.)"""

from flask_babel import lazy_gettext as _l

from app.core import round_memo
from app.core.notifications import services as notifications
from app.core.subjects import services as subjects
from app.core.tasks.models import HumanTask
from app.core.users.models import User
from app.extensions import db

ARRIVED = "task_arrived"
PROCESS_NOTICE = "process_notice"  # a service task's notify connector (app/engine/connectors.py)


def register() -> None:
    """Declare the kind (called once at app start by app.core.setup)."""
    notifications.register_kind(
        ARRIVED, "tasks/_notice_arrived.html", _l("A task arrived in my department")
    )
    notifications.register_kind(
        PROCESS_NOTICE, "tasks/_notice_process.html", _l("A process told my department")
    )


def process_notices(instance, notices: list) -> int:
    """Send what the instance's service tasks asked to tell a department (`notify` connector):
    the owner's text to the department's active members. An unknown department notifies no one
    and is noted in the audit trail."""
    from app.core.audit import services as audit
    from app.core.users.models import Department

    sent = 0
    for notice in notices:
        department = db.session.scalar(db.select(Department).where(Department.key == notice.to))
        members = (
            db.session.scalars(
                db.select(User.id)
                .where(User.department_id == department.id, User.active.is_(True))
                .order_by(User.id)
            ).all()
            if department is not None
            else []
        )
        ref = subjects.ref_of(instance)
        params = {"text": notice.text, "process": instance.version.name, "to": notice.to}
        sent += notifications.notify_users(members, ref, PROCESS_NOTICE, params)
        audit.record(
            None,
            "instance.notice",
            "process_instance",
            instance.id,
            data={**params, "element": notice.element_id, "reached": len(members)},
            subject=ref,
            instance_id=instance.id,
        )
    return sent


def _members(departments: frozenset[int]) -> list[tuple[int, int, str]]:
    """(id, department, role) of the active members of the departments."""
    rows = db.session.execute(
        db.select(User.id, User.department_id, User.role).where(
            User.department_id.in_(departments), User.active.is_(True)
        )
    )
    return [(uid, dept, role) for uid, dept, role in rows]


def _params(task: HumanTask) -> dict:
    ref = subjects.ref_of(task)
    card = subjects.find(ref) if ref else None
    return {
        "task": task.id,
        "step": task.name,
        "step_zh": task.name_zh,
        "reference": card.reference if card else None,
    }


def tasks_arrived(tasks: list[HumanTask]) -> int:
    """Tell the members of each new task's department (its heads only for a head's task)."""
    tasks = [task for task in tasks if task.department_id is not None]
    if not tasks:
        return 0
    db.session.flush()  # the tasks' ids, for the links
    departments = frozenset(task.department_id for task in tasks)
    members = round_memo.remember(("tasks.members", departments), lambda: _members(departments))
    sent = 0
    for task in tasks:
        ids = [
            uid
            for uid, dept, role in members
            if dept == task.department_id and (task.role != "head" or role == "head")
        ]
        if ids:
            sent += notifications.notify_users(ids, subjects.ref_of(task), ARRIVED, _params(task))
    return sent

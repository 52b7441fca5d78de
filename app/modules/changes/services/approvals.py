"""The approvals page of a department head: pending head-only change and rush steps."""

from app.core.tasks.models import HumanTask
from app.core.users import permissions
from app.core.users.models import User
from app.extensions import db
from app.modules.changes.services import changes
from app.modules.rush.services import rush
from app.modules.schedule.services import plan


def head_tasks(user: User, steps) -> list[HumanTask]:
    """Open head-only tasks of these steps in the user's department, oldest first."""
    return list(
        db.session.scalars(
            db.select(HumanTask)
            .where(
                HumanTask.state == "ready",
                HumanTask.role == "head",
                HumanTask.department_id == user.department_id,
                HumanTask.spec_name.in_(steps),
            )
            .order_by(HumanTask.id)
        )
    )


def pending(user: User) -> tuple[list[dict], list[dict]]:
    """The change rows and rush rows waiting for this head (none for anyone else)."""
    rows, rush_rows = [], []
    if not permissions.is_head(user):
        return rows, rush_rows
    for task in head_tasks(user, changes.APPROVAL_STEPS):
        change = changes.for_instance(task.instance_id)
        if change is not None:
            rows.append({"task": task, **changes.view(change, user)})
    state, problem = None, None  # the plan, computed once for every rush row of the page
    for task in head_tasks(user, rush.APPROVAL_STEPS):
        found = rush.for_instance(task.instance_id)
        if found is not None:
            if state is None and problem is None:
                state, problem = plan.attempt(plan.current)
            preview, row_problem = rush.live(found, state, problem)
            rush_rows.append(
                {"task": task, "rush": found, "preview": preview, "problem": row_problem}
            )
    return rows, rush_rows

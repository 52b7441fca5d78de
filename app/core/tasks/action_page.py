"""What a task page shows of the approval actions: open requests, choices, who may do what."""

from app.core.tasks import cosign, inbox
from app.core.tasks.delegation import child_request
from app.core.tasks.models import HumanTask, TaskCopy, TaskCosign, TaskDelegation
from app.core.users import permissions
from app.core.users.models import User
from app.extensions import db


def page_facts(task: HumanTask, viewer: User) -> dict:
    """The approval-action block of a task page: requests, choices, what the viewer may do."""
    request = child_request(task)
    delegations = list(
        db.session.scalars(
            db.select(TaskDelegation)
            .where(TaskDelegation.task_id == task.id)
            .order_by(TaskDelegation.id)
        )
    )
    open_task = task.state == "ready" and task.parent_id is None
    holds = open_task and permissions.holds_task(
        viewer, task.department_id, task.role, task.assignee_id
    )
    return {
        "request": request,
        "request_is_cosign": isinstance(request, TaskCosign),
        "may_answer": request is not None
        and task.state == "ready"
        and permissions.may_answer_child(viewer, task.assignee_id),
        "cosigns": cosign.cosigns_of(task),
        "delegations": delegations,
        "waiting_reason": cosign.waiting_reason(task),
        "may_transfer": open_task
        and permissions.may_transfer(viewer, task.department_id, task.role, task.assignee_id),
        "may_delegate": holds,
        "may_cosign": holds,
        "may_copy": task.state in ("ready", "waiting")
        and permissions.may_copy(viewer, task.department_id, task.role),
        "colleagues": _colleagues(task, viewer),
        "users": _everyone(viewer),
        "copies": list(
            db.session.scalars(
                db.select(TaskCopy).where(TaskCopy.task_id == task.id).order_by(TaskCopy.id)
            )
        ),
    }


def _colleagues(task: HumanTask, viewer: User) -> list[User]:
    return [u for u in inbox.members_for(task) if u.id != viewer.id]


def _everyone(viewer: User) -> list[User]:
    return list(
        db.session.scalars(
            db.select(User)
            .where(User.active.is_(True), User.id != viewer.id)
            .order_by(User.display_name)
        )
    )

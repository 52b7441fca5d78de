"""The approvals page of a department head: pending head-only change and rush steps."""

from dataclasses import dataclass, field

from app.core.tasks.models import HumanTask
from app.core.users import permissions
from app.core.users.models import User
from app.extensions import db
from app.modules.changes.models import ChangeRequest
from app.modules.changes.services import changes, reading
from app.modules.rush.models import RushRequest
from app.modules.rush.services import rush
from app.modules.rush.services.rush import LivePreview
from app.modules.schedule.services import plan


@dataclass(frozen=True)
class ChangeApproval:
    """A change step waiting for this head, with the change as the head may read it."""

    task: HumanTask
    view: reading.ChangeView

    @property
    def change(self) -> ChangeRequest:
        """The change request the step decides."""
        return self.view.change


@dataclass(frozen=True)
class RushApproval:
    """A rush step waiting for this head, with the preview to decide on."""

    task: HumanTask
    rush: RushRequest
    live: LivePreview


@dataclass(frozen=True)
class Pending:
    """What waits for a head's decision: change steps and rush steps, oldest first."""

    changes: list[ChangeApproval] = field(default_factory=list)
    rushes: list[RushApproval] = field(default_factory=list)


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


def pending(user: User) -> Pending:
    """The change and rush steps waiting for this head (none for anyone else)."""
    if not permissions.is_head(user):
        return Pending()
    change_rows, rush_rows = [], []
    for task in head_tasks(user, changes.APPROVAL_STEPS):
        change = changes.for_instance(task.instance_id)
        if change is not None:
            change_rows.append(ChangeApproval(task, reading.view(change, user)))
    state, problem = None, None  # the plan, computed once for every rush row of the page
    for task in head_tasks(user, rush.APPROVAL_STEPS):
        request = rush.for_instance(task.instance_id)
        if request is not None:
            if state is None and problem is None:
                state, problem = plan.attempt(plan.current)
            rush_rows.append(RushApproval(task, request, rush.live(request, state, problem)))
    return Pending(change_rows, rush_rows)

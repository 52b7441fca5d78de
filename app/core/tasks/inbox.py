"""The department inbox: claiming, giving back and assigning tasks (pages: listing.py)."""

from flask_babel import gettext as _

from app.core.audit import services as audit
from app.core.subjects import services as subjects
from app.core.tasks.models import HumanTask
from app.core.users import permissions
from app.core.users.models import Department, User
from app.errors import Conflict, NotFound, PermissionDenied
from app.extensions import db


def get_task(task_id: int) -> HumanTask:
    """One inbox row, or NotFound."""
    task = db.session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(_("This task does not exist."))
    return task


def may_act(user: User, task: HumanTask) -> bool:
    """Only members of the task's department act on it; a `head` role needs the department head."""
    if task.parent_id is not None:  # a co-sign or delegation task: its assignee's alone
        return permissions.may_answer_child(user, task.assignee_id)
    return permissions.may_act_on_task(user, task.department_id, task.role)


def audit_task(
    actor: User | None, action: str, task: HumanTask, *, data=None, ip: str | None = None
) -> None:
    """One audit row about a task, filed under its subject and its instance."""
    audit.record(
        actor,
        action,
        "human_task",
        task.id,
        data=data,
        subject=subjects.ref_of(task),
        instance_id=task.instance_id,
        ip=ip,
    )


def record_denial(user: User, task: HumanTask, action: str, ip: str | None = None) -> None:
    """Audit a refused attempt on a task (`denied.<action>`), flushed with the refusal."""
    audit_task(user, "denied." + action, task, ip=ip)
    db.session.flush()


def deny(user: User, task: HumanTask, action: str, ip: str | None = None) -> PermissionDenied:
    """Record a refused attempt and return the error to raise."""
    record_denial(user, task, action, ip)
    if not permissions.member_of(user, task.department_id):
        return PermissionDenied(_("Only members of this task's department can do this."))
    return PermissionDenied(_("Only the department head can act on this task."))


def ensure_open(task: HumanTask) -> None:
    """Refuse work on a task that is no longer in the inbox, naming who finished it."""
    if task.state == "completed":
        if task.completed_by is None:
            raise Conflict(
                _("This task is done already: what it asked for happened (see the history).")
            )
        who = task.completed_by.display_name
        raise Conflict(_("This task was already completed by %(name)s.", name=who))
    if task.state != "ready":
        raise Conflict(_("This task is no longer open."))


def claim(task_id: int, actor: User, ip: str | None = None) -> HumanTask:
    """Take a task: it is then assigned to the actor."""
    task = get_task(task_id)
    if not may_act(actor, task):
        raise deny(actor, task, "claim", ip)
    ensure_open(task)
    # The database decides between two claims at once: only a still-free open task is taken.
    taken = db.session.execute(
        db.update(HumanTask)
        .where(
            HumanTask.id == task.id,
            HumanTask.state == "ready",
            db.or_(HumanTask.assignee_id.is_(None), HumanTask.assignee_id == actor.id),
        )
        .values(assignee_id=actor.id),
        execution_options={"synchronize_session": False},
    ).rowcount
    if not taken:
        db.session.refresh(task)
        ensure_open(task)
        name = task.assignee.display_name if task.assignee else "?"
        raise Conflict(_("%(name)s has already claimed this task.", name=name))
    _set_assignee(task, actor, actor, "claim", ip)
    return task


def unclaim(task_id: int, actor: User, ip: str | None = None) -> HumanTask:
    """Give a task back to the department's pool."""
    task = get_task(task_id)
    if not may_act(actor, task) and not permissions.heads(actor, task.department_id):
        raise deny(actor, task, "unclaim", ip)
    ensure_open(task)
    if task.assignee_id != actor.id and not permissions.heads(actor, task.department_id):
        raise PermissionDenied(_("Only the assignee or the department head can give this back."))
    _set_assignee(task, None, actor, "unclaim", ip)
    return task


def assign(task_id: int, actor: User, assignee_id: int, ip: str | None = None) -> HumanTask:
    """A department head hands a task to one of the department's members."""
    task = get_task(task_id)
    if not permissions.heads(actor, task.department_id):
        raise deny(actor, task, "assign", ip)
    ensure_open(task)
    assignee = db.session.get(User, assignee_id)
    if assignee is None or not assignee.active or assignee.department_id != task.department_id:
        raise PermissionDenied(
            _("The task can only be assigned to an active member of its department.")
        )
    if task.role == "head" and not assignee.is_head:
        raise PermissionDenied(_("This task needs the department head."))
    _set_assignee(task, assignee, actor, "assign", ip)
    return task


def members_for(task: HumanTask) -> list[User]:
    """Who a head may assign the task to."""
    if task.department_id is None:
        return []
    stmt = db.select(User).where(User.department_id == task.department_id, User.active.is_(True))
    if task.role == "head":
        stmt = stmt.where(User.role == "head")
    return list(db.session.scalars(stmt.order_by(User.display_name)))


def departments_select():
    """SQL: all active departments, in a stable order."""
    return db.select(Department).where(Department.is_active.is_(True)).order_by(Department.id)


def departments() -> list[Department]:
    """All active departments, in a stable order."""
    return list(db.session.scalars(departments_select()))


def _set_assignee(task: HumanTask, assignee: User | None, actor: User, action: str, ip) -> None:
    previous = task.assignee_id
    task.assignee_id = assignee.id if assignee else None
    audit_task(
        actor,
        "task." + action,
        task,
        data={"from": previous, "to": task.assignee_id, "step": task.name},
        ip=ip,
    )
    db.session.flush()

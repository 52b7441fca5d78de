"""Bulk actions on inbox tasks: approve several tasks of one step with the form's default
decision (`x-bulk-default`, docs/FORMS.md), and a head assigning several tasks to a member.

Each task goes through the normal path (`completion.complete_task`, `actions.assign`) in its own
savepoint, so every rule, check and hook applies and one refusal leaves the others done. The
result says per task what passed and what was refused, and why; permission denials are audited
per task, the batch as a whole once.
"""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from app.core.audit import services as audit
from app.core.processes import forms
from app.core.tasks import actions, completion, inbox
from app.core.tasks.models import HumanTask
from app.core.users import permissions
from app.core.users.models import User
from app.errors import DomainError, InvalidInput, PermissionDenied
from app.extensions import db

MAX_TASKS = 200  # the largest inbox page


@dataclass
class Outcome:
    """What happened to one selected task."""

    task_id: int
    task: HumanTask | None
    passed: bool
    message: str = ""


@dataclass
class BulkResult:
    """Every selected task's outcome, in the order they were selected."""

    action: str
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def passed(self) -> list[Outcome]:
        """The tasks the action went through for."""
        return [o for o in self.outcomes if o.passed]

    @property
    def refused(self) -> list[Outcome]:
        """The tasks it was refused for (each with its reason)."""
        return [o for o in self.outcomes if not o.passed]


def check_ids(task_ids: list[int]) -> list[int]:
    """The selected ids, each once, in order; at least one and at most MAX_TASKS."""
    unique = list(dict.fromkeys(task_ids))
    if not unique:
        raise InvalidInput(_("Select at least one task."))
    if len(unique) > MAX_TASKS:
        raise InvalidInput(_("Select at most %(n)s tasks at once.", n=MAX_TASKS))
    return unique


def default_decision(task: HumanTask):
    """The answers bulk approve submits for this task (its form's x-bulk-default), or None."""
    return forms.bulk_formdata(completion.form_document(task))


def with_default_decision(tasks: list[HumanTask]) -> list[HumanTask]:
    """Those of `tasks` that bulk approve could take (their form declares a default decision),
    their forms read in one statement."""
    documents = completion.form_documents(tasks)
    return [
        task
        for task in tasks
        if forms.bulk_formdata(documents.get(task.form_version_id)) is not None
    ]


def _first_error(exc: DomainError) -> str:
    errors = getattr(exc, "errors", None) or {}
    if errors:
        return _(
            "The default decision does not pass this task's checks: %(problem)s",
            problem="; ".join(str(message) for message in errors.values()),
        )
    return exc.message


def _attempt(outcome: Outcome, action) -> None:
    """Run one task's action in a savepoint; a refusal rolls back that task only."""
    try:
        with db.session.begin_nested():
            action()
        outcome.passed = True
    except DomainError as exc:
        outcome.message = _first_error(exc)
    except StaleDataError:
        outcome.message = _("Someone else changed this first. Reload and try again.")


def _one_step(tasks: list[HumanTask]) -> str:
    steps = {task.spec_name for task in tasks}
    if len(steps) > 1:
        raise InvalidInput(_("Bulk approve works on tasks of one step: filter by a step first."))
    return steps.pop() if steps else ""


def approve(actor: User, task_ids: list[int], ip: str | None = None) -> BulkResult:
    """Complete each selected task with its form's default decision, each on its own."""
    ids = check_ids(task_ids)
    tasks = {t.id: t for t in db.session.scalars(db.select(HumanTask).where(HumanTask.id.in_(ids)))}
    step = _one_step(list(tasks.values()))
    result = BulkResult("approve")
    for task_id in ids:
        task = tasks.get(task_id)
        outcome = Outcome(task_id, task, False)
        result.outcomes.append(outcome)
        if task is None:
            outcome.message = _("This task does not exist.")
        elif not inbox.may_act(actor, task):
            outcome.message = inbox.deny(actor, task, "bulk_approve", ip).message  # audited
        elif (formdata := default_decision(task)) is None:
            outcome.message = _("This step has no default decision: open the task and decide.")
        else:
            _attempt(
                outcome, lambda t=task, f=formdata: completion.complete_task(t.id, actor, f, ip)
            )
    _record(actor, "task.bulk_approve", result, ip, step=step)
    return result


def members(department_id: int | None) -> list[User]:
    """Who a head may hand the department's tasks to."""
    if department_id is None:
        return []
    return list(
        db.session.scalars(
            db.select(User)
            .where(User.department_id == department_id, User.active.is_(True))
            .order_by(User.display_name)
        )
    )


def assign(actor: User, task_ids: list[int], assignee_id: int, ip: str | None = None) -> BulkResult:
    """A department head hands each selected task of the department to one member."""
    ids = check_ids(task_ids)
    tasks = {t.id: t for t in db.session.scalars(db.select(HumanTask).where(HumanTask.id.in_(ids)))}
    if not any(permissions.may_bulk_assign(actor, t.department_id) for t in tasks.values()):
        for task in tasks.values():  # every refused attempt is on record
            inbox.deny(actor, task, "bulk_assign", ip)
        raise PermissionDenied(_("Only the department head can assign its tasks."))
    result = BulkResult("assign")
    for task_id in ids:
        task = tasks.get(task_id)
        outcome = Outcome(task_id, task, False)
        result.outcomes.append(outcome)
        if task is None:
            outcome.message = _("This task does not exist.")
        elif not permissions.may_bulk_assign(actor, task.department_id):
            outcome.message = inbox.deny(actor, task, "bulk_assign", ip).message
        else:
            # actions.assign: refuses co-sign/delegation and waiting tasks, routes to substitutes
            _attempt(outcome, lambda t=task: actions.assign(t.id, actor, assignee_id, ip))
    _record(actor, "task.bulk_assign", result, ip, assignee=assignee_id)
    return result


def _record(actor: User, action: str, result: BulkResult, ip: str | None, **data) -> None:
    audit.record(
        actor,
        action,
        "human_task",
        None,
        data={
            **data,
            "passed": [o.task_id for o in result.passed],
            "refused": {str(o.task_id): o.message for o in result.refused},
        },
        ip=ip,
    )
    db.session.flush()

"""An instance's approval route as a reader sees it: each step done (who, when, what they
decided), each step open (who is expected to act) and the steps the process will still ask for.

Domains build their request pages' "Approval steps" from it (rush, changes) and render it with
the shared macro in app/templates/macros/route.html.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from app.core.tasks.models import OPEN_STATES, HumanTask
from app.core.users.models import Department, User
from app.extensions import db

# Where the task forms put a step's decision and its reason (change, rush and review forms).
DECISION_FIELDS = ("decision", "recommendation", "opinion")
NOTE_FIELDS = ("reason", "comments", "notes")


@dataclass(frozen=True)
class Step:
    """One step of a route: a task done or open, or one the process has not reached yet."""

    spec_name: str
    name: str
    name_zh: str | None
    department: Department | None
    state: str  # completed, ready, waiting, cancelled, or "expected" (not reached yet)
    role: str | None = None  # "head" for a head-only step
    task: HumanTask | None = None
    actor: User | None = None  # who completed it
    at: datetime | None = None  # when
    decision: str | None = None  # approve / reject / ... as the form stored it
    decision_kind: str = "approval"  # "review" when the form asked for an opinion
    note: str = ""  # the reason or comments the actor gave
    expected: tuple[User, ...] = field(default_factory=tuple)  # who may act while it is open

    def display_name(self, locale: str) -> str:
        """The step's name in the reader's language (the BPMN name when none is given)."""
        return self.name_zh if locale.startswith("zh") and self.name_zh else self.name

    @property
    def is_open(self) -> bool:
        """Waiting for someone: open in the inbox, or not reached yet."""
        return self.state in (*OPEN_STATES, "expected")


def _answers(task: HumanTask) -> dict:
    try:
        data = json.loads(task.data or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def heads_of(department_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active heads of these departments, by department id (one query)."""
    wanted = sorted({d for d in department_ids if d is not None})
    found: dict[int, list[User]] = {d: [] for d in wanted}
    if not wanted:
        return found
    for user in db.session.scalars(
        db.select(User)
        .where(User.department_id.in_(wanted), User.role == "head", User.active.is_(True))
        .order_by(User.display_name, User.id)
    ):
        found[user.department_id].append(user)
    return found


def _expected(task_role: str | None, assignee: User | None, dept_id, heads) -> tuple[User, ...]:
    if assignee is not None:
        return (assignee,)
    if task_role == "head":
        return tuple(heads.get(dept_id, ()))
    return ()  # any member of the department: the template names the department


def steps_of(instance_id: int | None, spec_names: Iterable[str] | None = None) -> list[Step]:
    """The instance's human tasks (optionally only these steps) as route steps, in order."""
    if instance_id is None:
        return []
    query = db.select(HumanTask).where(HumanTask.instance_id == instance_id)
    if spec_names is not None:
        query = query.where(HumanTask.spec_name.in_(list(spec_names)))
    tasks = list(db.session.scalars(query.order_by(HumanTask.id)))
    heads = heads_of(t.department_id for t in tasks if t.state in OPEN_STATES)
    steps = []
    for task in tasks:
        answers = _answers(task) if task.state == "completed" else {}
        key = next((k for k in DECISION_FIELDS if answers.get(k)), None)
        note = next((str(answers[k]) for k in NOTE_FIELDS if answers.get(k)), "")
        steps.append(
            Step(
                spec_name=task.spec_name,
                name=task.name,
                name_zh=task.name_zh,
                department=task.department,
                state=task.state,
                role=task.role,
                task=task,
                actor=task.completed_by,
                at=task.completed_at,
                decision=str(answers[key]) if key else None,
                decision_kind="review" if key == "opinion" else "approval",
                note=note,
                expected=_expected(task.role, task.assignee, task.department_id, heads)
                if task.state in OPEN_STATES
                else (),
            )
        )
    return steps


def expected_step(
    spec_name: str,
    name: str,
    name_zh: str | None,
    department: Department | None,
    role: str | None,
) -> Step:
    """A step the process will ask for but has not reached: who is expected to take it."""
    heads = heads_of([department.id]) if department is not None else {}
    expected = _expected(role, None, department.id if department else None, heads)
    return Step(spec_name, name, name_zh, department, "expected", role=role, expected=expected)

"""Reading the review answers of an order's latest round, for sales, the meeting and the sheet."""

import json
from dataclasses import dataclass

from app.core.tasks.models import HumanTask
from app.extensions import db
from app.modules.orders.models import Order
from app.modules.orders.services import subject as order_subject

REVIEW_STEPS = (
    "review_engineering",
    "review_production",
    "review_quality",
    "review_warehouse",
    "pmc_check",
)


@dataclass
class ReviewAnswer:
    """One department's latest answer."""

    step: str
    department: str
    department_zh: str
    decision: str
    conditions: str
    comments: str
    by: str
    task: HumanTask


def latest_reviews(order: Order, tasks: list[HumanTask] | None = None) -> list[ReviewAnswer]:
    """The newest completed answer of each reviewing step (older rounds are superseded);
    `tasks` are the order's tasks in creation order when the caller has read them
    (`orders.order_tasks`, with who completed each and its department)."""
    if tasks is None:
        rows = db.session.scalars(
            db.select(HumanTask)
            .where(
                order_subject.about_order(HumanTask, order.id),
                HumanTask.state == "completed",
                HumanTask.spec_name.in_(REVIEW_STEPS),
            )
            .order_by(HumanTask.id)
        )
    else:
        rows = [t for t in tasks if t.state == "completed" and t.spec_name in REVIEW_STEPS]
    newest: dict[str, HumanTask] = {}
    for row in rows:
        newest[row.spec_name] = row
    answers = []
    for step in REVIEW_STEPS:
        task = newest.get(step)
        if task is None:
            continue
        data = json.loads(task.data or "{}")
        by = task.completed_by
        answers.append(
            ReviewAnswer(
                step=step,
                department=task.department.name_en if task.department else "",
                department_zh=task.department.name_zh if task.department else "",
                decision=str(data.get("decision", "")),
                conditions=str(data.get("conditions", "") or ""),
                comments=str(data.get("comments", "") or ""),
                by=by.display_name if by else "",
                task=task,
            )
        )
    return answers


def conditions(order: Order) -> list[ReviewAnswer]:
    """The latest answers that approve with conditions: carried into the meeting and the sheet."""
    return [
        a for a in latest_reviews(order) if a.decision == "approve_with_conditions" and a.conditions
    ]

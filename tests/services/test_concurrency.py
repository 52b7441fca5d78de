"""Parallel work with real threads against PostgreSQL: nothing is lost.

One task completed by two people at once, and every other race of one object, is in
test_races.py (the reliability harness).
"""

from functools import partial

import pytest
from werkzeug.datastructures import MultiDict

from app.core.tasks import completion as tasks
from app.core.users.models import User
from app.extensions import db
from tests.races import run_together

pytestmark = pytest.mark.postgres


def _complete(task_id: int, user_id: int, answers: dict) -> int:
    return tasks.complete_task(task_id, db.session.get(User, user_id), MultiDict(answers)).id


def test_parallel_reviews_completed_at_once_lose_no_update(
    app, make_order, make_user, complete, task_of, estimates_for
):
    order = make_order()
    complete(order, "confirm_order")
    complete(order, "pmc_dispatch")
    jobs = []
    for step, dept, answers in [
        ("review_engineering", "engineering", {"decision": "approve", "technical_risk": "low"}),
        ("review_production", "production", {"decision": "approve"}),
        (
            "review_quality",
            "quality",
            {"decision": "approve", "quality_requirements": "AQL", "inspection_plan": "final"},
        ),
        ("review_warehouse", "warehouse", {"decision": "approve", "materials_status": "in_stock"}),
    ]:
        task = task_of(order, step)
        answers = {**answers, **estimates_for(task)}
        jobs.append(partial(_complete, task.id, make_user(dept).id, answers))
    outcomes = run_together(app, jobs)
    assert [outcome for outcome, _result in outcomes] == ["ok"] * 4
    db.session.expire_all()
    assert task_of(order, "pmc_consolidate") is not None

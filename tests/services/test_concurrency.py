"""Races with real threads against PostgreSQL: one completion wins, nothing is lost."""

import threading

import pytest
from werkzeug.datastructures import MultiDict

from app.errors import Conflict
from app.extensions import db
from app.models import HumanTask
from app.services import tasks

pytestmark = pytest.mark.postgres


def race(app, jobs):
    """Run each (task_id, user_id, answers) in its own thread and app context, all at once."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = [""] * len(jobs)

    def work(index, task_id, user_id, answers):
        with app.app_context():
            from app.models import User

            user = db.session.get(User, user_id)
            barrier.wait()
            try:
                tasks.complete_task(task_id, user, MultiDict(answers))
                db.session.commit()
                outcomes[index] = "ok"
            except Conflict as exc:
                db.session.rollback()
                outcomes[index] = "conflict: " + exc.message
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(i, *job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


def test_two_people_complete_the_same_task_exactly_one_wins(app, make_order, make_user, task_of):
    order = make_order()
    task = task_of(order, "confirm_order")
    a, b = make_user("sales", display_name="Ann"), make_user("sales", display_name="Bob")
    answers = {
        "packaging_confirmed": "on",
        "structure_confirmed": "on",
        "dimensions_confirmed": "on",
        "order_category": "new",
        "requirements": "x",
    }
    outcomes = race(app, [(task.id, a.id, answers), (task.id, b.id, answers)])
    assert sorted(o.split(":")[0] for o in outcomes) == ["conflict", "ok"]
    loser = next(o for o in outcomes if o.startswith("conflict"))
    db.session.expire_all()
    winner = db.session.get(HumanTask, task.id).completed_by.display_name
    assert winner in loser
    # The process moved on exactly once.
    assert task_of(order, "pmc_dispatch") is not None
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(HumanTask)
            .where(HumanTask.order_id == order.id, HumanTask.spec_name == "pmc_dispatch")
        )
        == 1
    )


def test_parallel_reviews_completed_at_once_lose_no_update(
    app, make_order, make_user, complete, task_of, estimates_for
):
    order = make_order()
    complete(order, "confirm_order")
    complete(order, "pmc_dispatch")
    jobs = []
    for step, dept, answers in [
        ("review_engineering", "engineering", {"decision": "approve", "technical_risk": "low"}),
        ("review_production", "production", {"decision": "approve", "hours_per_unit": "2"}),
        (
            "review_quality",
            "quality",
            {"decision": "approve", "quality_requirements": "AQL", "inspection_plan": "final"},
        ),
        ("review_warehouse", "warehouse", {"decision": "approve", "materials_status": "in_stock"}),
    ]:
        task = task_of(order, step)
        jobs.append((task.id, make_user(dept).id, {**answers, **estimates_for(task)}))
    outcomes = race(app, jobs)
    assert outcomes == ["ok"] * 4
    db.session.expire_all()
    assert task_of(order, "pmc_consolidate") is not None

"""Send back and complete the same task at the same moment (PostgreSQL row locks): exactly one
wins, the other gets the conflict a user would see, and the process is where the winner left it."""

import pytest
from werkzeug.datastructures import MultiDict

from app.core.tasks import completion as tasks
from app.core.tasks import sendback
from app.core.tasks.models import HumanTask
from app.core.users.models import User
from app.extensions import db
from app.modules.orders.services import subject as order_subject
from tests.answers import FORM_ANSWERS
from tests.conftest import REVIEW_STEPS, open_task
from tests.races import kinds, run_together
from tests.reliability import record, scale

pytestmark = [pytest.mark.postgres, pytest.mark.reliability]


def _ready(order) -> list[str]:
    return sorted(
        db.session.scalars(
            db.select(HumanTask.spec_name).where(
                order_subject.about_order(HumanTask, order.id), HumanTask.state == "ready"
            )
        )
    )


def test_send_back_and_complete_at_once_one_wins(app, make_order, make_user, complete):
    head, member = make_user("pmc", role="head"), make_user("pmc")
    rounds, failures = scale(4, 100), []
    for number in range(rounds):
        order = make_order()
        first = complete(order, "confirm_order")
        task_id = open_task(order, "pmc_dispatch").id

        def send_back(task_id=task_id, target=first.id):
            return sendback.send_back(task_id, db.session.get(User, head.id), target, "Redo").id

        def finish(task_id=task_id):
            answers = MultiDict(FORM_ANSWERS["pmc_dispatch"])
            return tasks.complete_task(task_id, db.session.get(User, member.id), answers).id

        outcomes = run_together(app, [send_back, finish])
        db.session.expire_all()
        ready = _ready(order)
        won = [i for i, (outcome, _r) in enumerate(outcomes) if outcome == "ok"]
        expected = {0: ["confirm_order"], 1: list(REVIEW_STEPS)}  # sent back, or dispatched
        if kinds(outcomes) != ["conflict", "ok"] or ready != expected[won[0]]:
            failures.append((number, outcomes, ready))
    record("races", "send_back_vs_complete", rounds=rounds, failures=failures)
    assert failures == []

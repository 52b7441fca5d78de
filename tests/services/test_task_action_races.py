"""Approval actions sent at the same moment, against PostgreSQL's row locks (tests/races.py):
two claims, two after-co-signers agreeing at once, two overlapping out-of-office ranges."""

from datetime import date, timedelta
from functools import partial

import pytest
from werkzeug.datastructures import MultiDict

from app.core import clock
from app.core.tasks import actions, completion, copies, delegation
from app.core.tasks.models import HumanTask, TaskCosign
from app.core.users import away
from app.core.users.models import OutOfOffice, User
from app.extensions import db
from app.modules.orders.services import subject as order_subject
from tests.answers import FORM_ANSWERS
from tests.conftest import open_task
from tests.races import kinds, run_together

pytestmark = pytest.mark.postgres
ROUNDS = 3


def _user(user_id: int) -> User:
    return db.session.get(User, user_id)


def _claim(task_id: int, user_id: int) -> int:
    return actions.claim(task_id, _user(user_id)).assignee_id


def test_two_claims_at_once_one_wins_the_other_reads_who(app, make_order, make_user):
    ann, bob = make_user("sales", display_name="Ann"), make_user("sales", display_name="Bob")
    for _round in range(ROUNDS):
        task_id = open_task(make_order(), "confirm_order").id
        outcomes = run_together(
            app, [partial(_claim, task_id, ann.id), partial(_claim, task_id, bob.id)]
        )
        assert kinds(outcomes) == ["conflict", "ok"], outcomes
        db.session.expire_all()
        assignee = db.session.get(HumanTask, task_id).assignee
        winner = next(result for outcome, result in outcomes if outcome == "ok")
        loser = next(outcome for outcome, _r in outcomes if outcome.startswith("conflict"))
        assert assignee.id == winner and assignee.display_name in loser


def _agree(child_id: int, user_id: int) -> int:
    return delegation.answer(child_id, _user(user_id), "agree", "ok").id


def test_two_after_cosigners_agreeing_at_once_release_the_completion_once(
    app, make_order, make_user
):
    ann = make_user("sales")
    first, second = make_user("quality"), make_user("pmc")
    for _round in range(ROUNDS):
        order = make_order()
        task = open_task(order, "confirm_order")
        actions.claim(task.id, ann)
        actions.add_cosigner(task.id, ann, first.id, "after", "")
        actions.add_cosigner(task.id, ann, second.id, "after", "")
        completion.complete_task(task.id, ann, MultiDict(FORM_ANSWERS["confirm_order"]))
        db.session.commit()
        rows = db.session.scalars(
            db.select(TaskCosign).where(TaskCosign.task_id == task.id).order_by(TaskCosign.id)
        ).all()
        outcomes = run_together(
            app,
            [
                partial(_agree, rows[0].child_task_id, first.id),
                partial(_agree, rows[1].child_task_id, second.id),
            ],
        )
        assert kinds(outcomes) == ["ok", "ok"], outcomes
        db.session.expire_all()
        assert db.session.get(HumanTask, task.id).state == "completed"
        dispatch = db.session.scalars(
            db.select(HumanTask).where(
                order_subject.about_order(HumanTask, order.id),
                HumanTask.spec_name == "pmc_dispatch",
            )
        ).all()
        assert len(dispatch) == 1  # the process moved on exactly once


def _away(user_id: int, substitute_id: int, starts: date, ends: date) -> int:
    return away.add(_user(user_id), substitute_id, starts.isoformat(), ends.isoformat(), "").id


def test_two_overlapping_away_ranges_at_once_one_is_saved(app, make_user):
    bob, sub = make_user("sales"), make_user("sales")
    today = clock.today()
    outcomes = run_together(
        app,
        [
            partial(_away, bob.id, sub.id, today, today + timedelta(days=3)),
            partial(_away, bob.id, sub.id, today + timedelta(days=2), today + timedelta(days=6)),
        ],
    )
    assert kinds(outcomes) == ["invalid", "ok"], outcomes
    count = db.session.scalar(db.select(db.func.count()).select_from(OutOfOffice))
    assert count == 1


def _copy(task_id: int, user_id: int, to_id: int) -> int:
    return len(copies.copy(task_id, _user(user_id), [to_id], "FYI"))


def test_the_same_copy_sent_twice_at_once_is_kept_once(app, make_order, make_user):
    from app.core.tasks.models import TaskCopy

    ann, quinn = make_user("sales"), make_user("quality")
    task_id = open_task(make_order(), "confirm_order").id
    outcomes = run_together(
        app, [partial(_copy, task_id, ann.id, quinn.id), partial(_copy, task_id, ann.id, quinn.id)]
    )
    assert kinds(outcomes) == ["ok", "ok"], outcomes
    assert sorted(result for _o, result in outcomes) == [0, 1]
    assert db.session.scalar(db.select(db.func.count()).select_from(TaskCopy)) == 1

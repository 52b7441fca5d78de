"""Approval actions (docs/TASK_ACTIONS.md): transfer, delegate, co-sign, copy, assign, claim,
out-of-office routing; each action's permission denials; bad input changes nothing."""

from datetime import date, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from app.core import clock
from app.core.audit.models import AuditEvent
from app.core.notifications.models import Notification
from app.core.tasks import actions, completion, copies, delegation
from app.core.tasks.models import HumanTask, TaskCopy, TaskCosign, TaskDelegation
from app.core.users import away
from app.core.users.models import OutOfOffice
from app.errors import Conflict, InvalidInput, PermissionDenied
from app.extensions import db
from tests.answers import FORM_ANSWERS

TODAY = date(2027, 3, 1)


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def world(make_order, make_user, task_of):
    """An order at its first step (sales' confirm_order) and people around it."""

    class World:
        pass

    w = World()
    w.order = make_order()
    w.task = task_of(w.order, "confirm_order")
    w.ann = make_user("sales", display_name="Ann")
    w.bob = make_user("sales", display_name="Bob")
    w.head = make_user("sales", role="head", display_name="Sales Head")
    w.quality = make_user("quality", display_name="Quinn")
    w.other_head = make_user("quality", role="head", display_name="Quality Head")
    return w


def _reload(task_id: int) -> HumanTask:
    db.session.expire_all()
    return db.session.get(HumanTask, task_id)


def _actions(user) -> list[str]:
    return list(
        db.session.scalars(
            db.select(AuditEvent.action)
            .where(AuditEvent.user_id == user.id)
            .order_by(AuditEvent.id)
        )
    )


def _notified(user, kind: str) -> int:
    return db.session.scalar(
        db.select(db.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.kind == kind)
    )


def _complete(task_id: int, user) -> HumanTask:
    return completion.complete_task(task_id, user, MultiDict(FORM_ANSWERS["confirm_order"]))


# --- claim, give back, assign ----------------------------------------------------------------


def test_claim_by_someone_else_is_refused_with_their_name(world):
    actions.claim(world.task.id, world.ann)
    db.session.commit()
    with pytest.raises(Conflict, match="Ann"):
        actions.claim(world.task.id, world.bob)
    db.session.rollback()
    assert _reload(world.task.id).assignee_id == world.ann.id


def test_claim_by_another_department_is_denied_and_audited(world):
    with pytest.raises(PermissionDenied):
        actions.claim(world.task.id, world.quality)
    db.session.commit()
    assert "denied.claim" in _actions(world.quality)
    assert _reload(world.task.id).assignee_id is None


def test_unclaim_by_a_member_who_does_not_hold_it_is_refused(world):
    actions.claim(world.task.id, world.ann)
    db.session.commit()
    with pytest.raises(PermissionDenied):
        actions.unclaim(world.task.id, world.bob)
    db.session.rollback()
    actions.unclaim(world.task.id, world.head)  # the head takes it back
    db.session.commit()
    assert _reload(world.task.id).assignee_id is None


def test_head_assigns_and_the_member_is_notified_members_may_not(world):
    with pytest.raises(PermissionDenied):
        actions.assign(world.task.id, world.ann, world.bob.id)
    db.session.commit()
    assert "denied.assign" in _actions(world.ann)
    with pytest.raises(PermissionDenied):  # another department's head
        actions.assign(world.task.id, world.other_head, world.bob.id)
    db.session.commit()
    actions.assign(world.task.id, world.head, world.bob.id)
    db.session.commit()
    assert _reload(world.task.id).assignee_id == world.bob.id
    assert _notified(world.bob, "task_assigned") == 1


# --- transfer --------------------------------------------------------------------------------


def test_holder_transfers_with_a_reason(world):
    actions.claim(world.task.id, world.ann)
    actions.transfer(world.task.id, world.ann, world.bob.id, "On leave tomorrow")
    db.session.commit()
    assert _reload(world.task.id).assignee_id == world.bob.id
    assert _notified(world.bob, "task_transferred") == 1
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "task.transfer"))
    assert "On leave tomorrow" in event.data


def test_transfer_denials_member_not_holding_other_department(world):
    actions.claim(world.task.id, world.ann)
    db.session.commit()
    for who in (world.bob, world.quality, world.other_head):
        with pytest.raises(PermissionDenied):
            actions.transfer(world.task.id, who, world.head.id, "mine now")
        db.session.commit()
        assert "denied.transfer" in _actions(who)
    actions.transfer(world.task.id, world.head, world.bob.id, "Ann is busy")  # the head may
    db.session.commit()
    assert _reload(world.task.id).assignee_id == world.bob.id


def test_transfer_bad_input_changes_nothing(world):
    actions.claim(world.task.id, world.ann)
    db.session.commit()
    cases = [
        (world.bob.id, ""),  # no reason
        (world.bob.id, "x" * 4001),  # too long
        (999_999, "why"),  # unknown user
        (world.quality.id, "why"),  # cannot act on a sales task
        (world.ann.id, "why"),  # oneself
    ]
    for to, reason in cases:
        with pytest.raises(InvalidInput) as caught:
            actions.transfer(world.task.id, world.ann, to, reason)
        assert caught.value.message
        db.session.rollback()
    assert _reload(world.task.id).assignee_id == world.ann.id
    assert "task.transfer" not in _actions(world.ann)


# --- delegate --------------------------------------------------------------------------------


def test_delegate_round_trip_returns_the_task_to_the_delegator(world):
    actions.claim(world.task.id, world.ann)
    delegated = delegation.delegate(world.task.id, world.ann, world.quality.id, "Is IP65 enough?")
    db.session.commit()
    task = _reload(world.task.id)
    assert task.state == "waiting"
    with pytest.raises(Conflict, match="Quinn"):  # the delegator waits for the answer
        _complete(task.id, world.ann)
    db.session.rollback()
    child = db.session.get(HumanTask, delegated.child_task_id)
    assert child.assignee_id == world.quality.id and child.parent_id == task.id
    assert _notified(world.quality, "task_delegated") == 1
    with pytest.raises(PermissionDenied):  # only the delegate answers
        delegation.answer(child.id, world.bob, None, "yes")
    db.session.commit()
    assert "denied.answer" in _actions(world.bob)
    with pytest.raises(Conflict):  # the child is answered, never completed through the engine
        completion.complete_task(child.id, world.quality, MultiDict())
    db.session.rollback()
    delegation.answer(child.id, world.quality, None, "IP65 is enough")
    db.session.commit()
    task = _reload(world.task.id)
    assert task.state == "ready" and task.assignee_id == world.ann.id
    assert db.session.get(TaskDelegation, delegated.id).answer == "IP65 is enough"
    assert _notified(world.ann, "delegation_answered") == 1
    _complete(task.id, world.ann)
    db.session.commit()
    assert _reload(world.task.id).state == "completed"


def test_delegator_takes_the_task_back_before_the_answer(world):
    actions.claim(world.task.id, world.ann)
    delegated = delegation.delegate(world.task.id, world.ann, world.quality.id, "")
    db.session.commit()
    with pytest.raises(PermissionDenied):
        delegation.recall_delegation(world.task.id, world.bob)
    db.session.commit()
    delegation.recall_delegation(world.task.id, world.ann)
    db.session.commit()
    assert _reload(world.task.id).state == "ready"
    assert _reload(delegated.child_task_id).state == "cancelled"
    with pytest.raises(Conflict):
        delegation.answer(delegated.child_task_id, world.quality, None, "late")


def test_delegate_denied_to_non_holders(world):
    actions.claim(world.task.id, world.ann)
    db.session.commit()
    for who in (world.bob, world.head, world.quality):
        with pytest.raises(PermissionDenied):
            delegation.delegate(world.task.id, who, world.quality.id, "")
        db.session.commit()
        assert "denied.delegate" in _actions(who)
    assert _reload(world.task.id).state == "ready"


# --- co-sign ---------------------------------------------------------------------------------


def test_cosign_before_holds_the_original_until_the_opinion(world):
    actions.claim(world.task.id, world.ann)
    row = actions.add_cosigner(world.task.id, world.ann, world.quality.id, "before", "check")
    db.session.commit()
    assert _reload(world.task.id).state == "waiting"
    assert _notified(world.quality, "cosign_requested") == 1
    with pytest.raises(Conflict, match="Quinn"):  # completion refused while the co-sign is open
        _complete(world.task.id, world.ann)
    db.session.rollback()
    with pytest.raises(InvalidInput):  # an opinion is required
        delegation.answer(row.child_task_id, world.quality, "agree", "")
    db.session.rollback()
    delegation.answer(row.child_task_id, world.quality, "disagree", "Packaging unclear")
    db.session.commit()
    task = _reload(world.task.id)
    assert task.state == "ready" and task.assignee_id == world.ann.id
    assert db.session.get(TaskCosign, row.id).state == "disagreed"
    assert _notified(world.ann, "cosign_answered") == 1
    _complete(task.id, world.ann)  # the holder decides after hearing the opinion
    db.session.commit()
    assert _reload(world.task.id).state == "completed"


def test_cosign_after_holds_the_completion_until_agreement(world, task_of):
    actions.claim(world.task.id, world.ann)
    row = actions.add_cosigner(world.task.id, world.ann, world.head.id, "after", "")
    db.session.commit()
    assert _reload(world.task.id).state == "ready"  # nothing to wait for yet
    assert db.session.get(TaskCosign, row.id).state == "pending"
    _complete(world.task.id, world.ann)
    db.session.commit()
    task = _reload(world.task.id)
    assert task.state == "waiting" and task.held_form
    assert task_of(world.order, "pmc_dispatch") is None  # the process has not moved
    row = db.session.get(TaskCosign, row.id)
    assert row.state == "active"
    delegation.answer(row.child_task_id, world.head, "agree", "Fine")
    db.session.commit()
    task = _reload(world.task.id)
    assert task.state == "completed" and task.completed_by_id == world.ann.id
    assert task.held_form is None
    assert task_of(world.order, "pmc_dispatch") is not None  # now it moved on


def test_cosign_after_disagreement_gives_the_task_back_and_asks_again(world, task_of):
    actions.claim(world.task.id, world.ann)
    actions.add_cosigner(world.task.id, world.ann, world.head.id, "after", "")
    _complete(world.task.id, world.ann)
    db.session.commit()
    active = db.session.scalar(db.select(TaskCosign).where(TaskCosign.state == "active"))
    delegation.answer(active.child_task_id, world.head, "disagree", "Wrong category")
    db.session.commit()
    task = _reload(world.task.id)
    assert task.state == "ready" and task.held_form is None
    assert task_of(world.order, "pmc_dispatch") is None
    pending = db.session.scalars(db.select(TaskCosign).where(TaskCosign.state == "pending")).all()
    assert [p.cosigner_id for p in pending] == [world.head.id]  # asked again next time
    _complete(task.id, world.ann)
    db.session.commit()
    assert _reload(world.task.id).state == "waiting"


def test_cosign_denials_and_bad_input(world):
    actions.claim(world.task.id, world.ann)
    db.session.commit()
    for who in (world.bob, world.head, world.quality):
        with pytest.raises(PermissionDenied):
            actions.add_cosigner(world.task.id, who, world.quality.id, "before", "")
        db.session.commit()
        assert "denied.cosign_add" in _actions(who)
    for cosigner, position, note in (
        (world.quality.id, "sideways", ""),
        (999_999, "before", ""),
        (world.ann.id, "before", ""),
        (world.quality.id, "before", "n" * 4001),
    ):
        with pytest.raises(InvalidInput):
            actions.add_cosigner(world.task.id, world.ann, cosigner, position, note)
        db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(TaskCosign)) == 0
    assert _reload(world.task.id).state == "ready"


def test_requester_takes_a_before_cosign_back(world):
    actions.claim(world.task.id, world.ann)
    row = actions.add_cosigner(world.task.id, world.ann, world.quality.id, "before", "")
    db.session.commit()
    with pytest.raises(PermissionDenied):
        actions.cancel_cosigner(row.id, world.bob)
    db.session.commit()
    actions.cancel_cosigner(row.id, world.ann)
    db.session.commit()
    assert _reload(world.task.id).state == "ready"
    assert _reload(row.child_task_id).state == "cancelled"


def test_child_tasks_end_with_their_cancelled_process(world, make_user):
    from app.core.tasks import instance_admin

    actions.claim(world.task.id, world.ann)
    row = actions.add_cosigner(world.task.id, world.ann, world.quality.id, "before", "")
    db.session.commit()
    instance_admin.cancel_instance(world.task.instance_id, make_user(None, is_admin=True), "test")
    db.session.commit()
    assert _reload(world.task.id).state == "cancelled"
    assert _reload(row.child_task_id).state == "cancelled"
    assert db.session.get(TaskCosign, row.id).state == "cancelled"


def test_child_tasks_cannot_be_claimed_or_assigned(world):
    actions.claim(world.task.id, world.ann)
    row = actions.add_cosigner(world.task.id, world.ann, world.quality.id, "before", "")
    db.session.commit()
    quality_mate = world.other_head
    with pytest.raises(PermissionDenied):
        actions.claim(row.child_task_id, quality_mate)
    db.session.commit()
    with pytest.raises(PermissionDenied):
        actions.assign(row.child_task_id, quality_mate, quality_mate.id)
    db.session.commit()
    assert _reload(row.child_task_id).assignee_id == world.quality.id


# --- copy ------------------------------------------------------------------------------------


def test_copy_shows_the_task_to_recipients_read_only(world):
    copies.copy(world.task.id, world.ann, [world.quality.id, world.quality.id], "FYI")
    db.session.commit()
    shared = copies.shared_with(world.quality)
    assert [c.task_id for c in shared] == [world.task.id]
    assert _notified(world.quality, "task_copied") == 1
    assert copies.shared_with(world.bob) == []
    from app.core.tasks import inbox

    assert not inbox.may_act(world.quality, _reload(world.task.id))  # read-only
    copies.mark_copies_read(world.quality, world.task.id)
    db.session.commit()
    assert db.session.scalar(db.select(TaskCopy.read_at)) is not None


def test_copy_denied_to_other_departments_and_bad_input(world):
    with pytest.raises(PermissionDenied):
        copies.copy(world.task.id, world.quality, [world.bob.id], "")
    db.session.commit()
    assert "denied.copy" in _actions(world.quality)
    for ids, note in (([], ""), ([999_999], ""), ([world.bob.id], "n" * 4001), ([None], "")):
        with pytest.raises(InvalidInput):
            copies.copy(world.task.id, world.ann, ids, note)
        db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(TaskCopy)) == 0


# --- out of office ---------------------------------------------------------------------------


def _away(user, substitute, starts: date, ends: date) -> OutOfOffice:
    row = away.add(user, substitute.id, starts.isoformat(), ends.isoformat(), "holiday")
    db.session.commit()
    return row


def test_away_routes_new_work_and_notifications_inside_its_range_only(world, monkeypatch):
    _away(world.bob, world.head, TODAY, TODAY + timedelta(days=3))
    actions.claim(world.task.id, world.ann)
    actions.transfer(world.task.id, world.ann, world.bob.id, "please")
    db.session.commit()
    assert _reload(world.task.id).assignee_id == world.head.id  # the substitute got it
    assert _notified(world.head, "substitute_active") == 1
    assert _notified(world.head, "task_transferred") == 1
    # Notifications addressed to Bob reach his substitute too, only while he is away.
    from app.core.notifications import services as notifications

    assert notifications.notify_users([world.bob.id], None, "task_copied", {}) == 2
    monkeypatch.setattr(clock, "today", lambda: TODAY + timedelta(days=4))
    assert notifications.notify_users([world.bob.id], None, "task_copied", {}) == 1
    actions.transfer(world.task.id, world.head, world.bob.id, "back to you")
    db.session.commit()
    assert _reload(world.task.id).assignee_id == world.bob.id  # outside the range: Bob himself


def test_away_before_its_range_routes_nothing(world):
    _away(world.bob, world.head, TODAY + timedelta(days=1), TODAY + timedelta(days=2))
    actions.assign(world.task.id, world.head, world.bob.id)
    db.session.commit()
    assert _reload(world.task.id).assignee_id == world.bob.id


def test_away_refuses_overlaps_bad_ranges_and_unknown_substitutes(world):
    _away(world.bob, world.head, TODAY, TODAY + timedelta(days=5))
    cases = [
        (world.head.id, TODAY + timedelta(days=5), TODAY + timedelta(days=8), ""),  # overlap
        (world.head.id, TODAY + timedelta(days=9), TODAY + timedelta(days=8), ""),  # reversed
        (world.head.id, TODAY - timedelta(days=9), TODAY - timedelta(days=8), ""),  # over
        (world.head.id, TODAY + timedelta(days=9), TODAY + timedelta(days=900), ""),  # too long
        (999_999, TODAY + timedelta(days=9), TODAY + timedelta(days=10), ""),  # unknown user
        (world.bob.id, TODAY + timedelta(days=9), TODAY + timedelta(days=10), ""),  # oneself
        (world.head.id, TODAY + timedelta(days=9), TODAY + timedelta(days=10), "n" * 201),
    ]
    for sub, starts, ends, note in cases:
        with pytest.raises(InvalidInput) as caught:
            away.add(world.bob, sub, starts.isoformat(), ends.isoformat(), note)
        assert caught.value.message
        db.session.rollback()
    with pytest.raises(InvalidInput):
        away.add(world.bob, world.head.id, "31/12/2027", "2028-01-02", "")
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(OutOfOffice)) == 1


def test_only_the_owner_deletes_an_away_range(world):
    row = _away(world.bob, world.head, TODAY, TODAY)
    with pytest.raises(PermissionDenied):
        away.remove(world.ann, row.id)
    db.session.commit()
    assert "denied.away.remove" in _actions(world.ann)
    away.remove(world.bob, row.id)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(OutOfOffice)) == 0


def test_bulk_assign_leaves_a_cosign_task_with_its_cosigner(world, make_user):
    from app.core.tasks import bulk

    actions.claim(world.task.id, world.ann)
    row = actions.add_cosigner(world.task.id, world.ann, world.quality.id, "before", "")
    db.session.commit()
    other = make_user("quality")
    result = bulk.assign(world.other_head, [row.child_task_id], other.id)
    db.session.commit()
    assert [o.passed for o in result.outcomes] == [False]
    assert _reload(row.child_task_id).assignee_id == world.quality.id


def test_delegating_to_someone_away_reaches_their_substitute(world):
    _away(world.quality, world.other_head, TODAY, TODAY + timedelta(days=1))
    actions.claim(world.task.id, world.ann)
    row = delegation.delegate(world.task.id, world.ann, world.quality.id, "")
    db.session.commit()
    assert row.delegate_id == world.other_head.id
    assert _reload(row.child_task_id).assignee_id == world.other_head.id
    assert _notified(world.other_head, "task_delegated") == 1


def test_transfer_to_someone_away_whose_substitute_cannot_act_is_refused(world):
    _away(world.bob, world.quality, TODAY, TODAY)  # a quality user cannot take a sales task
    actions.claim(world.task.id, world.ann)
    db.session.commit()
    with pytest.raises(InvalidInput, match="Quinn"):
        actions.transfer(world.task.id, world.ann, world.bob.id, "please")
    db.session.rollback()
    assert _reload(world.task.id).assignee_id == world.ann.id
    assert _notified(world.quality, "substitute_active") == 0


def test_a_waiting_task_cannot_be_claimed_transferred_or_delegated_again(world):
    actions.claim(world.task.id, world.ann)
    delegation.delegate(world.task.id, world.ann, world.quality.id, "")
    db.session.commit()
    with pytest.raises(Conflict, match="Quinn"):
        actions.transfer(world.task.id, world.head, world.bob.id, "now")
    db.session.rollback()
    with pytest.raises(Conflict, match="Quinn"):
        actions.unclaim(world.task.id, world.head)
    db.session.rollback()
    task = _reload(world.task.id)
    assert task.state == "waiting" and task.assignee_id == world.ann.id


def test_sending_back_ends_the_pending_after_cosigns(world, make_user, task_of, complete):
    from app.core.tasks import sendback

    done = complete(world.order, "confirm_order", user=world.ann)
    pmc_task = task_of(world.order, "pmc_dispatch")
    planner = make_user("pmc")
    actions.claim(pmc_task.id, planner)
    row = actions.add_cosigner(pmc_task.id, planner, world.head.id, "after", "")
    db.session.commit()
    sendback.send_back(pmc_task.id, planner, done.id, "Wrong category")
    db.session.commit()
    assert _reload(pmc_task.id).state == "cancelled"
    assert db.session.get(TaskCosign, row.id).state == "cancelled"

"""Send back (退回): to each allowed earlier step, refusals audited, the process runs on after."""

import json

import pytest

from app.core.audit.models import AuditEvent
from app.core.comments.models import TaskNote
from app.core.notifications.models import Notification
from app.core.tasks import sendback
from app.core.tasks.models import HumanTask
from app.errors import InvalidInput, PermissionDenied
from app.extensions import db
from app.modules.orders.services import subject as order_subject
from tests.conftest import REVIEW_STEPS, open_task


def ready_steps(order) -> list[str]:
    return sorted(
        db.session.scalars(
            db.select(HumanTask.spec_name).where(
                order_subject.about_order(HumanTask, order.id), HumanTask.state == "ready"
            )
        )
    )


def completed_row(order, spec_name) -> HumanTask:
    return db.session.scalars(
        db.select(HumanTask)
        .where(
            order_subject.about_order(HumanTask, order.id),
            HumanTask.spec_name == spec_name,
            HumanTask.state == "completed",
        )
        .order_by(HumanTask.id.desc())
    ).first()


def at_consolidation(make_order, complete):
    order = make_order()
    complete(order, "confirm_order")
    complete(order, "pmc_dispatch")
    for step in REVIEW_STEPS:
        complete(order, step)
    return order


def test_targets_are_the_completed_steps_before_the_parallel_review(make_order, complete):
    order = at_consolidation(make_order, complete)
    task = open_task(order, "pmc_consolidate")
    names = [t.row.spec_name for t in sendback.targets(task)]
    # The reviews are one parallel block that finished: it goes back as a whole, not a branch.
    assert names == ["pmc_dispatch", "confirm_order"]


@pytest.mark.parametrize("target_step", ["pmc_dispatch", "confirm_order"])
def test_send_back_to_each_allowed_step_then_the_process_runs_to_the_end_of_review(
    make_order, complete, make_user, target_step
):
    order = at_consolidation(make_order, complete)
    pmc = make_user("pmc", role="head")  # consolidation is the head's
    task = open_task(order, "pmc_consolidate")
    target = completed_row(order, target_step)
    before = target.completed_by
    reopened = sendback.send_back(task.id, pmc, target.id, "Customer changed the drawing")
    db.session.commit()

    assert ready_steps(order) == [target_step]
    assert reopened.id == target.id and reopened.state == "ready"
    assert reopened.assignee_id == before.id  # back to whoever did it
    assert db.session.get(HumanTask, task.id).state == "cancelled"
    note = sendback.latest_reason(reopened)
    assert note.body == "Customer changed the drawing" and note.from_task_id == task.id
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "task.send_back"))
    assert event.user_id == pmc.id and json.loads(event.data)["to_task"] == target.id
    notice = db.session.scalar(db.select(Notification).where(Notification.kind == "task_sent_back"))
    assert notice.user_id == before.id
    assert json.loads(notice.params)["reason"] == "Customer changed the drawing"

    # Completed again, the process runs on through the review to the customer's confirmation.
    steps = (
        ["confirm_order", "pmc_dispatch"] if target_step == "confirm_order" else ["pmc_dispatch"]
    )
    for step in steps:
        complete(order, step, user=before if step == target_step else None)
    for step in REVIEW_STEPS:
        complete(order, step)
    complete(order, "pmc_consolidate")
    assert ready_steps(order) == ["send_confirmation"]
    db.session.refresh(order)
    assert order.status == "awaiting_customer"


def test_a_step_inside_the_finished_parallel_block_is_refused_and_audited(
    make_order, complete, make_user
):
    order = at_consolidation(make_order, complete)
    task = open_task(order, "pmc_consolidate")
    head = make_user("pmc", role="head")
    for step in REVIEW_STEPS:  # one of them is on the engine's path, the others are not
        with pytest.raises(PermissionDenied):
            sendback.send_back(task.id, head, completed_row(order, step).id, "No")
        db.session.commit()
    assert ready_steps(order) == ["pmc_consolidate"]
    denials = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "denied.send_back")
    ).all()
    assert len(denials) == 4
    assert {json.loads(e.data)["why"] for e in denials} <= {"inside_block", "not_on_path"}


def test_from_a_live_parallel_branch_nothing_before_the_split_is_allowed(
    make_order, complete, make_user
):
    order = make_order()
    complete(order, "confirm_order")
    complete(order, "pmc_dispatch")
    complete(order, "review_production")  # one branch done, three still open
    task = open_task(order, "review_engineering")
    assert sendback.targets(task) == []
    for step in ("pmc_dispatch", "confirm_order"):
        with pytest.raises(PermissionDenied) as refused:
            sendback.send_back(
                task.id, make_user("engineering"), completed_row(order, step).id, "x"
            )
        assert "其他并行分支仍在进行" in refused.value.message  # the default language
        db.session.commit()
    # Another branch's step is not on this task's path either.
    with pytest.raises(PermissionDenied):
        sendback.send_back(
            task.id, make_user("engineering"), completed_row(order, "review_production").id, "x"
        )
    db.session.commit()
    assert ready_steps(order) == ["review_engineering", "review_quality", "review_warehouse"]
    whys = [
        json.loads(e.data)["why"]
        for e in db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.action == "denied.send_back")
            .order_by(AuditEvent.id)
        )
    ]
    assert whys == ["live_branches", "live_branches", "not_on_path"]


def test_only_the_holder_or_the_head_sends_back(make_order, complete, make_user):
    order = make_order()
    complete(order, "confirm_order")
    task = open_task(order, "pmc_dispatch")
    target = completed_row(order, "confirm_order")
    with pytest.raises(PermissionDenied):  # another department
        sendback.send_back(task.id, make_user("sales"), target.id, "Wrong")
    holder, other = make_user("pmc"), make_user("pmc")
    task.assignee_id = holder.id
    db.session.commit()
    with pytest.raises(PermissionDenied):  # a colleague, while the holder has it
        sendback.send_back(task.id, other, target.id, "Wrong")
    db.session.commit()
    assert (
        db.session.scalar(db.select(db.func.count()).where(AuditEvent.action == "denied.send_back"))
        == 2
    )
    head = make_user("pmc", role="head")
    sendback.send_back(task.id, head, target.id, "Packaging unclear")
    db.session.commit()
    assert ready_steps(order) == ["confirm_order"]


def test_reason_is_required_and_bounded(make_order, complete, make_user):
    order = make_order()
    complete(order, "confirm_order")
    task = open_task(order, "pmc_dispatch")
    target = completed_row(order, "confirm_order")
    for reason in ("", "   ", "x" * (sendback.REASON_LIMIT + 1)):
        with pytest.raises(InvalidInput) as bad:
            sendback.send_back(task.id, make_user("pmc"), target.id, reason)
        assert "reason" in bad.value.errors
        db.session.rollback()
    assert ready_steps(order) == ["pmc_dispatch"]
    assert db.session.scalar(db.select(db.func.count()).select_from(TaskNote)) == 0


def test_the_receiver_reads_the_reason_on_the_task_page(
    client, login, make_order, complete, make_user
):
    order = make_order()
    first = complete(order, "confirm_order")
    task = open_task(order, "pmc_dispatch")
    pmc = make_user("pmc")
    login(pmc)
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'name="target_id"' in page and "退回到之前的步骤" in page
    response = client.post(
        f"/tasks/{task.id}/send-back",
        data={"target_id": str(first.id), "reason": "Packaging <b>unclear</b>"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/inbox")
    login(first.completed_by)
    page = client.get(f"/tasks/{first.id}").get_data(as_text=True)
    assert "Packaging &lt;b&gt;unclear&lt;/b&gt;" in page and pmc.display_name in page
    assert "/notifications" in client.get("/inbox").get_data(as_text=True)
    notices = client.get("/notifications").get_data(as_text=True)
    assert "Packaging &lt;b&gt;unclear&lt;/b&gt;" in notices


def test_htmx_refusal_is_a_message_in_place(client, login, make_order, complete, make_user):
    order = make_order()
    first = complete(order, "confirm_order")
    task = open_task(order, "pmc_dispatch")
    login(make_user("pmc"))
    headers = {"HX-Request": "true"}
    empty = client.post(
        f"/tasks/{task.id}/send-back", data={"target_id": str(first.id)}, headers=headers
    )
    assert empty.status_code == 400 and "请填写退回原因" in empty.get_data(as_text=True)
    bogus = client.post(
        f"/tasks/{task.id}/send-back", data={"target_id": "99999", "reason": "x"}, headers=headers
    )
    assert bogus.status_code == 403 and "不是本任务之前的步骤" in bogus.get_data(as_text=True)
    done = client.post(
        f"/tasks/{task.id}/send-back",
        data={"target_id": str(first.id), "reason": "x"},
        headers=headers,
    )
    assert done.status_code == 204 and done.headers["HX-Redirect"].endswith("/inbox")


def test_a_delegate_cannot_send_back_but_the_head_sends_the_original_back_with_its_child(
    make_order, complete, make_user
):
    from app.core.tasks import actions, delegation

    order = make_order()
    complete(order, "confirm_order")
    task = open_task(order, "pmc_dispatch")
    holder, helper = make_user("pmc"), make_user("pmc")
    actions.claim(task.id, holder)
    delegation.delegate(task.id, holder, helper.id, "Please look")
    db.session.commit()
    child = db.session.scalar(db.select(HumanTask).where(HumanTask.parent_id == task.id))
    target = completed_row(order, "confirm_order")
    assert sendback.targets(child) == []
    with pytest.raises(Exception) as refused:  # a child is no step of the process
        sendback.send_back(child.id, helper, target.id, "x")
    assert refused.value.status in (403, 409)
    db.session.rollback()
    db.session.refresh(task)
    assert task.state == "waiting"  # for the delegate; the head may still send it back
    sendback.send_back(task.id, make_user("pmc", role="head"), target.id, "Start over")
    db.session.commit()
    db.session.refresh(child)
    assert child.state == "cancelled"
    assert ready_steps(order) == ["confirm_order"]

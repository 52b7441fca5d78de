"""The order_review process through the services: inbox rows follow the engine step by step."""

import json

import pytest
from werkzeug.datastructures import MultiDict

from app.core.audit.models import AuditEvent
from app.core.tasks import completion as tasks
from app.core.tasks import inbox
from app.core.tasks.models import HumanTask, ProcessInstance
from app.errors import Conflict, InvalidInput, PermissionDenied
from app.extensions import db
from app.modules.orders.services import subject as order_subject

REVIEWS = ["review_engineering", "review_production", "review_quality", "review_warehouse"]


def ready_steps(order) -> list[str]:
    return sorted(
        db.session.scalars(
            db.select(HumanTask.spec_name).where(
                order_subject.about_order(HumanTask, order.id), HumanTask.state == "ready"
            )
        )
    )


def test_new_order_waits_for_sales_confirmation(make_order):
    order = make_order()
    assert order.number.startswith("SO-") and order.status == "in_review"
    assert ready_steps(order) == ["confirm_order"]
    row = db.session.scalar(
        db.select(HumanTask).where(order_subject.about_order(HumanTask, order.id))
    )
    assert row.department.key == "sales" and row.form_name == "order_intake"
    assert row.due_at is not None and row.form_version_id is not None


def test_dispatch_opens_four_parallel_reviews_then_consolidation(make_order, complete):
    order = make_order()
    complete(order, "confirm_order")
    assert ready_steps(order) == ["pmc_dispatch"]
    complete(order, "pmc_dispatch")
    assert ready_steps(order) == REVIEWS
    for step in REVIEWS:
        complete(order, step)
    assert ready_steps(order) == ["pmc_consolidate"]
    complete(order, "pmc_consolidate")
    # The review passed: sales sends the sheet while the process waits for the customer.
    assert ready_steps(order) == ["send_confirmation"]
    db.session.refresh(order)
    assert order.instances[0].status == "running"
    assert order.status == "awaiting_customer"


def test_rejection_returns_to_sales_and_resubmission_reviews_again(make_order, complete):
    order = make_order()
    complete(order, "confirm_order")
    complete(order, "pmc_dispatch")
    complete(
        order, "review_engineering", {"decision": "reject", "comments": "Tolerance impossible"}
    )
    for step in REVIEWS[1:]:
        complete(order, step)
    complete(order, "pmc_consolidate")
    assert ready_steps(order) == ["sales_revise"]
    db.session.refresh(order)
    assert order.status == "rejected"
    complete(order, "sales_revise", {"action": "resubmit", "changes_made": "Relaxed tolerance"})
    assert ready_steps(order) == ["pmc_dispatch"]
    complete(order, "pmc_dispatch")
    assert ready_steps(order) == REVIEWS


def test_cancel_after_rejection_ends_the_order(make_order, complete):
    order = make_order()
    complete(order, "confirm_order")
    complete(order, "pmc_dispatch")
    for step in REVIEWS:
        complete(order, step, {"decision": "reject", "comments": "No"})
    complete(order, "pmc_consolidate")
    complete(order, "sales_revise", {"action": "cancel", "cancel_reason": "Customer withdrew"})
    db.session.refresh(order)
    assert order.status == "cancelled"
    assert order.instances[0].status == "completed"


def test_invalid_submission_changes_nothing(make_order, make_user):
    order = make_order()
    task = db.session.scalar(
        db.select(HumanTask).where(order_subject.about_order(HumanTask, order.id))
    )
    before = order.instances[0].state
    with pytest.raises(InvalidInput) as err:
        tasks.complete_task(task.id, make_user("sales"), MultiDict({"order_category": "bogus"}))
    db.session.rollback()
    assert "packaging_confirmed" in err.value.errors and "order_category" in err.value.errors
    db.session.refresh(task)
    assert task.state == "ready"
    assert db.session.get(ProcessInstance, order.instances[0].id).state == before


def test_other_department_is_refused_and_recorded(make_order, make_user):
    order = make_order()
    task = db.session.scalar(
        db.select(HumanTask).where(order_subject.about_order(HumanTask, order.id))
    )
    outsider = make_user("quality")
    with pytest.raises(PermissionDenied):
        tasks.complete_task(task.id, outsider, MultiDict({}))
    with pytest.raises(PermissionDenied):
        inbox.claim(task.id, outsider)
    db.session.commit()
    actions = list(
        db.session.scalars(
            db.select(AuditEvent.action)
            .where(AuditEvent.user_id == outsider.id)
            .order_by(AuditEvent.id)
        )
    )
    assert actions == ["denied.complete", "denied.claim"]
    assert db.session.get(HumanTask, task.id).state == "ready"


def test_head_role_task_needs_the_head(make_order, complete, make_user):
    order = make_order()
    complete(order, "confirm_order")
    complete(order, "pmc_dispatch")
    for step in REVIEWS:
        complete(order, step)
    task = db.session.scalar(
        db.select(HumanTask).where(
            order_subject.about_order(HumanTask, order.id), HumanTask.spec_name == "pmc_consolidate"
        )
    )
    assert task.role == "head"
    with pytest.raises(PermissionDenied):
        tasks.complete_task(
            task.id, make_user("pmc"), MultiDict({"summary": "x", "confirmed": "on"})
        )
    tasks.complete_task(
        task.id, make_user("pmc", role="head"), MultiDict({"summary": "x", "confirmed": "on"})
    )
    assert db.session.get(HumanTask, task.id).state == "completed"


def test_second_completion_is_a_conflict_naming_the_winner(make_order, make_user):
    order = make_order()
    task = db.session.scalar(
        db.select(HumanTask).where(order_subject.about_order(HumanTask, order.id))
    )
    first, second = make_user("sales", display_name="Alice"), make_user("sales")
    answers = MultiDict(
        {
            "packaging_confirmed": "on",
            "structure_confirmed": "on",
            "dimensions_confirmed": "on",
            "order_category": "new",
            "requirements": "x",
        }
    )
    tasks.complete_task(task.id, first, answers)
    db.session.commit()
    with pytest.raises(Conflict) as err:
        tasks.complete_task(task.id, second, answers)
    assert "Alice" in err.value.message


def test_claim_unclaim_assign(make_order, make_user):
    order = make_order()
    task = db.session.scalar(
        db.select(HumanTask).where(order_subject.about_order(HumanTask, order.id))
    )
    member, other, head = make_user("sales"), make_user("sales"), make_user("sales", role="head")
    inbox.claim(task.id, member)
    with pytest.raises(Conflict):
        inbox.claim(task.id, other)
    with pytest.raises(PermissionDenied):
        inbox.assign(task.id, member, other.id)
    inbox.assign(task.id, head, other.id)
    assert task.assignee_id == other.id
    inbox.unclaim(task.id, other)
    assert task.assignee_id is None
    db.session.commit()
    audit_rows = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.object_type == "human_task").order_by(AuditEvent.id)
    )
    assert [e.action for e in audit_rows] == [
        "task.claim",
        "denied.assign",
        "task.assign",
        "task.unclaim",
    ]


def test_completion_audits_the_submitted_data(make_order, complete):
    order = make_order()
    complete(order, "confirm_order", {"notes": "checked with Ann"})
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "task.complete"))
    assert json.loads(event.data)["submitted"]["notes"] == "checked with Ann"

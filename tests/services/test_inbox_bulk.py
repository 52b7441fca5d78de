"""Bulk approve (the form's x-bulk-default, each task through the normal completion in its own
savepoint, reported per task), bulk assign (the head's; others are refused and audited), and
saved inbox views."""

import json
from pathlib import Path

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from app.core.audit.models import AuditEvent
from app.core.processes import forms
from app.core.processes import versions as processes
from app.core.tasks import bulk, inbox, inbox_query, instances, saved_views
from app.core.tasks.models import HumanTask, InboxView, ProcessInstance
from app.errors import InvalidInput, NotFound, PermissionDenied
from app.extensions import db
from tests.engine.builders import diagram, flow, user_task

FORMS = Path(__file__).resolve().parents[2] / "forms"
HEAD_ROLE = '<spiffworkflow:property name="role" value="head" />'


def approval_process(form: str = "pmc_check", role: str = "") -> bytes:
    """start -> approve (sales lane, the given form) -> end."""
    nodes = [
        '<bpmn:startEvent id="start" name="Start" />',
        user_task("approve", form, extra=role),
        '<bpmn:endEvent id="end" name="End" />',
        flow("f0", "start", "approve"),
        flow("f1", "approve", "end"),
    ]
    return diagram("".join(nodes), lane_nodes=["approve"])


def open_tasks(count: int, user, **process) -> list[HumanTask]:
    deployed = processes.deploy_process("proc.bpmn", approval_process(**process), None)
    assert deployed.problems == []
    db.session.commit()
    found = []
    for _n in range(count):
        instance = instances.start_process("proc", user)
        db.session.commit()
        found.append(
            db.session.scalar(
                db.select(HumanTask).where(
                    HumanTask.instance_id == instance.id, HumanTask.state == "ready"
                )
            )
        )
    return found


def form_file(name: str) -> dict:
    return json.loads((FORMS / f"{name}.json").read_text(encoding="utf-8"))


def state(task: HumanTask) -> str:
    db.session.expire_all()
    return db.session.get(HumanTask, task.id).state


def actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_the_shipped_approval_forms_declare_a_valid_default_decision():
    for name in ("pmc_check", "change_review", "change_approval"):
        doc = form_file(name)
        assert forms.check_form_document(doc) == []
        data, errors = forms.parse_submission(doc, forms.bulk_formdata(doc))
        assert errors == {} and data == doc["x-bulk-default"]


def test_a_default_that_breaks_the_forms_own_schema_is_refused_at_deploy():
    doc = form_file("pmc_check")
    with force_locale("en"):  # the messages' words; they are Chinese by default (issue 16)
        doc["x-bulk-default"] = {"decision": "reject"}  # a rejection needs comments
        problems = forms.check_form_document(doc)
        assert any("x-bulk-default" in p and "comments" in p for p in problems)
        doc["x-bulk-default"] = {"verdict": "approve"}
        assert any("'verdict' is not in properties" in p for p in forms.check_form_document(doc))
        doc["x-bulk-default"] = "approve"
        assert any("must be an object" in p for p in forms.check_form_document(doc))


def test_bulk_approve_completes_each_task_and_reports_a_refused_one(make_user):
    member, colleague = make_user("sales"), make_user("sales", display_name="Bo Li")
    first, claimed, third = open_tasks(3, member)
    inbox.claim(claimed.id, colleague)
    db.session.commit()

    result = bulk.approve(member, [first.id, claimed.id, third.id, first.id])
    db.session.commit()

    assert [(o.task_id, o.passed) for o in result.outcomes] == [
        (first.id, True),
        (claimed.id, False),
        (third.id, True),
    ]
    assert "Bo Li" in result.refused[0].message  # why: the normal completion's own refusal
    assert [state(t) for t in (first, claimed, third)] == ["completed", "ready", "completed"]
    done = db.session.get(HumanTask, first.id)
    assert json.loads(done.data) == {"decision": "approve"} and done.completed_by_id == member.id
    instance = db.session.get(ProcessInstance, done.instance_id)
    assert instance.status == "completed"  # the engine moved on, as for a person's submission
    assert actions().count("task.complete") == 2
    summary = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "task.bulk_approve")
    )
    assert json.loads(summary.data)["passed"] == [first.id, third.id]
    assert list(json.loads(summary.data)["refused"]) == [str(claimed.id)]


def test_bulk_approve_refuses_a_head_only_task_to_a_member_and_audits_it(make_user):
    member, head = make_user("sales"), make_user("sales", role="head")
    (task,) = open_tasks(1, head, role=HEAD_ROLE)
    result = bulk.approve(member, [task.id])
    db.session.commit()
    assert not result.passed and result.refused[0].task_id == task.id
    assert state(task) == "ready"
    assert "denied.bulk_approve" in actions()  # kept: recorded outside the task's savepoint


def test_bulk_approve_refuses_a_step_without_a_default_and_mixed_steps(make_user):
    member = make_user("sales")
    (no_default,) = open_tasks(1, member, form="pmc_dispatch")
    with force_locale("en"):
        result = bulk.approve(member, [no_default.id])
    assert not result.passed
    assert result.refused[0].message.startswith("This step has no default decision")
    assert state(no_default) == "ready"
    other = HumanTask(
        instance_id=no_default.instance_id,
        task_id="x",
        spec_name="elsewhere",
        name="Elsewhere",
        department_id=no_default.department_id,
    )
    db.session.add(other)
    db.session.commit()
    with pytest.raises(InvalidInput):
        bulk.approve(member, [no_default.id, other.id])
    with pytest.raises(InvalidInput):
        bulk.approve(member, [])
    with pytest.raises(InvalidInput):
        bulk.approve(member, list(range(1, bulk.MAX_TASKS + 2)))


def test_bulk_assign_is_the_heads_and_a_member_is_refused_and_audited(make_user):
    member = make_user("sales")
    head = make_user("sales", role="head")
    tasks = open_tasks(2, member)
    with pytest.raises(PermissionDenied):
        bulk.assign(member, [t.id for t in tasks], member.id)
    db.session.commit()  # what the web layer does with a denial: keep its audit rows
    assert actions().count("denied.bulk_assign") == 2
    assert all(db.session.get(HumanTask, t.id).assignee_id is None for t in tasks)

    result = bulk.assign(head, [t.id for t in tasks], member.id)
    db.session.commit()
    assert len(result.passed) == 2
    db.session.expire_all()
    assert all(db.session.get(HumanTask, t.id).assignee_id == member.id for t in tasks)
    assert actions().count("task.assign") == 2 and "task.bulk_assign" in actions()


def test_bulk_assign_refuses_an_outsider_per_task(make_user):
    member, head = make_user("sales"), make_user("sales", role="head")
    outsider = make_user("quality")
    tasks = open_tasks(2, member)
    result = bulk.assign(head, [t.id for t in tasks], outsider.id)
    db.session.commit()
    assert not result.passed and len(result.refused) == 2
    assert all(db.session.get(HumanTask, t.id).assignee_id is None for t in tasks)


def test_saved_views_save_rename_delete_and_stay_their_owners(make_user):
    me, other = make_user("sales"), make_user("sales")
    query = inbox_query.parse({"q": "确认", "sort": "amount", "page": "4"})
    view = saved_views.save(me, "  Confirm   queue ", query)
    db.session.commit()
    assert view.name == "Confirm queue" and "page" not in view.query
    assert inbox_query.parse(dict(MultiDict(_pairs(view.query)))) == query.__class__(
        q="确认", sort="amount"
    )
    again = saved_views.save(me, "Confirm queue", query)  # a double click: stored once
    assert again.id == view.id
    with pytest.raises(InvalidInput):
        saved_views.save(me, "Confirm queue", inbox_query.parse({"q": "other"}))
    with pytest.raises(InvalidInput):
        saved_views.save(me, "x" * 61, query)
    with pytest.raises(InvalidInput):
        saved_views.save(me, "   ", query)
    longest = inbox_query.parse({"q": "确" * 100, "customer": "认" * 200})
    with pytest.raises(InvalidInput):  # 2,700 characters once encoded: refused, not cut
        saved_views.save(me, "Too long", longest)
    assert saved_views.save(other, "Confirm queue", query).id != view.id  # names are per user

    saved_views.save(me, "Second", inbox_query.parse({"due": "overdue"}))
    with pytest.raises(InvalidInput):
        saved_views.rename(me, view.id, "Second")
    saved_views.rename(me, view.id, "确认队列")
    with pytest.raises(NotFound):
        saved_views.rename(other, view.id, "mine now")
    with pytest.raises(NotFound):
        saved_views.delete(other, view.id)
    saved_views.delete(me, view.id)
    saved_views.delete(me, view.id)  # deleting twice is harmless
    db.session.commit()
    assert [v.name for v in saved_views.views_of(me)] == ["Second"]
    assert db.session.scalar(db.select(db.func.count()).select_from(InboxView)) == 2


def _pairs(query_string: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(query_string)

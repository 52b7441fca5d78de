"""The inbox's bulk actions and saved views through the test client."""

from decimal import Decimal

from app.core.audit.models import AuditEvent
from app.core.subjects.models import Subject
from app.core.tasks import inbox
from app.core.tasks.models import HumanTask, InboxView
from app.extensions import db
from tests.services.test_inbox_bulk import HEAD_ROLE, open_tasks


def test_bulk_approve_from_the_inbox_reports_per_task(client, login, make_user):
    member, colleague = make_user("sales"), make_user("sales", display_name="Bo Li")
    first, claimed = open_tasks(2, member)
    inbox.claim(claimed.id, colleague)
    db.session.commit()
    login(member)
    client.post("/language", data={"lang": "en"})
    page = client.get("/inbox", query_string={"step": "approve"}).get_data(as_text=True)
    assert "Approve selected" in page and f'name="task_id" value="{first.id}"' in page
    plain = client.get("/inbox").get_data(as_text=True)
    assert "Approve selected" not in plain  # only for one step with a default decision
    # ...which the unfiltered page names, as a link that shows that step alone.
    assert 'id="bulk-hint"' in plain and "step=approve" in plain

    response = client.post(
        "/inbox/bulk",
        data={"action": "approve", "task_id": [first.id, claimed.id], "back": "/inbox?step=x"},
    )
    assert response.status_code == 200
    result = response.get_data(as_text=True)
    assert "1 done, 1 refused." in result and "Bo Li" in result and 'href="/inbox?step=x"' in result
    db.session.expire_all()
    assert db.session.get(HumanTask, first.id).state == "completed"
    assert db.session.get(HumanTask, claimed.id).state == "ready"


def test_all_rows_on_the_page_and_nothing_selected(client, login, make_user):
    member = make_user("sales")
    tasks = open_tasks(3, member)
    login(member)
    client.post("/language", data={"lang": "en"})
    ids = [t.id for t in tasks]
    response = client.post(
        "/inbox/bulk", data={"action": "approve", "all_shown": "1", "shown_id": ids}
    )
    assert "3 done, 0 refused." in response.get_data(as_text=True)
    empty = client.post("/inbox/bulk", data={"action": "approve"}, follow_redirects=True)
    assert "Select at least one task." in empty.get_data(as_text=True)
    odd = client.post("/inbox/bulk", data={"action": "drop", "task_id": ids}, follow_redirects=True)
    assert "Choose what to do with the selected tasks." in odd.get_data(as_text=True)


def test_a_member_cannot_bulk_assign(client, login, make_user):
    member = make_user("sales")
    tasks = open_tasks(2, member)
    login(member)
    page = client.get("/inbox").get_data(as_text=True)
    assert "bulk-assignee" not in page
    response = client.post(
        "/inbox/bulk",
        data={"action": "assign", "task_id": [t.id for t in tasks], "assignee_id": member.id},
    )
    assert response.status_code == 403
    denied = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.action == "denied.bulk_assign")
    ).all()
    assert len(denied) == 2


def test_the_head_bulk_assigns_from_the_inbox(client, login, make_user):
    member = make_user("sales", display_name="Mia Member")
    head = make_user("sales", role="head")
    tasks = open_tasks(2, member)
    login(head)
    client.post("/language", data={"lang": "en"})
    assert 'id="bulk-assignee"' in client.get("/inbox").get_data(as_text=True)
    response = client.post(
        "/inbox/bulk",
        data={"action": "assign", "task_id": [t.id for t in tasks], "assignee_id": member.id},
    )
    assert "2 done, 0 refused." in response.get_data(as_text=True)
    db.session.expire_all()
    assert {db.session.get(HumanTask, t.id).assignee_id for t in tasks} == {member.id}


def test_saved_views_through_the_page(client, login, make_user):
    me = make_user("sales")
    login(me)
    client.post("/language", data={"lang": "en"})
    data = {"name": "Overdue ones", "due": "overdue", "dept": "sales"}
    assert client.post("/inbox/views", data=data).status_code == 302
    assert client.post("/inbox/views", data=data).status_code == 302  # sent twice: kept once
    view = db.session.scalar(db.select(InboxView))
    assert db.session.scalar(db.select(db.func.count()).select_from(InboxView)) == 1
    page = client.get("/inbox").get_data(as_text=True)
    assert f'href="/inbox?{view.query.replace("&", "&amp;")}"' in page and "Overdue ones" in page
    clash = client.post(
        "/inbox/views", data={"name": "Overdue ones", "q": "x"}, follow_redirects=True
    )
    assert "You already have a view named “Overdue ones”." in clash.get_data(as_text=True)
    long = client.post("/inbox/views", data={"name": "n" * 61}, follow_redirects=True)
    assert "at most 60 characters" in long.get_data(as_text=True)
    client.post(f"/inbox/views/{view.id}/rename", data={"name": "Late"})
    assert "Late" in client.get("/inbox").get_data(as_text=True)
    other = make_user("sales")
    login(other)
    assert client.post(f"/inbox/views/{view.id}/delete").status_code == 404
    login(me)
    client.post(f"/inbox/views/{view.id}/delete")
    assert db.session.scalar(db.select(db.func.count()).select_from(InboxView)) == 0


def test_amounts_show_to_price_readers_only_and_head_tasks_wait_apart(client, login, make_user):
    member, head = make_user("sales"), make_user("sales", role="head")
    open_tasks(2, member)
    open_tasks(1, head, role=HEAD_ROLE)
    db.session.execute(db.update(HumanTask).values(subject_type="order", subject_key=HumanTask.id))
    for task in db.session.scalars(db.select(HumanTask)):
        db.session.add(
            Subject(
                type="order",
                key=task.id,
                reference=f"SO-{task.id}",
                amount=Decimal("7654.32"),
                currency="CNY",
            )
        )
    db.session.commit()
    login(member)
    client.post("/language", data={"lang": "en"})
    page = client.get("/inbox").get_data(as_text=True)
    assert "7,654.32" in page and 'data-sort="amount"' in page
    assert 'data-group="head">Waiting for the head <span class="count">1</span>' in page
    assert page.count('<tr data-task-id="') == 2  # the head-only task is not among them
    waiting = client.get("/inbox", query_string={"group": "head"}).get_data(as_text=True)
    assert waiting.count('<tr data-task-id="') == 1 and "head only" in waiting

    worker = make_user("production")
    login(worker)
    client.post("/language", data={"lang": "en"})
    other = client.get("/inbox", query_string={"dept": "sales"}).get_data(as_text=True)
    assert "7,654.32" not in other and 'data-sort="amount"' not in other
    refused = client.get("/inbox", query_string={"dept": "sales", "sort": "amount"})
    assert refused.status_code == 400
    assert "Amounts are not shown to your department" in refused.get_data(as_text=True)


def test_no_bulk_hint_where_no_step_has_a_default_decision(client, login, make_user):
    member = make_user("sales")
    open_tasks(1, member, form="pmc_dispatch")  # a form without x-bulk-default
    login(member)
    page = client.get("/inbox").get_data(as_text=True)
    assert "step=approve" not in page and 'id="bulk-hint"' not in page
    assert 'data-group="act"' in page  # the page itself rendered

"""The inbox and task pages through the test client."""

from collections import OrderedDict

from app.core.audit.models import AuditEvent
from app.core.processes.versions import lookup
from app.core.tasks.models import HumanTask
from app.extensions import db
from tests.answers import FORM_ANSWERS
from tests.statements import counted


def test_inbox_lists_the_department_tasks_with_their_columns(client, login, make_user, make_order):
    order = make_order()
    login(make_user("sales"))
    client.post("/language", data={"lang": "en"})
    page = client.get("/inbox").get_data(as_text=True)
    assert order.number in page and "ACME" in page
    for column, header in (
        ("reference", "Order"),
        ("customer", "Customer"),
        ("step", "Step"),
        ("amount", "Amount"),
        ("promised", "Promised"),
        ("priority", "Priority"),
        ("waiting", "Waiting"),
        ("due", "Due"),
        ("claimed", "Claimed by"),
    ):
        assert f'data-sort="{column}">{header}' in page
    assert 'data-dept="sales"' in page  # the navigation shows per-department counts


def test_other_departments_do_not_see_the_task_in_their_inbox(client, login, make_user, make_order):
    order = make_order()
    login(make_user("quality"))
    assert order.number not in client.get("/inbox").get_data(as_text=True)


def test_complete_through_the_form_moves_the_order_to_pmc(
    client, login, make_user, make_order, task_of
):
    order = make_order()
    task = task_of(order, "confirm_order")
    login(make_user("sales"))
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'name="packaging_confirmed"' in page and order.number in page
    response = client.post(
        f"/tasks/{task.id}/complete",
        data={
            "packaging_confirmed": "on",
            "structure_confirmed": "on",
            "dimensions_confirmed": "on",
            "order_category": "new",
            "requirements": "IP65",
        },
    )
    assert response.status_code == 302
    pmc_task = task_of(order, "pmc_dispatch")
    login(make_user("pmc"))
    assert order.number in client.get("/inbox").get_data(as_text=True)
    assert client.get(f"/tasks/{pmc_task.id}").status_code == 200


def test_bad_submission_rerenders_with_errors_and_keeps_input(
    client, login, make_user, make_order, task_of
):
    order = make_order()
    task = task_of(order, "confirm_order")
    login(make_user("sales"))
    client.post("/language", data={"lang": "en"})
    response = client.post(
        f"/tasks/{task.id}/complete", data={"order_category": "new", "notes": "typed by me"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "typed by me" in page and "field-error" in page
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).state == "ready"


def test_outsider_gets_403_and_it_is_recorded(client, login, make_user, make_order, task_of):
    order = make_order()
    task = task_of(order, "confirm_order")
    outsider = make_user("warehouse")
    login(outsider)
    for action in ("claim", "complete"):
        response = client.post(f"/tasks/{task.id}/{action}", data={})
        assert response.status_code == 403
    actions = set(
        db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.user_id == outsider.id))
    )
    assert {"denied.claim", "denied.complete"} <= actions


def test_second_completion_gets_409_for_htmx(client, login, make_user, make_order, task_of):
    order = make_order()
    task = task_of(order, "confirm_order")
    answers = {
        "packaging_confirmed": "on",
        "structure_confirmed": "on",
        "dimensions_confirmed": "on",
        "order_category": "new",
        "requirements": "x",
    }
    login(make_user("sales", display_name="Winner"))
    assert client.post(f"/tasks/{task.id}/complete", data=answers).status_code == 302
    login(make_user("sales"))
    response = client.post(
        f"/tasks/{task.id}/complete", data=answers, headers={"HX-Request": "true"}
    )
    assert response.status_code == 409
    assert "Winner" in response.get_data(as_text=True)


def test_claim_give_back_and_head_assigns(client, login, make_user, make_order, task_of):
    order = make_order()
    task = task_of(order, "confirm_order")
    member = make_user("sales")
    head = make_user("sales", role="head")
    login(member)
    assert client.post(f"/tasks/{task.id}/claim").status_code == 302
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).assignee_id == member.id
    assert client.post(f"/tasks/{task.id}/unclaim").status_code == 302
    login(head)
    assert (
        client.post(f"/tasks/{task.id}/assign", data={"assignee_id": member.id}).status_code == 302
    )
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).assignee_id == member.id


def test_missing_task_is_a_clear_404(client, login, make_user):
    login(make_user("sales"))
    response = client.get("/tasks/999999")
    assert response.status_code == 404 and "Traceback" not in response.get_data(as_text=True)


def test_step_names_follow_the_language(client, login, make_user, make_order):
    order = make_order()
    login(make_user("sales"))
    client.post("/language", data={"lang": "zh_CN"})
    assert "确认订单信息" in client.get("/inbox").get_data(as_text=True)
    client.post("/language", data={"lang": "en"})
    page = client.get("/inbox").get_data(as_text=True)
    assert "Confirm order details" in page and "确认订单信息" not in page
    assert order.number in page


def _complete(client, task, follow=True):
    return client.post(
        f"/tasks/{task.id}/complete", data=FORM_ANSWERS[task.spec_name], follow_redirects=follow
    ).get_data(as_text=True)


def test_after_completing_the_page_says_what_the_process_waits_for(
    client, login, make_user, make_order, task_of, complete
):
    """Not "moved on" while three other departments still review: the flash names them, in the
    reader's language; the last review names the step that follows."""
    order = make_order()
    login(make_user("sales"))
    client.post("/language", data={"lang": "en"})
    page = _complete(client, task_of(order, "confirm_order"))
    assert "The process now waits for: Dispatch order for review" in page
    login(make_user("pmc"))
    _complete(client, task_of(order, "pmc_dispatch"))
    login(make_user("engineering"))
    client.post("/language", data={"lang": "zh_CN"})
    page = _complete(client, task_of(order, "review_engineering"))
    assert "流程现在等待：" in page and "品质部" in page and "仓储部" in page and "生产部" in page
    complete(order, "review_production")
    complete(order, "review_quality")
    login(make_user("warehouse"))
    client.post("/language", data={"lang": "en"})
    page = _complete(client, task_of(order, "review_warehouse"))
    assert "The process now waits for: Consolidate review results" in page


def test_completing_the_last_step_says_the_process_is_complete(client, login, make_user):
    from tests.services.test_inbox_bulk import open_tasks

    member = make_user("sales")
    (task,) = open_tasks(1, member)
    login(member)
    client.post("/language", data={"lang": "en"})
    page = client.post(
        f"/tasks/{task.id}/complete", data={"decision": "approve"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "is done. The process is complete." in page


def test_a_decision_posted_from_another_page_answers_in_place(client, login, make_user):
    """The approvals page posts with htmx: a refusal comes back as one message naming the field
    (no task page inside the card), a decision as a redirect htmx follows."""
    from tests.services.test_inbox_bulk import open_tasks

    member = make_user("sales")
    (task,) = open_tasks(1, member, form="change_approval")
    login(member)
    client.post("/language", data={"lang": "en"})
    hx = {"HX-Request": "true"}
    refused = client.post(f"/tasks/{task.id}/complete", data={"decision": "reject"}, headers=hx)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'role="alert"' in body and "<html" not in body
    assert "Reason for rejection: This field is required." in body
    done = client.post(
        f"/tasks/{task.id}/complete",
        data={"decision": "reject", "reason": "Too late", "next": "/approvals"},
        headers=hx,
    )
    assert done.status_code == 204 and done.headers["HX-Redirect"] == "/approvals"


def test_a_completion_reads_and_writes_only_what_it_needs(
    client, login, make_user, make_order, task_of, complete
):
    """The completion path of issue 14 (docs/PERFORMANCE.md, "round two"): the task comes with
    its form and whether co-signers follow (one SELECT), the user with the session; no co-sign
    was asked, so no UPDATE of task_cosign; the review changes nothing on the order's inbox
    card, so the card is not written; nothing is read again after the commit."""
    order = make_order()
    complete(order, "confirm_order")
    complete(order, "pmc_dispatch")
    task_id = task_of(order, "review_quality").id
    login(make_user("quality"))
    db.session.remove()
    with counted() as seen:
        response = client.post(f"/tasks/{task_id}/complete", data=FORM_ANSWERS["review_quality"])
    assert response.status_code == 302
    sql = [" ".join(statement.split()) for statement in seen.sql]
    assert not [s for s in sql if s.startswith("UPDATE task_cosign")]
    assert not [s for s in sql if s.startswith("UPDATE subject")]
    assert not [s for s in sql if s.startswith("SELECT task_cosign")]
    # The user came with the session row: no query of the user table alone.
    assert not [s for s in sql if s.startswith('SELECT "user"') and "user_session" not in s]
    # The process version came with the locked instance, without its BPMN text (round three).
    assert not [s for s in sql if s.startswith("SELECT process_version")]
    assert not [s for s in sql if "process_version.xml" in s]
    assert seen.statements <= 12, sql
    assert db.session.get(HumanTask, task_id).state == "completed"


def test_a_completion_reads_the_diagram_when_its_definition_is_not_cached(
    client, login, make_user, make_order, task_of, complete, monkeypatch
):
    """The locked instance's version comes without its BPMN and DMN texts: a process whose
    parsed definition is not in memory (a new web process) reads them then, and completes."""
    order = make_order()
    complete(order, "confirm_order")
    complete(order, "pmc_dispatch")
    task_id = task_of(order, "review_quality").id
    login(make_user("quality"))
    monkeypatch.setattr(lookup, "_BY_VERSION", OrderedDict())
    db.session.remove()
    with counted() as seen:
        response = client.post(f"/tasks/{task_id}/complete", data=FORM_ANSWERS["review_quality"])
    assert response.status_code == 302
    assert [s for s in seen.sql if "process_version.xml" in " ".join(s.split())]
    assert db.session.get(HumanTask, task_id).state == "completed"
    assert len(lookup._BY_VERSION) == 1

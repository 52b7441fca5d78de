"""The approval-action block of the task page, the copies page and the out-of-office page."""

from datetime import timedelta

from app.core import clock
from app.core.audit.models import AuditEvent
from app.core.tasks.models import HumanTask, TaskCosign
from app.core.users.models import OutOfOffice
from app.extensions import db


def _page(client, url: str) -> str:
    return client.get(url).get_data(as_text=True)


def test_holder_sees_the_actions_each_form_carries_a_csrf_field(
    client, login, make_user, make_order, task_of
):
    task = task_of(make_order(), "confirm_order")
    ann = make_user("sales")
    login(ann)
    client.post("/language", data={"lang": "en"})
    client.post(f"/tasks/{task.id}/claim")
    page = _page(client, f"/tasks/{task.id}")
    for form_id in ("act-transfer", "act-delegate", "act-cosign", "act-copy"):
        assert f'id="{form_id}"' in page
    block = page.split('id="task-actions"', 1)[1]
    assert block.count("<form") == block.count('name="csrf_token"')
    outsider = make_user("quality")
    login(outsider)
    page = _page(client, f"/tasks/{task.id}")
    assert 'id="act-transfer"' not in page and 'id="act-copy"' not in page


def test_transfer_with_bad_input_shows_a_message_and_changes_nothing(
    client, login, make_user, make_order, task_of
):
    task = task_of(make_order(), "confirm_order")
    ann, bob = make_user("sales"), make_user("sales")
    login(ann)
    client.post("/language", data={"lang": "en"})
    client.post(f"/tasks/{task.id}/claim")
    response = client.post(
        f"/tasks/{task.id}/transfer", data={"user_id": str(bob.id), "reason": "x" * 4001}
    )
    assert response.status_code == 302
    page = _page(client, f"/tasks/{task.id}")
    assert "At most 4,000 characters" in page
    response = client.post(
        f"/tasks/{task.id}/transfer", data={"user_id": "99999999999", "reason": "why"}
    )
    assert "Choose an active user" in _page(client, f"/tasks/{task.id}")
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).assignee_id == ann.id
    fragment = client.post(
        f"/tasks/{task.id}/transfer",
        data={"user_id": str(bob.id), "reason": ""},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 400 and "Please write a few words." in fragment.text


def test_denied_action_is_a_message_in_chinese_and_audited(
    client, login, make_user, make_order, task_of
):
    task = task_of(make_order(), "confirm_order")
    outsider = make_user("quality")
    login(outsider)
    client.post("/language", data={"lang": "zh_CN"})
    response = client.post(f"/tasks/{task.id}/delegate", data={"user_id": str(outsider.id)})
    assert response.status_code == 403
    assert "只有任务的处理人才能委派" in response.get_data(as_text=True)
    assert db.session.scalar(
        db.select(AuditEvent.id).where(
            AuditEvent.user_id == outsider.id, AuditEvent.action == "denied.delegate"
        )
    )


def test_cosign_round_trip_through_the_pages(client, login, make_user, make_order, task_of):
    task = task_of(make_order(), "confirm_order")
    ann, quinn = make_user("sales"), make_user("quality", display_name="Quinn")
    login(ann)
    client.post("/language", data={"lang": "en"})
    client.post(f"/tasks/{task.id}/claim")
    client.post(
        f"/tasks/{task.id}/cosign",
        data={"user_id": str(quinn.id), "position": "before", "note": "please check"},
    )
    page = _page(client, f"/tasks/{task.id}")
    assert "waits for the opinion" in page and 'class="taskform"' not in page
    row = db.session.scalar(db.select(TaskCosign))
    login(quinn)
    child_page = _page(client, f"/tasks/{row.child_task_id}")
    assert 'id="answer-form"' in child_page and "please check" in child_page
    assert 'class="taskform"' not in child_page  # no step form of its own
    client.post(
        f"/tasks/{row.child_task_id}/answer", data={"decision": "agree", "opinion": "Looks fine"}
    )
    login(ann)
    page = _page(client, f"/tasks/{task.id}")
    assert "Looks fine" in page and 'class="taskform"' in page


def test_copied_task_is_listed_and_marked_read_when_opened(
    client, login, make_user, make_order, task_of
):
    task = task_of(make_order(), "confirm_order")
    ann, quinn = make_user("sales"), make_user("quality")
    login(ann)
    client.post(f"/tasks/{task.id}/copy", data={"recipient_ids": [str(quinn.id)], "note": "FYI"})
    login(quinn)
    client.post("/language", data={"lang": "en"})
    shared = _page(client, "/tasks/shared")
    assert f"/tasks/{task.id}" in shared and "FYI" in shared and ">new<" in shared
    page = _page(client, f"/tasks/{task.id}")
    assert 'class="taskform"' not in page  # read-only
    assert ">new<" not in _page(client, "/tasks/shared")


def test_away_page_adds_lists_refuses_overlap_and_deletes(client, login, make_user):
    bob, sub = make_user("sales"), make_user("sales", display_name="Stand In")
    login(bob)
    client.post("/language", data={"lang": "en"})
    today = clock.today()
    form = {
        "substitute_id": str(sub.id),
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=2)).isoformat(),
        "note": "trade fair",
    }
    assert client.post("/account/away", data=form).status_code == 302
    assert "Stand In" in _page(client, "/account/away")
    again = client.post("/account/away", data=form)
    assert again.status_code == 400 and "must not overlap" in again.get_data(as_text=True)
    bad = client.post("/account/away", data={**form, "ends_on": "not a date"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(OutOfOffice)) == 1
    row = db.session.scalar(db.select(OutOfOffice))
    login(sub)
    assert "You stand in for" in _page(client, "/account/away")
    assert client.post(f"/account/away/{row.id}/delete").status_code == 403
    login(bob)
    assert client.post(f"/account/away/{row.id}/delete").status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(OutOfOffice)) == 0


def test_a_held_completion_says_it_waits_for_the_cosigners(
    client, login, make_user, make_order, task_of
):
    from tests.answers import FORM_ANSWERS

    order = make_order()
    task = task_of(order, "confirm_order")
    ann, head = make_user("sales"), make_user("sales", role="head")
    login(ann)
    client.post("/language", data={"lang": "en"})
    client.post(f"/tasks/{task.id}/claim")
    client.post(f"/tasks/{task.id}/cosign", data={"user_id": str(head.id), "position": "after"})
    response = client.post(
        f"/tasks/{task.id}/complete", data=FORM_ANSWERS["confirm_order"], follow_redirects=True
    )
    assert "waits for the co-signers after you to agree" in response.get_data(as_text=True)
    assert task_of(order, "pmc_dispatch") is None


def test_every_action_notification_renders_in_both_languages(
    client, login, make_user, make_order, task_of
):
    from app.core.tasks import actions

    task = task_of(make_order(), "confirm_order")
    reader = make_user("sales")
    params = {
        "by": "Ann",
        "reason": "R",
        "note": "N",
        "answer": "A",
        "opinion": "O",
        "agree": False,
        "for_name": "Bob",
    }
    for kind in actions.KINDS:
        actions.notify_about([reader.id], task, kind, params, task)
    db.session.commit()
    login(reader)
    for lang, word in (("en", "Open the task"), ("zh_CN", "打开任务")):
        client.post("/language", data={"lang": lang})
        page = _page(client, "/notifications")
        for kind in actions.KINDS:
            assert f'data-kind="{kind}"' in page
        assert page.count(word) >= len(actions.KINDS)
        assert f"/tasks/{task.id}" in page

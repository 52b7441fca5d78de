"""Comments on tasks: @mentions notify, files are checked, stored and served only to readers,
and the notes show on the task page and in the order's timeline."""

import io
import json

import pytest

from app.core.audit.models import AuditEvent
from app.core.comments import services as comments
from app.core.comments.models import NoteFile, NoteMention, TaskNote
from app.core.notifications.models import Notification
from app.errors import InvalidInput, PermissionDenied
from app.extensions import db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def dispatch(make_order, complete):
    """An order at PMC's dispatch (sales confirmed it): a task of two departments' process."""
    order = make_order()
    complete(order, "confirm_order")
    from tests.conftest import open_task

    return order, open_task(order, "pmc_dispatch")


def test_a_mention_notifies_the_active_user_named_once(dispatch, make_user):
    order, task = dispatch
    pmc = make_user("pmc", username="li.pmc")
    named = make_user("quality", username="wang.q")
    gone = make_user("quality", username="old.q", active=False)
    note = comments.add_comment(
        task.id,
        pmc,
        "@wang.q please check, @WANG.Q again, @old.q, @nobody, mail me at a@li.pmc, @li.pmc.",
    )
    db.session.commit()
    assert [m.user_id for m in note.mentions] == [named.id]  # not inactive, unknown, or self
    notices = db.session.scalars(db.select(Notification).where(Notification.kind == "task_mention"))
    notices = list(notices)
    assert [n.user_id for n in notices] == [named.id]
    assert json.loads(notices[0].params)["task_id"] == task.id
    assert gone.id not in {m.user_id for m in db.session.scalars(db.select(NoteMention))}
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "task.comment"))
    assert json.loads(event.data)["mentions"] == ["wang.q"]
    # The mentioned user (quality has no task here) may now read and answer.
    comments.add_comment(task.id, named, "Looks fine")
    db.session.commit()


def test_an_outsider_may_not_comment_and_the_attempt_is_audited(dispatch, make_user):
    order, task = dispatch
    with pytest.raises(PermissionDenied):
        comments.add_comment(task.id, make_user("warehouse"), "Hello")
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(TaskNote)) == 0
    assert (
        db.session.scalar(db.select(db.func.count()).where(AuditEvent.action == "denied.comment"))
        == 1
    )


def test_empty_and_too_long_comments_are_refused(dispatch, make_user):
    order, task = dispatch
    pmc = make_user("pmc")
    for body in ("", "   ", "x" * (comments.BODY_LIMIT + 1)):
        with pytest.raises(InvalidInput) as bad:
            comments.add_comment(task.id, pmc, body)
        assert "body" in bad.value.errors
        db.session.rollback()


def test_files_upload_download_and_refusals(client, login, dispatch, make_user, app):
    order, task = dispatch
    pmc = make_user("pmc")
    login(pmc)
    url = f"/tasks/{task.id}/comments"
    ok = client.post(
        url,
        data={"body": "Drawing attached", "files": (io.BytesIO(PDF), "drawing.pdf")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    stored = db.session.scalar(db.select(NoteFile))
    assert stored.file_name == "drawing.pdf" and stored.size == len(PDF)
    download = client.get(f"/comments/files/{stored.id}")
    assert download.status_code == 200 and download.data == PDF
    assert "drawing.pdf" in download.headers["Content-Disposition"]
    download.close()

    headers = {"HX-Request": "true"}
    bad_type = client.post(
        url,
        data={"body": "x", "files": (io.BytesIO(b"MZ\x90\x00"), "tool.exe")},
        content_type="multipart/form-data",
        headers=headers,
    )
    assert bad_type.status_code == 400
    assert "tool.exe" in bad_type.get_data(as_text=True)
    fake = client.post(
        url,
        data={"body": "x", "files": (io.BytesIO(b"not a pdf"), "fake.pdf")},
        content_type="multipart/form-data",
        headers=headers,
    )
    assert fake.status_code == 400 and "fake.pdf" in fake.get_data(as_text=True)
    app.config["COMMENT_FILE_MAX_BYTES"] = 1024
    try:
        big = client.post(
            url,
            data={"body": "x", "files": (io.BytesIO(PDF + b"0" * 2048), "big.pdf")},
            content_type="multipart/form-data",
            headers=headers,
        )
    finally:
        app.config.pop("COMMENT_FILE_MAX_BYTES")
    assert big.status_code == 400 and "1 KB" in big.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(TaskNote)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(NoteFile)) == 1

    login(make_user("warehouse"))  # no task of this process: refused, and recorded
    assert client.get(f"/comments/files/{stored.id}").status_code == 403
    assert (
        db.session.scalar(
            db.select(db.func.count()).where(AuditEvent.action == "denied.comment_file")
        )
        == 1
    )
    assert client.get("/comments/files/99999").status_code == 404


def test_comments_show_on_the_task_page_and_in_the_order_timeline(
    client, login, dispatch, make_user
):
    order, task = dispatch
    pmc = make_user("pmc")
    login(pmc)
    response = client.post(
        f"/tasks/{task.id}/comments",
        data={"body": "Need the <b>tolerance</b> sheet"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200  # htmx: the list again, with the new comment
    assert "Need the &lt;b&gt;tolerance&lt;/b&gt; sheet" in response.get_data(as_text=True)
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'id="comments"' in page and "Need the &lt;b&gt;tolerance&lt;/b&gt; sheet" in page
    order_page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Need the &lt;b&gt;tolerance&lt;/b&gt; sheet" in order_page
    login(make_user("warehouse"))  # not involved: the order page leaves the notes out
    assert "tolerance" not in client.get(f"/orders/{order.id}").get_data(as_text=True)


def test_send_back_mention_and_withdrawal_notices_render_as_mail(
    app, dispatch, make_user, monkeypatch
):
    """A reader who chose email for these kinds gets them in the outbox, in their language."""
    from app.core.notifications import services as notifications
    from app.core.notifications.models import MailOutbox, NotificationPreference
    from app.core.tasks import sendback
    from app.core.tasks.models import HumanTask
    from app.core.tasks.withdraw import KIND as WITHDRAWN

    monkeypatch.setitem(app.config, "MAIL_HOST", "127.0.0.1")
    order, task = dispatch
    confirmed = db.session.scalar(
        db.select(HumanTask)
        .where(HumanTask.instance_id == task.instance_id, HumanTask.state == "completed")
        .order_by(HumanTask.id)
    )
    sales = confirmed.completed_by
    sales.email = "mei@example.com"
    for kind in (sendback.KIND, comments.KIND, WITHDRAWN):
        db.session.add(NotificationPreference(user_id=sales.id, kind=kind, channel="email"))
    db.session.commit()
    comments.add_comment(task.id, make_user("pmc"), f"@{sales.username} please check")
    sendback.send_back(task.id, make_user("pmc", role="head"), confirmed.id, "Unclear packaging")
    notifications.notify_users(
        [sales.id], None, WITHDRAWN, {"by": "Li", "reason": "", "steps": ["A"], "steps_zh": ["甲"]}
    )
    db.session.commit()
    mails = list(db.session.scalars(db.select(MailOutbox).order_by(MailOutbox.id)))
    assert [m.recipient for m in mails] == ["mei@example.com"] * 3
    assert "please check" in mails[0].body_text
    assert "Unclear packaging" in mails[1].body_text
    assert f"/tasks/{confirmed.id}" in mails[1].body_html
    assert "甲" in mails[2].body_text and mails[2].locale.startswith("zh")  # her language

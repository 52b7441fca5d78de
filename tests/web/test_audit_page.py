"""What the audit trail records from the web (log-ins, failures, log-outs, every 403 once) and the
admin's audit page: filters, paging, CSV export, refusal of everyone else."""

import csv
import io
from datetime import UTC, datetime, timedelta

from app.core.audit import chain, listing
from app.core.audit import services as audit
from app.core.audit.models import AuditEvent
from app.core.subjects.models import Subject
from app.core.subjects.services import SubjectRef
from app.extensions import db

ADDRESS = {"REMOTE_ADDR": "10.1.2.3"}


def rows(action: str) -> list[AuditEvent]:
    """The committed rows of one action, oldest first."""
    db.session.rollback()
    return list(
        db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def test_logins_failed_logins_and_logouts_are_recorded_with_the_address(
    client, make_user, password
):
    user = make_user("sales")
    client.post("/login", data={"username": "nobody.here", "password": "x"}, environ_base=ADDRESS)
    client.post("/login", data={"username": user.username, "password": "x"}, environ_base=ADDRESS)
    client.post(
        "/login", data={"username": user.username, "password": password}, environ_base=ADDRESS
    )
    client.post("/logout", environ_base=ADDRESS)

    failed = rows("login.failed")
    assert [f.data for f in failed] == [
        '{"username": "nobody.here"}',
        f'{{"username": "{user.username}"}}',
    ]
    assert {f.ip for f in failed} == {"10.1.2.3"} and {f.user_id for f in failed} == {None}
    (login,) = rows("login")
    assert (login.user_id, login.ip) == (user.id, "10.1.2.3")
    (logout,) = rows("logout")
    assert (logout.user_id, logout.ip) == (user.id, "10.1.2.3")


def test_a_non_admin_is_refused_the_audit_page_and_the_refusal_is_recorded_once(
    client, login, make_user
):
    head = make_user("sales", role="head")
    login(head)
    for url in ("/admin/audit", "/admin/audit/export.csv"):
        response = client.get(url, environ_base=ADDRESS)
        assert response.status_code == 403
        assert "只有管理员可以查看审计记录。" in response.get_data(as_text=True)
    denied = rows("denied.audit")
    assert [(d.user_id, d.object_id, d.ip) for d in denied] == [
        (head.id, "/admin/audit", "10.1.2.3"),
        (head.id, "/admin/audit/export.csv", "10.1.2.3"),
    ]
    assert rows("denied.request") == []  # recorded by the page's check, not a second time


def test_a_refusal_no_service_recorded_is_recorded_centrally(client, login, make_user, make_order):
    from tests.conftest import open_task

    order = make_order()
    task = open_task(order, "confirm_order")
    owner, other = make_user("sales"), make_user("sales")
    login(owner)
    assert client.post(f"/tasks/{task.id}/claim").status_code == 302
    login(other)
    # Not the assignee: the inbox refuses without an audit row of its own.
    assert client.post(f"/tasks/{task.id}/unclaim", environ_base=ADDRESS).status_code == 403
    (generic,) = rows("denied.request")
    assert (generic.user_id, generic.object_type, generic.ip) == (other.id, "page", "10.1.2.3")
    assert f"/tasks/{task.id}/unclaim" in generic.data and '"method": "POST"' in generic.data


def test_a_denial_is_recorded_once_and_again_after_a_rollback(app, make_user):
    user = make_user("sales")
    with app.test_request_context("/x"):
        audit.record(user, "denied.something", "thing", 1)
        audit.ensure_denial_recorded(user, "/x", "GET", "no")
        db.session.commit()
        assert len(rows("denied.something")) == 1 and rows("denied.request") == []

        audit.record(user, "denied.something", "thing", 2)
        db.session.rollback()  # that row is gone: the central record must be written
        audit.ensure_denial_recorded(user, "/x", "GET", "no")
        db.session.commit()
        assert len(rows("denied.request")) == 1


def _event(action: str, at: datetime, user=None, **fields) -> AuditEvent:
    event = AuditEvent(action=action, at=at, user_id=user.id if user else None, **fields)
    db.session.add(event)
    return event


def test_the_admin_filters_by_date_user_action_subject_and_object(client, login, make_user):
    admin = make_user(None, is_admin=True)
    clerk = make_user("sales", username="clerk.wang")
    db.session.add(Subject(type="order", key=77, reference="SO-77"))
    march = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
    _event("order.create", march, clerk, object_type="order", object_id="77",
           subject_type="order", subject_key=77)  # fmt: skip
    _event("denied.admin", march + timedelta(days=1), clerk, object_type="page", object_id="/x")
    _event("worker.tick", march + timedelta(days=5), None, object_type="timer", object_id="9")
    db.session.commit()
    login(admin)

    def shown(**args) -> list[str]:
        page = client.get("/admin/audit", query_string=args)
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        return [a for a in ("order.create", "denied.admin", "worker.tick") if f">{a}<" in text]

    assert shown() == ["order.create", "denied.admin", "worker.tick"]
    assert shown(**{"from": "2026-03-11", "to": "2026-03-11"}) == ["denied.admin"]
    assert shown(**{"to": "2026-03-10"}) == ["order.create"]
    assert shown(user=str(clerk.id)) == ["order.create", "denied.admin"]
    assert shown(user=listing.NO_USER) == ["worker.tick"]
    assert shown(action="denied.") == ["denied.admin"]
    assert shown(action="%") == []  # a wildcard typed by the user is a character
    assert shown(subject="SO-7") == ["order.create"]
    assert shown(subject="PO-") == []  # no such subject
    assert shown(object_type="timer", object_id="9") == ["worker.tick"]
    page = client.get("/admin/audit", query_string={"subject": "SO-77"}).get_data(as_text=True)
    assert "SO-77" in page and "clerk.wang" in page


def test_bad_filters_get_a_message_and_no_500(client, login, make_user):
    login(make_user(None, is_admin=True))
    client.post("/language", data={"lang": "en"})
    response = client.get(
        "/admin/audit",
        query_string={"from": "yesterday", "user": "99999999999", "action": "x" * 101},
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Enter a date as YYYY-MM-DD." in text and "Choose a user from the list." in text
    for edge in ("0001-01-01", "9999-12-31"):  # a day with no UTC start is refused, not a 500
        response = client.get("/admin/audit", query_string={"from": edge, "to": edge})
        assert response.status_code == 400
        assert "Enter a date between 2000-01-01 and 2999-12-31." in response.get_data(as_text=True)
    for odd in ({"before": "abc"}, {"before": "99999999999"}, {"user": "-1"}, {"user": "１"}):
        assert client.get("/admin/audit", query_string=odd).status_code in (200, 400)
        assert client.get("/admin/audit/export.csv", query_string=odd).status_code in (200, 400)
    client.post("/language", data={"lang": "zh_CN"})
    assert client.get("/admin/audit", query_string={"to": "2026-13-01"}).status_code == 400


def test_pages_go_back_through_all_rows(client, login, make_user):
    login(make_user(None, is_admin=True))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(listing.PAGE_SIZE + 5):
        _event("bulk.row", start + timedelta(minutes=n), object_type="n", object_id=str(n))
    db.session.commit()

    first = client.get("/admin/audit?action=bulk.").get_data(as_text=True)
    assert first.count('data-audit="') == listing.PAGE_SIZE and 'rel="next"' in first
    before = first.split('rel="next"')[0].rsplit("before=", 1)[1].split("&")[0].split('"')[0]
    second = client.get(f"/admin/audit?action=bulk.&before={before}").get_data(as_text=True)
    assert second.count('data-audit="') == 5 and 'rel="next"' not in second


def test_the_csv_export_streams_the_filtered_rows_and_is_itself_audited(
    client, login, make_user, monkeypatch
):
    admin = make_user(None, is_admin=True)
    monkeypatch.setattr(listing, "EXPORT_BATCH", 7)  # several batches
    start = datetime(2026, 2, 1, tzinfo=UTC)
    for n in range(20):
        _event("csv.row", start + timedelta(minutes=n), object_type="n", object_id=str(n),
               data='=HYPERLINK("http://x")' if n == 3 else '{"备注": "确认"}')  # fmt: skip
    _event("other.row", start, object_type="n")
    db.session.commit()
    chain.seal_pending()
    login(admin)

    reads = []
    real_page = listing.page
    monkeypatch.setattr(listing, "page", lambda *a: reads.append(a) or real_page(*a))

    response = client.get("/admin/audit/export.csv?action=csv.")
    assert response.status_code == 200 and response.is_streamed
    assert reads == []  # nothing read before the body is sent
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert len(reads) == 3  # 20 rows read 7 at a time, never all at once
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header, body = table[0], table[1:]
    assert header[5] == "操作"  # the admin's language (the default)
    assert len(body) == 20 and {r[5] for r in body} == {"csv.row"}
    assert [int(r[0]) for r in body] == sorted((int(r[0]) for r in body), reverse=True)
    assert any(cell.startswith("'=HYPERLINK") for r in body for cell in r)  # no formula runs
    assert any('"备注": "确认"' in cell for r in body for cell in r)
    (export,) = rows("audit.export")
    assert export.user_id == admin.id and '"action": "csv."' in export.data


def test_the_page_says_which_rows_are_sealed_and_is_translated(client, login, make_user):
    _event("seal.me", datetime(2026, 4, 1, tzinfo=UTC), object_type="n")
    db.session.commit()
    chain.seal_pending()
    _event("not.sealed", datetime(2026, 4, 2, tzinfo=UTC), object_type="n")
    db.session.commit()
    login(make_user(None, is_admin=True))
    client.post("/language", data={"lang": "zh_CN"})
    text = client.get("/admin/audit?action=").get_data(as_text=True)
    assert "审计记录" in text and "尚未" in text


def test_audit_rows_about_a_subject_still_show_on_its_history(app):
    ref = SubjectRef("order", 5)
    audit.record(None, "order.create", "order", 5, subject=ref)
    db.session.commit()
    assert [e.action for e in audit.events_for(ref)] == ["order.create"]


def test_a_plain_403_is_recorded_too(app):
    from werkzeug.exceptions import Forbidden

    with app.test_request_context("/somewhere", method="POST"):
        body, status = app.handle_user_exception(Forbidden())
    assert status == 403
    (row,) = rows("denied.request")
    assert row.user_id is None and '"path": "/somewhere"' in row.data

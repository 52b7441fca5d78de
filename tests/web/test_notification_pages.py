"""The bell, the list, marking read, the settings page; and who hears of what (release to the
departments concerned and the owner, once; a task arriving or assigned; decisions)."""

import json

from app.core.audit.models import AuditEvent
from app.core.notifications import services as notifications
from app.core.notifications.models import Notification, NotificationPreference
from app.core.subjects.services import SubjectRef
from app.core.tasks.models import HumanTask
from app.core.users.models import User
from app.extensions import db
from app.modules.orders.services import lifecycle
from app.modules.orders.services import subject as order_subject

KIND = "order_released"
PARAMS = {"number": "SO-2026-00042", "customer": "ACME", "requirements": []}


def _told(kind: str, **where) -> list[Notification]:
    stmt = db.select(Notification).where(Notification.kind == kind)
    for name, value in where.items():
        stmt = stmt.where(getattr(Notification, name) == value)
    return list(db.session.scalars(stmt.order_by(Notification.id)))


def test_unread_count_bell_mark_one_and_all(client, login, make_user):
    reader, other = make_user("quality"), make_user("quality")
    for _ in range(3):
        notifications.notify_users([reader.id], SubjectRef("order", 1), KIND, PARAMS)
    notifications.notify_users([other.id], None, KIND, PARAMS)
    db.session.commit()
    assert notifications.unread_count(reader) == 3
    login(reader)
    bell = client.get("/notifications/bell").get_data(as_text=True)
    assert 'id="nav-bell"' in bell and '<span class="badge"' in bell and ">3</span>" in bell

    first = _told(KIND, user_id=reader.id)[0]
    response = client.post(f"/notifications/{first.id}/read", headers={"HX-Request": "true"})
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert f'id="notice-{first.id}"' in fragment and "unread" not in fragment.split(">")[0]
    assert 'hx-swap-oob="true"' in fragment and ">2</span>" in fragment  # the bell, updated
    assert notifications.unread_count(reader) == 2

    theirs = _told(KIND, user_id=other.id)[0]
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None

    assert client.post("/notifications/read").status_code == 302
    assert notifications.unread_count(reader) == 0
    assert notifications.unread_count(other) == 1
    bell = client.get("/notifications/bell").get_data(as_text=True)
    assert "badge" not in bell


def test_the_bell_answers_no_content_once_signed_out(client):
    assert client.get("/notifications/bell").status_code == 204


def test_the_unread_count_reads_the_unread_index(app):
    if db.engine.dialect.name != "sqlite":
        return
    sql = (
        "EXPLAIN QUERY PLAN SELECT count(*) FROM notification WHERE user_id = 1 AND read_at IS NULL"
    )
    plan = " ".join(str(row) for row in db.session.execute(db.text(sql)))
    assert "ix_notification_unread" in plan and "COVERING" in plan


def test_the_list_pages_through_older_notifications(client, login, make_user):
    reader = make_user("quality")
    for n in range(notifications.PAGE_SIZE + 5):
        notifications.notify_users([reader.id], None, KIND, {**PARAMS, "number": f"SO-{n:03}"})
    db.session.commit()
    login(reader)
    client.post("/language", data={"lang": "en"})
    page = client.get("/notifications").get_data(as_text=True)
    assert page.count('data-kind="order_released"') == notifications.PAGE_SIZE
    assert "SO-054" in page and "SO-004" not in page
    older = page.split('href="/notifications?before=')[1].split('"')[0]
    page = client.get(f"/notifications?before={older}").get_data(as_text=True)
    assert page.count('data-kind="order_released"') == 5 and "SO-004" in page
    assert client.get("/notifications?before=abc").status_code == 200


def test_settings_save_channels_and_address(client, login, make_user):
    user = make_user("quality")
    login(user)
    client.post("/language", data={"lang": "en"})
    page = client.get("/notifications/settings").get_data(as_text=True)
    for label in ("Order released to production", "A task arrived in my department"):
        assert label in page
    response = client.post(
        "/notifications/settings",
        data={"email": " qa@factory.test ", "channel-order_released": "email",
              "channel-task_arrived": "digest"},
    )  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "qa@factory.test"
    prefs = notifications.preferences_of(db.session.get(User, user.id))
    assert prefs["order_released"] == "email" and prefs["task_arrived"] == "digest"
    assert prefs["order_delayed"] == "in_app"
    (event,) = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "notifications.settings")
    )
    assert event.user_id == user.id and "qa@factory.test" not in event.data
    assert json.loads(event.data) == {
        "email": "changed", "order_released": "email", "task_arrived": "digest"
    }  # fmt: skip
    # saved again (a double click): still one row per kind
    client.post(
        "/notifications/settings",
        data={"email": "qa@factory.test", "channel-order_released": "email",
              "channel-task_arrived": "in_app"},
    )  # fmt: skip
    rows = db.session.scalars(
        db.select(NotificationPreference).where(NotificationPreference.user_id == user.id)
    ).all()
    assert sorted((r.kind, r.channel) for r in rows) == [
        ("order_released", "email"), ("task_arrived", "in_app")
    ]  # fmt: skip


def test_settings_refuse_bad_input_and_change_nothing(client, login, make_user):
    user = make_user("quality", email="old@factory.test")
    login(user)
    client.post("/language", data={"lang": "en"})
    for data, message in (
        ({"email": "not an address"}, "Enter an email address such as name@example.com."),
        ({"email": "x" * 300 + "@a.com"}, "An email address has at most 254 characters"),
        ({"email": "a@b.com\r\nBcc: all@b.com"}, "Enter an email address such as"),
        ({"email": "", "channel-order_released": "email"}, "Enter an email address to receive"),
        ({"email": "a@b.com", "channel-order_released": "fax"}, "Choose one of the offered ways."),
        ({"email": "a@b.com", "channel-order_released": "\x00"}, None),
    ):
        response = client.post("/notifications/settings", data=data)
        assert response.status_code == 400, data
        if message:
            assert message in response.get_data(as_text=True), data
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "old@factory.test"
    assert db.session.scalar(db.select(db.func.count()).select_from(NotificationPreference)) == 0


def test_settings_page_is_chinese_by_default(client, login, make_user):
    login(make_user("quality"))
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "通知方式" in page and "每日汇总" in page and "电子邮箱" in page
    response = client.post("/notifications/settings", data={"email": "nope"})
    assert "请输入电子邮箱地址" in response.get_data(as_text=True)


def test_the_language_switch_is_kept_on_the_user(client, login, make_user):
    user = make_user("quality")
    login(user)
    client.post("/language", data={"lang": "en"})
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"


def test_release_goes_once_to_the_departments_concerned_and_the_owner(
    make_released_order, make_user
):
    bystander = make_user("finance")  # finance took no part in this order
    inactive = make_user("quality", active=False)
    order = make_released_order()
    told = [n.user_id for n in _told(KIND, subject_key=order.id)]
    assert len(told) == len(set(told))  # once each
    assert order.created_by_id in told
    assert bystander.id not in told and inactive.id not in told
    concerned = {
        dept for dept in db.session.scalars(
            db.select(User.department_id).where(User.id.in_(told))
        )
    }  # fmt: skip
    expected = set(
        db.session.scalars(
            db.select(HumanTask.department_id).where(order_subject.about_order(HumanTask, order.id))
        )
    )
    assert concerned == expected
    # released again (after a change's re-confirmation): nobody is told a second time
    instance = lifecycle.lifecycle_of(order)
    order.status = "awaiting_customer"
    lifecycle.follow_status(instance, {"order_status": "released"})
    db.session.commit()
    assert len(_told(KIND, subject_key=order.id)) == len(told)


def test_a_task_arriving_tells_its_department_and_an_assignment_the_assignee(
    client, login, make_user, make_order, task_of
):
    members = [make_user("sales"), make_user("sales")]
    head = make_user("sales", role="head")
    outsider = make_user("quality")
    order = make_order()
    task = task_of(order, "confirm_order")
    arrived = _told("task_arrived", subject_key=order.id)
    assert {n.user_id for n in arrived} >= {m.id for m in members} | {head.id}
    assert outsider.id not in {n.user_id for n in arrived}
    params = json.loads(arrived[0].params)
    assert params["task"] == task.id and params["step"] == task.name

    login(head)
    client.post(f"/tasks/{task.id}/assign", data={"assignee_id": members[0].id})
    (assigned,) = _told("task_assigned")  # once: sent by the assign action only
    assert assigned.user_id == members[0].id
    login(members[0])
    client.post("/language", data={"lang": "en"})
    page = client.get("/notifications").get_data(as_text=True)
    assert "assigned" in page and f'href="/tasks/{task.id}"' in page
    # claiming one's own task tells nobody
    client.post(f"/tasks/{task.id}/unclaim")
    client.post(f"/tasks/{task.id}/claim")
    assert len(_told("task_assigned")) == 1


def test_the_customers_confirmation_tells_the_orders_owner(make_released_order):
    order = make_released_order()
    (told,) = _told("customer_confirmed", subject_key=order.id)
    assert told.user_id == order.created_by_id
    assert json.loads(told.params) == {
        "number": order.number, "signer": "Ann Smith", "method": "link"
    }  # fmt: skip


def test_the_change_requester_hears_the_decision(
    client, login, make_user, released_order, complete
):
    from app.modules.changes.models import ChangeRequest
    from tests.web.test_change_pages import form

    raiser = make_user("warehouse")
    login(raiser)
    response = client.post(
        f"/orders/{released_order.id}/changes/new",
        data=form(released_order, **{"lines-0-packaging_materials": "Wooden crate"}),
    )
    assert response.status_code == 302
    change = db.session.scalar(db.select(ChangeRequest))
    for step in ("change_review_quality", "change_review_warehouse"):
        complete(released_order, step, {"opinion": "approve", "delivery_impact_days": "0"})
    assert _told("change_decided") == []
    complete(released_order, "manager_approval_warehouse", {"decision": "approve"})
    (told,) = _told("change_decided")
    assert told.user_id == raiser.id
    assert json.loads(told.params) == {
        "number": released_order.number, "change": change.id, "outcome": "applied"
    }  # fmt: skip
    login(raiser)
    client.post("/language", data={"lang": "en"})
    page = client.get("/notifications").get_data(as_text=True)
    assert (
        f"Your change request #{change.id} for order {released_order.number} was approved" in page
    )


def test_an_admin_sets_a_users_shared_mailbox(client, login, make_user):
    from app.core.users.models import Department

    login(make_user(None, is_admin=True))
    client.post("/language", data={"lang": "en"})
    quality = db.session.scalar(db.select(Department).where(Department.key == "quality"))
    account = {
        "display_name": "QC",
        "password": "initial-pass",
        "department_id": str(quality.id),
        "role": "member",
        "email": "qc-team@factory.test",
    }
    for name in ("qc.one", "qc.two"):  # one department mailbox for two accounts
        response = client.post("/admin/users/new", data={**account, "username": name})
        assert response.status_code == 302
    emails = db.session.scalars(db.select(User.email).where(User.username.like("qc.%"))).all()
    assert emails == ["qc-team@factory.test", "qc-team@factory.test"]

    bad = client.post("/admin/users/new", data={**account, "username": "qc.three", "email": "x@y"})
    assert bad.status_code == 400
    assert "Enter an email address such as name@example.com." in bad.get_data(as_text=True)
    assert db.session.scalar(db.select(User.id).where(User.username == "qc.three")) is None

    one = db.session.scalar(db.select(User).where(User.username == "qc.one"))
    page = client.get(f"/admin/users/{one.id}").get_data(as_text=True)
    assert 'value="qc-team@factory.test"' in page
    edit = {k: v for k, v in account.items() if k != "password"}
    client.post(f"/admin/users/{one.id}", data={**edit, "email": ""})
    db.session.expire_all()
    assert db.session.get(User, one.id).email is None

"""Login, language, password changes, CSRF."""

from app.core.audit.models import AuditEvent
from app.extensions import db


def test_login_lands_on_the_department_inbox(client, make_user, password):
    user = make_user("quality")
    response = client.post(
        "/login", data={"username": user.username, "password": password}, follow_redirects=True
    )
    assert response.status_code == 200
    assert response.request.path == "/inbox"
    page = response.get_data(as_text=True)
    assert "品质部" in page  # default language is zh_CN; the inbox names the department


def test_wrong_password_is_refused_and_recorded(client, make_user):
    user = make_user("sales")
    response = client.post("/login", data={"username": user.username, "password": "nope"})
    assert response.status_code == 401
    assert db.session.scalar(
        db.select(AuditEvent.action).where(AuditEvent.action == "login.failed")
    )


def test_pages_need_login(client):
    response = client.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_language_switch(client, login, make_user):
    login(make_user("sales"))
    client.post("/language", data={"lang": "en"})
    assert "Inbox" in client.get("/inbox").get_data(as_text=True)
    client.post("/language", data={"lang": "zh_CN"})
    assert "待办" in client.get("/inbox").get_data(as_text=True)


def test_reset_password_forces_a_change(client, login, make_user):
    admin = make_user(None, is_admin=True)
    user = make_user("sales")
    login(admin)
    response = client.post(f"/admin/users/{user.id}/reset-password")
    assert response.status_code == 200
    temporary = response.get_data(as_text=True).split('id="temporary-password">')[1].split("<")[0]
    client.post("/logout")
    client.post("/login", data={"username": user.username, "password": temporary})
    response = client.get("/inbox")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/account/password"
    )
    bad = client.post(
        "/account/password", data={"current": temporary, "new": "short", "confirm": "short"}
    )
    assert bad.status_code == 400
    ok = client.post(
        "/account/password",
        data={"current": temporary, "new": "a-new-pass-9", "confirm": "a-new-pass-9"},
    )
    assert ok.status_code == 302
    assert client.get("/inbox").status_code == 200


def test_csrf_is_enforced(app, client, make_user, password):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        user = make_user("sales")
        response = client.post("/login", data={"username": user.username, "password": password})
        assert response.status_code == 400
        assert "Reload the page" in response.get_data(as_text=True) or "重新" in response.get_data(
            as_text=True
        )
        assert "Traceback" not in response.get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False

"""Failed log-ins: lock-out per account and per address, equal work for unknown names."""

from datetime import timedelta

import pytest

from app.core.audit.models import AuditEvent
from app.core.clock import utcnow
from app.core.users import login_limits
from app.core.users import models as user_model
from app.core.users.models import LoginThrottle
from app.extensions import db

OTHER_ADDRESS = {"REMOTE_ADDR": "203.0.113.9"}


def log_in(client, username, password, **kwargs):
    """Post the login form."""
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


def actions(name: str) -> list[AuditEvent]:
    """Audit rows of one action, oldest first."""
    return list(
        db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == name).order_by(AuditEvent.id)
        )
    )


def test_the_defaults_are_five_per_account_and_thirty_per_address_in_fifteen_minutes(app):
    limits = login_limits.Limits.from_config(app.config)
    assert limits == login_limits.Limits(
        window=timedelta(minutes=15),
        lockout=timedelta(minutes=15),
        account_failures=5,
        address_failures=30,
    )


def test_thirty_wrong_passwords_lock_the_account_and_the_right_one_is_refused(
    client, make_user, password
):
    user = make_user("sales")
    statuses = [log_in(client, user.username, f"wrong-{i}").status_code for i in range(30)]
    assert statuses[:4] == [401] * 4
    assert statuses[4:] == [429] * 26  # the fifth failure starts the lock-out
    refused = log_in(client, user.username, password)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 14 * 60
    page = refused.get_data(as_text=True)
    row = db.session.scalar(db.select(LoginThrottle).where(LoginThrottle.key == user.username))
    until = row.locked_until
    assert timedelta(minutes=14) < until - utcnow() <= timedelta(minutes=15)
    # The message is in the session's language (Chinese by default) and names the end time.
    assert "账号已锁定" in page
    assert (
        until.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).strftime("%H:%M") in page
    )
    assert client.get("/inbox").status_code == 302  # not signed in
    # Only the five failures were checked and counted; the lock-out is audited once.
    assert len(actions("login.failed")) == 5
    locked = actions("login.locked")
    assert [(e.object_type, e.object_id) for e in locked] == [("user", str(user.id))]


def test_the_lockout_message_is_translated(client, make_user):
    user = make_user("sales")
    client.post("/language", data={"lang": "en"})
    for _ in range(5):
        response = log_in(client, user.username, "wrong")
    text = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "this account is locked until" in text


def test_the_account_opens_again_when_the_lockout_ends(client, make_user, password):
    user = make_user("sales")
    for _ in range(5):
        log_in(client, user.username, "wrong")
    row = db.session.scalar(db.select(LoginThrottle).where(LoginThrottle.key == user.username))
    row.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert log_in(client, user.username, password).status_code == 302
    # The success cleared the account's count.
    assert (
        db.session.scalar(db.select(LoginThrottle).where(LoginThrottle.scope == "account")) is None
    )


def test_a_success_resets_the_account_count(client, make_user, password):
    user = make_user("sales")
    for _ in range(4):
        assert log_in(client, user.username, "wrong").status_code == 401
    assert log_in(client, user.username, password).status_code == 302
    client.post("/logout")
    for _ in range(4):
        assert log_in(client, user.username, "wrong").status_code == 401
    assert log_in(client, user.username, password).status_code == 302


def test_failures_older_than_the_window_start_a_new_count(client, make_user):
    user = make_user("sales")
    for _ in range(4):
        log_in(client, user.username, "wrong")
    row = db.session.scalar(db.select(LoginThrottle).where(LoginThrottle.key == user.username))
    row.window_started_at = utcnow() - timedelta(minutes=16)
    db.session.commit()
    assert log_in(client, user.username, "wrong").status_code == 401  # 1 in the new window
    db.session.expire_all()
    assert db.session.get(LoginThrottle, row.id).failures == 1


def test_an_unknown_name_is_locked_like_a_real_one(client):
    statuses = [log_in(client, "nobody.here", "wrong").status_code for _ in range(6)]
    assert statuses == [401, 401, 401, 401, 429, 429]
    locked = actions("login.locked")
    assert [(e.object_type, e.object_id) for e in locked] == [("login_name", "nobody.here")]


def test_user_name_case_and_spaces_do_not_escape_the_count(client, make_user):
    user = make_user("sales")
    for name in (user.username, user.username.upper(), f"  {user.username} ", user.username):
        assert log_in(client, name, "wrong").status_code == 401
    assert log_in(client, user.username.title(), "wrong").status_code == 429


def test_one_address_is_blocked_after_its_limit_and_other_addresses_are_not(
    app, client, make_user, password, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_FAILURES", 6)
    user = make_user("sales")
    statuses = [log_in(client, f"guess{i}", "wrong").status_code for i in range(6)]
    assert statuses == [401] * 5 + [429]
    blocked = log_in(client, user.username, password)
    assert blocked.status_code == 429
    assert "网络地址" in blocked.get_data(as_text=True)
    assert log_in(client, user.username, password, environ_base=OTHER_ADDRESS).status_code == 302
    locked = actions("login.locked")
    assert [(e.object_type, e.object_id, e.ip) for e in locked] == [
        ("address", "127.0.0.1", "127.0.0.1")
    ]


def test_a_success_does_not_reset_the_address_count(app, client, make_user, password, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_FAILURES", 4)
    user = make_user("sales")
    for i in range(3):
        log_in(client, f"guess{i}", "wrong")
    assert log_in(client, user.username, password).status_code == 302
    client.post("/logout")
    assert log_in(client, "guess9", "wrong").status_code == 429


def test_an_admin_unlocks_an_account_on_its_page(client, make_user, login, password):
    user = make_user("sales")
    admin = make_user(None, is_admin=True)
    for _ in range(5):
        log_in(client, user.username, "wrong", environ_base=OTHER_ADDRESS)
    login(admin)
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "账号已锁定" in page and f"/admin/users/{user.id}/unlock" in page
    listing = client.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{user.id}/unlock" in listing
    assert f"/admin/users/{admin.id}/unlock" not in listing
    response = client.post(f"/admin/users/{user.id}/unlock", data={"back": "edit"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/users/{user.id}")
    assert [(e.user_id, e.object_id) for e in actions("user.unlock")] == [(admin.id, str(user.id))]
    client.post("/logout")
    assert log_in(client, user.username, password, environ_base=OTHER_ADDRESS).status_code == 302
    # Unlocking an account that is not locked says so and records nothing.
    client.post("/logout")
    login(admin)
    again = client.post(f"/admin/users/{user.id}/unlock", follow_redirects=True)
    assert "未被锁定" in again.get_data(as_text=True)
    assert len(actions("user.unlock")) == 1


def test_only_admins_unlock(client, make_user, login):
    user = make_user("sales")
    login(make_user("sales"))
    assert client.post(f"/admin/users/{user.id}/unlock").status_code == 403


@pytest.fixture
def hash_checks(monkeypatch) -> list[str]:
    """Record the method of every password hash checked (and still check it)."""
    seen: list[str] = []
    real = user_model.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        seen.append(pwhash.split("$", 1)[0])
        return real(pwhash, password)

    monkeypatch.setattr(user_model, "check_password_hash", counting)
    return seen


def test_an_unknown_name_costs_the_same_hash_check_as_a_wrong_password(
    client, make_user, hash_checks
):
    user = make_user("sales")
    method = user.password_hash.split("$", 1)[0]
    assert method.startswith("scrypt:")  # werkzeug's default, as set_password uses
    log_in(client, user.username, "wrong")
    log_in(client, "no.such.user", "wrong")
    assert hash_checks == [method, method]


def test_a_deactivated_account_costs_the_same_hash_check(client, make_user, hash_checks, password):
    user = make_user("sales", active=False)
    assert log_in(client, user.username, password).status_code == 401
    assert log_in(client, user.username, "wrong").status_code == 401
    assert len(hash_checks) == 2


def test_no_hash_is_checked_during_a_lockout(client, make_user, hash_checks, password):
    user = make_user("sales")
    for _ in range(5):
        log_in(client, user.username, "wrong")
    assert len(hash_checks) == 5
    assert log_in(client, user.username, password).status_code == 429
    assert len(hash_checks) == 5

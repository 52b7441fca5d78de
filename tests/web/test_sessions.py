"""Sessions end for good: a kept copy of the cookie stops working after logout and the like."""

from datetime import timedelta

import pytest

from app.core.audit.models import AuditEvent
from app.core.clock import utcnow
from app.core.users.models import UserSession
from app.extensions import db


@pytest.fixture
def new_client(app, client):
    """Factory for more browsers (each with its own cookies)."""
    return app.test_client


def cookie(client) -> str:
    """The value of the client's session cookie."""
    return client.get_cookie("session").value


def replay(app, value: str):
    """A new browser that presents a kept copy of a session cookie."""
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def signed_in(c) -> bool:
    """Whether the inbox opens for this browser (otherwise it is sent to the login page)."""
    response = c.get("/inbox")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def test_a_copy_of_the_cookie_stops_working_after_logout(app, client, login, make_user):
    login(make_user("sales"))
    kept = cookie(client)
    assert signed_in(replay(app, kept))
    client.post("/logout")
    assert not signed_in(client)
    assert not signed_in(replay(app, kept))
    row = db.session.scalar(db.select(UserSession))
    assert row.revoked_reason == "logout" and row.revoked_at is not None


def test_a_password_change_ends_the_other_sessions_but_not_this_one(
    app, client, login, make_user, new_client
):
    user = make_user("sales")
    login(user)
    other = login(user, new_client())
    kept = cookie(client)
    response = client.post(
        "/account/password",
        data={"current": "secret-pass-1", "new": "a-new-pass-9", "confirm": "a-new-pass-9"},
    )
    assert response.status_code == 302
    assert signed_in(client)
    assert not signed_in(other)
    # The cookie from before the change still belongs to the live session (it is the same one).
    assert signed_in(replay(app, kept))


def test_a_refused_password_change_ends_nothing(client, login, make_user, new_client):
    user = make_user("sales")
    login(user)
    other = login(user, new_client())
    response = client.post(
        "/account/password", data={"current": "wrong", "new": "a-new-pass-9", "confirm": "x"}
    )
    assert response.status_code == 400
    assert signed_in(other)


@pytest.mark.parametrize("action", ["reset-password", "active"])
def test_an_admin_reset_or_deactivation_ends_the_users_sessions(
    action, app, client, login, make_user, new_client
):
    user = make_user("sales")
    victim = login(user, new_client())
    kept = cookie(victim)
    login(make_user(None, is_admin=True))
    response = client.post(f"/admin/users/{user.id}/{action}", data={"active": "0"})
    assert response.status_code in (200, 302)
    assert not signed_in(victim)
    assert not signed_in(replay(app, kept))
    reasons = db.session.scalars(
        db.select(UserSession.revoked_reason).where(UserSession.user_id == user.id)
    ).all()
    assert reasons == ["password_reset" if action == "reset-password" else "deactivated"]


def test_a_reactivated_user_must_log_in_again(app, client, login, make_user, new_client):
    user = make_user("sales")
    victim = login(user, new_client())
    login(make_user(None, is_admin=True))
    client.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    client.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    assert not signed_in(victim)
    assert signed_in(login(user, victim))


def test_a_deactivated_user_is_out_even_with_a_live_session_row(client, login, make_user):
    user = make_user("sales")
    login(user)
    user.active = False  # changed behind the service's back: the loader checks it as well
    db.session.commit()
    assert not signed_in(client)


def test_a_cookie_without_a_session_record_is_not_signed_in(client, make_user):
    user = make_user("sales")
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    assert not signed_in(client)


def test_a_session_unused_past_the_idle_limit_ends(app, client, login, make_user):
    login(make_user("sales"))
    row = db.session.scalar(db.select(UserSession))
    row.last_seen_at = utcnow() - timedelta(days=app.config["SESSION_IDLE_DAYS"], minutes=1)
    db.session.commit()
    assert not signed_in(client)


def test_use_is_noted_at_most_every_few_minutes(client, login, make_user):
    login(make_user("sales"))
    row = db.session.scalar(db.select(UserSession))
    first = row.last_seen_at
    assert signed_in(client)
    db.session.expire_all()
    assert db.session.get(UserSession, row.id).last_seen_at == first
    row = db.session.get(UserSession, row.id)
    row.last_seen_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    assert signed_in(client)
    db.session.expire_all()
    assert utcnow() - db.session.get(UserSession, row.id).last_seen_at < timedelta(minutes=1)


def test_the_sessions_page_lists_them_and_signs_out_the_others(
    app, client, login, make_user, new_client
):
    user = make_user("sales")
    phone = login(user, new_client())
    tablet = login(user, new_client())
    login(user)
    page = client.get("/account/sessions").get_data(as_text=True)
    assert page.count("data-session=") == 3
    assert page.count('class="current"') == 1
    assert "当前浏览器" in page
    # End one other session, then all the rest.
    phone_row = db.session.scalars(db.select(UserSession).order_by(UserSession.id)).first()
    assert client.post(f"/account/sessions/{phone_row.id}/end").status_code == 302
    assert not signed_in(phone) and signed_in(tablet)
    response = client.post("/account/sessions/others", follow_redirects=True)
    assert "其他会话已退出（1 个）" in response.get_data(as_text=True)
    assert not signed_in(tablet) and signed_in(client)
    assert client.get("/account/sessions").get_data(as_text=True).count("data-session=") == 1
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action.like("session.sign_out%"))
        )
        == 2
    )


def test_one_cannot_end_the_current_or_someone_elses_session(client, login, make_user, new_client):
    other_user = make_user("sales")
    login(other_user, new_client())
    theirs = db.session.scalar(db.select(UserSession))
    login(make_user("sales"))
    mine = db.session.scalar(db.select(UserSession).where(UserSession.id != theirs.id))
    assert client.post(f"/account/sessions/{theirs.id}/end").status_code == 404
    assert client.post(f"/account/sessions/{mine.id}/end").status_code == 409
    assert client.post("/account/sessions/999999/end").status_code == 404
    db.session.expire_all()
    assert db.session.get(UserSession, theirs.id).revoked_at is None


def test_old_ended_sessions_are_deleted_at_the_next_login(client, login, make_user):
    user = make_user("sales")
    login(user)
    client.post("/logout")
    row = db.session.scalar(db.select(UserSession))
    row.revoked_at = utcnow() - timedelta(days=31)
    db.session.commit()
    login(user)
    assert db.session.scalar(db.select(db.func.count()).select_from(UserSession)) == 1

"""Administration: users, departments, stopped instances."""

from app.core.audit.models import AuditEvent
from app.core.users.models import Department, User
from app.extensions import db


def test_non_admin_gets_403_and_it_is_recorded(client, login, make_user):
    user = make_user("sales")
    login(user)
    assert client.get("/admin/users").status_code == 403
    assert (
        db.session.scalar(
            db.select(AuditEvent).where(
                AuditEvent.user_id == user.id, AuditEvent.action == "denied.admin"
            )
        )
        is not None
    )


def test_admin_creates_edits_and_deactivates_a_user(client, login, make_user):
    login(make_user(None, is_admin=True))
    quality = db.session.scalar(db.select(Department).where(Department.key == "quality"))
    response = client.post(
        "/admin/users/new",
        data={
            "username": "li.qc",
            "display_name": "Li",
            "password": "initial-pass",
            "department_id": str(quality.id),
            "role": "member",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.username == "li.qc"))
    assert user.must_change_password and user.department.key == "quality"
    assert user.password_hash != "initial-pass"
    client.post(
        f"/admin/users/{user.id}",
        data={"display_name": "Li Wei", "department_id": str(quality.id), "role": "head"},
    )
    db.session.expire_all()
    assert db.session.get(User, user.id).role == "head"
    client.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    db.session.expire_all()
    assert not db.session.get(User, user.id).active
    client.post("/logout")
    assert (
        client.post("/login", data={"username": "li.qc", "password": "initial-pass"}).status_code
        == 401
    )
    actions = [
        e
        for e in db.session.scalars(
            db.select(AuditEvent.action)
            .where(AuditEvent.object_type == "user", AuditEvent.action.like("user.%"))
            .order_by(AuditEvent.id)
        )
    ]
    assert actions == ["user.create", "user.update", "user.deactivate"]


def test_bad_user_input_is_reported_and_nothing_is_created(client, login, make_user):
    login(make_user(None, is_admin=True))
    before = db.session.scalar(db.select(db.func.count()).select_from(User))
    response = client.post(
        "/admin/users/new",
        data={
            "username": "A B",
            "display_name": "",
            "password": "x",
            "department_id": "999",
            "role": "king",
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert page.count("field-error") >= 4
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == before


def test_admin_adds_a_department(client, login, make_user):
    login(make_user(None, is_admin=True))
    response = client.post(
        "/admin/departments", data={"key": "rnd", "name_en": "R&D", "name_zh": "研发部"}
    )
    assert response.status_code == 302
    assert (
        db.session.scalar(db.select(Department).where(Department.key == "rnd")).name_zh == "研发部"
    )
    again = client.post("/admin/departments", data={"key": "rnd", "name_en": "x", "name_zh": "y"})
    assert again.status_code == 400

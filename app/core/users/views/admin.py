"""Administration: users, departments, and instances stopped by an error."""

from functools import wraps

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import limits
from app.core.audit import services as audit
from app.core.tasks import inbox, instance_admin
from app.core.users import accounts as users
from app.core.users import permissions
from app.core.users.models import ROLES
from app.core.web import commit, submit
from app.errors import PermissionDenied

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="../templates")


def admin_required(view):
    """Only admins pass; anyone else gets 403 and the attempt is recorded."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not permissions.is_admin(current_user):
            audit.record(current_user, "denied.admin", "page", request.path, ip=request.remote_addr)
            raise PermissionDenied(_("This page is for administrators."))
        return view(*args, **kwargs)

    return wrapper


def _flag(name: str) -> bool:
    return request.form.get(name) in ("1", "on", "true")


@bp.get("/users")
@admin_required
def user_list():
    """Every user with their department, role and state."""
    everyone = users.list_users()
    return render_template("admin/users.html", users=everyone, locks=users.lockouts(everyone))


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def user_new():
    """Create a user."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        f = request.form
        user, errors = submit(
            lambda: users.create_user(
                current_user,
                f.get("username", ""),
                f.get("display_name", ""),
                f.get("password", ""),
                f.get("department_id", ""),
                f.get("role", ""),
                _flag("is_admin"),
                _flag("is_process_owner"),
                f.get("email"),
            )
        )
        if not errors:
            flash(_("User %(name)s was created.", name=user.username), "success")
            return redirect(url_for("admin.user_list"))
    return render_template(
        "admin/user_form.html",
        user=None,
        errors=errors,
        values=request.form,
        departments=inbox.departments(),
        roles=ROLES,
    ), (400 if errors else 200)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user_edit(user_id: int):
    """Change a user's department, role and rights."""
    user = users.get_user(user_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        f = request.form
        _done, errors = submit(
            lambda: users.update_user(
                current_user,
                user_id,
                f.get("display_name", ""),
                f.get("department_id", ""),
                f.get("role", ""),
                _flag("is_admin"),
                _flag("is_process_owner"),
                f.get("email"),
            )
        )
        if not errors:
            flash(_("User %(name)s was updated.", name=user.username), "success")
            return redirect(url_for("admin.user_list"))
    return render_template(
        "admin/user_form.html",
        user=user,
        locked_until=users.lockouts([user]).get(user.username),
        errors=errors,
        values=request.form if errors else None,
        departments=inbox.departments(),
        roles=ROLES,
    ), (400 if errors else 200)


@bp.post("/users/<int:user_id>/active")
@admin_required
def user_active(user_id: int):
    """Deactivate or reactivate a user."""
    user = users.set_active(current_user, user_id, request.form.get("active") == "1")
    commit()
    flash(
        _(
            "User %(name)s is now %(state)s.",
            name=user.username,
            state=_("active") if user.active else _("deactivated"),
        ),
        "success",
    )
    return redirect(url_for("admin.user_list"))


@bp.post("/users/<int:user_id>/reset-password")
@admin_required
def user_reset(user_id: int):
    """Reset a password; the temporary one is shown once to the admin."""
    user, temporary = users.reset_password(current_user, user_id)
    commit()
    return render_template("admin/password_reset.html", user=user, temporary=temporary)


@bp.post("/users/<int:user_id>/unlock")
@admin_required
def user_unlock(user_id: int):
    """Lift a log-in lock-out before it ends by itself."""
    user, was_locked = users.unlock_account(current_user, user_id)
    commit()
    if was_locked:
        flash(_("User %(name)s can log in again.", name=user.username), "success")
    else:
        flash(_("User %(name)s was not locked.", name=user.username), "warning")
    if request.form.get("back") == "edit":
        return redirect(url_for("admin.user_edit", user_id=user.id))
    return redirect(url_for("admin.user_list"))


@bp.route("/departments", methods=["GET", "POST"])
@admin_required
def departments():
    """List departments and add one."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        f = request.form
        dept, errors = submit(
            lambda: users.create_department(
                current_user, f.get("key", ""), f.get("name_en", ""), f.get("name_zh", "")
            )
        )
        if not errors:
            flash(_("Department %(key)s was added.", key=dept.key), "success")
            return redirect(url_for("admin.departments"))
    return render_template(
        "admin/departments.html",
        departments=inbox.departments(),
        errors=errors,
        values=request.form,
    ), (400 if errors else 200)


@bp.get("/instances")
@admin_required
def instance_errors():
    """Instances stopped by an error, with the error in plain words."""
    return render_template("admin/instances.html", instances=instance_admin.errored_instances())


@bp.post("/instances/<int:instance_id>/retry")
@admin_required
def instance_retry(instance_id: int):
    """Run the instance again after the cause was fixed."""
    instance = instance_admin.retry_instance(instance_id, current_user)
    commit()
    if instance.status == "error":
        flash(_("The retry failed again: %(msg)s", msg=instance.error_message), "error")
    else:
        flash(_("The instance runs again."), "success")
    return redirect(url_for("admin.instance_errors"))


@bp.post("/instances/<int:instance_id>/cancel")
@admin_required
def instance_cancel(instance_id: int):
    """Cancel the instance with a reason; its state and history are kept."""
    errors: dict[str, str] = {}
    reason = limits.check_text(request.form.get("reason", ""), "notes", errors, "reason")
    if errors or not reason:
        flash(errors.get("reason") or _("Give a reason for cancelling."), "error")
        return redirect(url_for("admin.instance_errors"))
    instance_admin.cancel_instance(instance_id, current_user, reason)
    commit()
    flash(_("The instance was cancelled."), "success")
    return redirect(url_for("admin.instance_errors"))

"""The user's notifications: the bell, the list, marking read, and how to be notified."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import limits
from app.core.notifications import mail
from app.core.notifications import services as notifications
from app.core.notifications.models import CHANNELS, EMAIL_LENGTH
from app.core.web import commit, submit, wants_fragment

bp = Blueprint("notifications", __name__, url_prefix="/notifications", template_folder="templates")


def _bell():
    return render_template(
        "notifications/_bell.html", unread=notifications.unread_count(current_user)
    )


@bp.get("")
@login_required
def index():
    """The newest notifications, unread ones highlighted; `before` pages to older ones."""
    before = limits.record_id(request.args.get("before"))
    items = notifications.for_user(current_user, notifications.PAGE_SIZE + 1, before)
    more = len(items) > notifications.PAGE_SIZE
    items = items[: notifications.PAGE_SIZE]
    return render_template(
        "notifications/index.html",
        items=items,
        older=items[-1][0].id if more else None,
    )


@bp.get("/bell")
def bell():
    """The bell with the unread count (htmx refreshes it in place). Signed out meanwhile: no
    content, so htmx leaves the page as it is rather than swapping in the login form."""
    if not current_user.is_authenticated:
        return "", 204
    return _bell()


@bp.post("/<int:notification_id>/read")
@login_required
def read_one(notification_id: int):
    """Mark one notification as read; htmx gets the item and the bell back."""
    note = notifications.mark_read(current_user, notification_id)
    commit()
    if wants_fragment():
        return render_template(
            "notifications/_item.html",
            n=note,
            p=notifications.params_of(note),
            bell_oob=True,
            unread=notifications.unread_count(current_user),
        )
    return redirect(url_for("notifications.index"))


@bp.post("/read")
@login_required
def read_all():
    """Mark everything as read."""
    notifications.mark_all_read(current_user)
    commit()
    return redirect(url_for("notifications.index"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """The user's mail address and, per kind of notification, in-app, email or daily digest."""
    kinds = notifications.registered_kinds()
    errors: dict[str, str] = {}
    if request.method == "POST":
        choices = {kind: request.form.get(f"channel-{kind}", "") for kind in kinds}
        email = request.form.get("email", "")
        _done, errors = submit(
            lambda: notifications.save_settings(current_user, email, choices, request.remote_addr)
        )
        if not errors:
            flash(_("Your notification settings were saved."), "success")
            return redirect(url_for("notifications.settings"))
        values = {"email": email[: EMAIL_LENGTH * 4], **choices}
    else:
        values = {"email": current_user.email or "", **notifications.preferences_of(current_user)}
    return render_template(
        "notifications/settings.html",
        kinds=kinds,
        channels=CHANNELS,
        values=values,
        errors=errors,
        email_length=EMAIL_LENGTH,
        mail_enabled=mail.enabled(),
    ), (400 if errors else 200)

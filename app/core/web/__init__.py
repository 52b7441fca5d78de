"""HTML blueprints and the one place where domain errors become responses."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from flask import Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm import aliased
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.routing import IntegerConverter

from app import limits
from app.core.clock import utcnow
from app.core.notifications import services as notifications
from app.core.processes import versions as process_service
from app.core.subjects import services as subjects
from app.core.submissions import uniqueness
from app.core.tasks import registry
from app.core.users import permissions
from app.core.users.models import Department
from app.errors import AlreadySubmitted, Conflict, DomainError, InvalidInput, PermissionDenied
from app.extensions import db
from app.i18n import current_locale, local_datetime, money, percent

T = TypeVar("T")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)


def commit() -> None:
    """Commit the request's one transaction; a lost optimistic-lock race becomes a Conflict."""
    try:
        db.session.commit()
    except StaleDataError as exc:
        db.session.rollback()
        raise Conflict() from exc


def submit(action: Callable[[], T]) -> tuple[T | None, dict[str, str]]:
    """Run a form's service call and commit; on invalid input roll back and return field errors."""
    try:
        result = action()
    except InvalidInput as exc:
        db.session.rollback()
        return None, exc.errors or {"__form__": exc.message}
    commit()
    return result, {}


def _already_submitted(error: AlreadySubmitted):
    """A form sent twice: show what the first submit saved, with a note, instead of an error."""
    db.session.rollback()
    page = registry.submitted_page(error.kind)  # the domain of the form said where
    url = url_for(page.endpoint, **({page.argument: error.target_id} if page.argument else {}))
    url += page.anchor
    flash(error.message, "info")
    if wants_fragment():
        return "", 204, {"HX-Redirect": url}
    return redirect(url, 303)


def wants_fragment() -> bool:
    """Whether the request came from htmx (answer with a status and a fragment, not a redirect)."""
    return request.headers.get("HX-Request") == "true"


def _handle_domain_error(error: DomainError):
    if isinstance(error, AlreadySubmitted):
        return _already_submitted(error)
    if isinstance(error, PermissionDenied):
        audit_denial(error.message)
        db.session.commit()  # keep the recorded denial; the service changed nothing else
    else:
        db.session.rollback()
    if wants_fragment() or request.accept_mimetypes.best == "application/json":
        return render_template("partials/message.html", message=error.message), error.status
    return render_template("error.html", message=error.message, status=error.status), error.status


def audit_denial(message: str) -> None:
    """Every 403 is in the audit trail once: the refusing service's row, else a generic one."""
    from app.core.audit import services as audit

    audit.ensure_denial_recorded(
        current_user, request.path, request.method, message, ip=request.remote_addr
    )


def _waiting(since: datetime | None) -> str:
    if since is None:
        return ""
    minutes = max(0, int((utcnow() - since).total_seconds() // 60))
    if minutes < 60:
        return _("%(n)s min", n=minutes)
    if minutes < 48 * 60:
        return _("%(n)s h", n=minutes // 60)
    return _("%(n)s d", n=minutes // (24 * 60))


_NAV_KEY = "ordergate.layout_nav"


@dataclass(frozen=True)
class LayoutNav:
    """What the layout's menus show: the department tabs with their counts, the bell's count."""

    departments: list
    counts: dict
    unread: int


def _read_nav() -> LayoutNav:
    """The departments, their tabs' counts and the bell's count in one statement (three round
    trips to the database on every page before, issue 14)."""
    from app.core.tasks import inbox, listing

    tabs = listing.tab_counts_select().subquery()
    unread = notifications.unread_select(current_user).scalar_subquery()
    departments = inbox.departments_select().subquery()
    department = aliased(Department, departments)
    rows = db.session.execute(
        db.select(department, tabs.c.open, tabs.c.overdue, unread)
        .outerjoin(tabs, tabs.c.department_id == department.id)
        .order_by(department.id)
    ).all()
    if not rows:  # no active department: nothing carries the count
        return LayoutNav([], {}, notifications.unread_count(current_user))
    counts = {row[0].id: listing.TabCount(row[1], int(row[2] or 0)) for row in rows if row[1]}
    return LayoutNav([row[0] for row in rows], counts, rows[0][3] or 0)


def layout_nav() -> LayoutNav | None:
    """The layout's menus for the signed-in user, read once per request when base.html renders
    them or a page asks for the departments. (A context processor read them for every template,
    also for the bell, the htmx fragments and the mails, issue 14.)"""
    if not current_user.is_authenticated:
        return None
    found = request.environ.get(_NAV_KEY)
    if found is None:
        found = request.environ[_NAV_KEY] = _read_nav()
    return found


def active_departments() -> list:
    """The active departments (as inbox.departments), read with the layout's menus: the page's
    filters and its tabs show the same list."""
    nav = layout_nav()
    if nav is None:
        from app.core.tasks import inbox

        return inbox.departments()
    return nav.departments


class RowIdConverter(IntegerConverter):
    """`<int:…>` in a URL: a number past a database integer names no row, so the URL is a 404
    (PostgreSQL would otherwise fail the query with "integer out of range")."""

    def __init__(self, map, fixed_digits=0, min=None, max=limits.MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def install(app: Flask) -> None:
    """Install the web shell: URL converter, error pages, template helpers, security headers."""
    app.url_map.converters["int"] = RowIdConverter  # before any rule binds the converter

    app.register_error_handler(DomainError, _handle_domain_error)
    from app.core.web import input_guard

    input_guard.register(app)  # NUL in any input: 400 with a message, before any view runs

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template(
            "error.html",
            status=400,
            message=_(
                "Your session expired or the form was sent twice. Reload the page and try again."
            ),
        ), 400

    @app.errorhandler(403)
    def forbidden(error):
        message = _("You are not allowed to do this.")
        db.session.rollback()
        audit_denial(message)
        db.session.commit()
        return render_template("error.html", status=403, message=message), 403

    @app.errorhandler(404)
    def not_found(error):
        return render_template("error.html", status=404, message=_("Page not found.")), 404

    @app.errorhandler(405)
    def bad_method(error):
        return render_template(
            "error.html", status=405, message=_("This action is not allowed here.")
        ), 405

    @app.errorhandler(413)
    def too_large(error):
        return render_template("error.html", status=413, message=_("The upload is too large.")), 413

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_template(
            "error.html",
            status=500,
            message=_("Something went wrong on our side. Nothing was saved; please try again."),
        ), 500

    @app.before_request
    def force_password_change():
        if (
            current_user.is_authenticated
            and current_user.must_change_password
            and request.endpoint
            not in ("account.password", "auth.logout", "static", "auth.language")
        ):
            flash(_("Please choose a new password before you go on."), "warning")
            return redirect(url_for("account.password"))
        return None

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    app.jinja_env.globals["layout_nav"] = layout_nav
    app.jinja_env.globals["current_locale"] = current_locale
    app.jinja_env.globals["process_name"] = lambda version: process_service.display_name(
        version, current_locale()
    )
    app.jinja_env.globals["now"] = utcnow
    app.jinja_env.globals["new_form_token"] = uniqueness.new_form_token
    # Templates ask the same rules as the services to show a button (app/core/users/permissions).
    app.jinja_env.globals["permissions"] = permissions
    app.jinja_env.globals["subject_url"] = subjects.url
    app.jinja_env.globals["notification_template"] = notifications.template_for
    app.jinja_env.filters["localdt"] = local_datetime
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["waiting"] = _waiting

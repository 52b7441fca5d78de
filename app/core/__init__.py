"""The generic workflow core: users and permissions, processes, tasks and their subjects, audit,
notifications, the clock and the factory calendar. It imports no domain; domains register with
it (registry, subjects)."""

from flask import Flask

from app.extensions import login_manager


def setup(app: Flask) -> None:
    """Install the web shell and register the core's tables and pages."""
    from app.core import web
    from app.core.audit import models as _audit  # noqa: F401  (every table is known to Alembic)
    from app.core.calendar import models as _calendar  # noqa: F401
    from app.core.comments import models as _comments  # noqa: F401
    from app.core.notifications import models as _notifications  # noqa: F401
    from app.core.notifications import views as notifications
    from app.core.processes import models as _processes  # noqa: F401
    from app.core.processes.views import forms_admin, processes
    from app.core.subjects import models as _subjects  # noqa: F401
    from app.core.submissions import models as _submissions  # noqa: F401
    from app.core.tasks import actions as task_actions_rules
    from app.core.tasks import models as _tasks  # noqa: F401
    from app.core.tasks.views import inbox, task_actions, tasks
    from app.core.users import models as _users  # noqa: F401
    from app.core.users.views import account, admin, auth, away

    web.install(app)  # first: it installs the URL converter every rule binds
    from app.core.calendar import working_time

    working_time.install(app)  # BPMN timers read the app's clock and count working time
    _install_connectors(app)
    from app.core.tasks import escalation

    escalation.register()  # the reminder and escalation notifications
    for view in (auth, account, inbox, tasks, notifications, processes, forms_admin, admin):
        app.register_blueprint(view.bp)
    # Approval actions (docs/TASK_ACTIONS.md): their pages and notification kinds.
    app.register_blueprint(task_actions.bp)
    app.register_blueprint(away.bp)
    task_actions_rules.register_kinds()
    _process_runs()
    login_manager.user_loader(auth.load_user)
    _approval_actions(app)
    _setup_audit(app)
    _notification_mail(app)


def _approval_actions(app: Flask) -> None:
    """Send back (退回), withdraw (撤回) and comments on tasks (issue 11): their pages, their
    notification kinds and their pieces of the task page."""
    from app.core.comments import services as comments
    from app.core.comments import views as comment_views
    from app.core.tasks import registry, sendback, withdraw
    from app.core.tasks.views import sendback as sendback_views

    app.register_blueprint(sendback_views.bp)
    app.register_blueprint(comment_views.bp)
    sendback.register()
    registry.register_task_panels(sendback.task_panels)
    withdraw.register()
    registry.register_task_panels(withdraw.task_panels)
    comments.register()
    registry.register_task_panels(comments.task_panels)


def _process_runs() -> None:
    """A process owner's Start an instance form answers a double submit with the instance."""
    from app.core.processes import runs
    from app.core.tasks import registry

    registry.register_submitted_page(runs.SUBMISSION_KIND, "processes.instance", "instance_id")


def _setup_audit(app: Flask) -> None:
    """The audit page, `flask audit`, and the worker job that seals the chain after commit."""
    from app.core.audit import chain, commands
    from app.core.audit import views as audit_views
    from app.worker import register_job

    app.register_blueprint(audit_views.bp)
    app.cli.add_command(commands.group)
    register_job("audit.seal", chain.seal_pending)


def _notification_mail(app: Flask) -> None:
    """The tasks core's own notification kinds, and the worker jobs that send notification
    mail and the daily digest (docs/NOTIFICATIONS.md)."""
    from app.core.notifications import mail
    from app.core.tasks import notices

    notices.register()
    mail.register_jobs()


def _install_connectors(app) -> None:
    """Hand the engine's `http` connector its allow-list and timeout from the configuration."""
    import json

    from app.engine import connectors

    try:
        endpoints = json.loads(app.config["HTTP_ENDPOINTS"] or "{}")
    except ValueError as exc:
        raise RuntimeError(f"HTTP_ENDPOINTS (ORDERGATE_HTTP_ENDPOINTS): {exc}") from None
    if not isinstance(endpoints, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.startswith(("http://", "https://"))
        for k, v in endpoints.items()
    ):
        raise RuntimeError("HTTP_ENDPOINTS must map names to http(s) URLs")
    timeout = float(app.config["HTTP_TIMEOUT"])
    if not 0 < timeout <= 60:
        raise RuntimeError("HTTP_TIMEOUT must be between 0 and 60 seconds")
    connectors.configure_http(endpoints, timeout)

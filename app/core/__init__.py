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
    from app.core.notifications import models as _notifications  # noqa: F401
    from app.core.notifications import views as notifications
    from app.core.processes import models as _processes  # noqa: F401
    from app.core.processes.views import forms_admin, processes
    from app.core.subjects import models as _subjects  # noqa: F401
    from app.core.submissions import models as _submissions  # noqa: F401
    from app.core.tasks import models as _tasks  # noqa: F401
    from app.core.tasks.views import inbox, tasks
    from app.core.users import models as _users  # noqa: F401
    from app.core.users.views import account, admin, auth

    web.install(app)  # first: it installs the URL converter every rule binds
    for view in (auth, account, inbox, tasks, notifications, processes, forms_admin, admin):
        app.register_blueprint(view.bp)
    login_manager.user_loader(auth.load_user)

    from app.core.notifications import mail
    from app.core.tasks import notices

    notices.register()  # the tasks core's own notification kinds
    mail.register_jobs()  # the worker sends notification mail and the daily digest

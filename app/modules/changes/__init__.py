"""Change requests (变更通知书) on released orders, applied only once a manager approves."""

from flask import Flask


def setup(app: Flask) -> None:
    """Register the change pages and the change process's handlers."""
    from app.modules.changes import hooks, models, views  # noqa: F401  (models: its tables)

    app.register_blueprint(views.bp)
    hooks.register()

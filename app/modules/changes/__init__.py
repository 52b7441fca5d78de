"""Change requests (变更通知书) on released orders, applied only once a manager approves."""

from flask import Flask


def setup(app: Flask) -> None:
    """Register the change pages and the change process's handlers."""
    from app.modules.changes import (
        models,  # noqa: F401  (its tables)
        views,
    )
    from app.modules.changes.services import changes  # noqa: F401  (registers the kind)

    app.register_blueprint(views.bp)

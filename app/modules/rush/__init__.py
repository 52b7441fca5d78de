"""Rush-order insertion (插单): the impact on the schedule shown before anyone signs."""

from flask import Flask


def setup(app: Flask) -> None:
    """Register the rush pages and the rush process's handlers."""
    from app.modules.rush import hooks, models, views  # noqa: F401  (models: its tables)

    app.register_blueprint(views.bp)
    hooks.register()

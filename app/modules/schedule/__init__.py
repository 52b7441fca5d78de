"""The production schedule (生产排程): the persisted plan PMC arranges."""

from flask import Flask


def setup(app: Flask) -> None:
    """Register the schedule page."""
    from app.modules.schedule import hooks, models, views  # noqa: F401  (models: its tables)

    app.register_blueprint(views.bp)
    hooks.register()

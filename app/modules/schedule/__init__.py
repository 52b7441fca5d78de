"""The production schedule (生产排程): the persisted plan PMC arranges."""

from flask import Flask


def setup(app: Flask) -> None:
    """Register the schedule page."""
    from app.modules.schedule import (
        models,  # noqa: F401  (its tables)
        views,
    )

    app.register_blueprint(views.bp)

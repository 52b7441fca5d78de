"""Rush-order insertion (插单): the impact on the schedule shown before anyone signs."""

from flask import Flask


def setup(app: Flask) -> None:
    """Register the rush pages and the rush process's handlers."""
    from app.modules.rush import (
        models,  # noqa: F401  (its tables)
        views,
    )
    from app.modules.rush.services import rush  # noqa: F401  (registers the kind)

    app.register_blueprint(views.bp)

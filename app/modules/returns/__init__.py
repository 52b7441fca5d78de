"""Returns, refunds and exchanges (退货 / 退款 / 换货) and customer complaints (客户投诉)."""

from flask import Flask


def setup(app: Flask) -> None:
    """Register the returns pages and the return process's handlers."""
    from app.modules.returns import hooks, models, views  # noqa: F401  (models: its tables)

    app.register_blueprint(views.bp)
    hooks.register()

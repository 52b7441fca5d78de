"""Customer quotations (客户报价): cost basis, margin checks, approval, acceptance, order."""

from flask import Flask


def setup(app: Flask) -> None:
    """Register the quotation pages and the quotation's subject type and process handlers."""
    from app.modules.quotations import hooks, models, views  # noqa: F401  (models: its tables)

    app.register_blueprint(views.bp)
    hooks.register()

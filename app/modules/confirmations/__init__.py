"""The customer's re-confirmation (订单确认书): links, signed sheets, scans."""

from flask import Flask


def setup(app: Flask) -> None:
    """Register the confirmation pages (staff and the customer's public link)."""
    from app.modules.confirmations import hooks, models, views  # noqa: F401  (models: its tables)

    app.register_blueprint(views.bp)
    hooks.register()

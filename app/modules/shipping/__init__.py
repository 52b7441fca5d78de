"""Shipment and delivery (发货 / 交付): shipments of made goods, delivery notes, receipts."""

from flask import Flask


def setup(app: Flask) -> None:
    """Register the shipping pages, the order-page panels, notices and the status follower."""
    from app.modules.shipping import hooks, models, views  # noqa: F401  (models: its tables)

    app.register_blueprint(views.bp)
    hooks.register()

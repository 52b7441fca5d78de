"""Orders (销售订单) with their catalogue (customers, products, lines), revisions, attachments
and department reviews: the order lifecycle process's subject."""

from flask import Flask


def setup(app: Flask) -> None:
    """Register the order pages and the lifecycle's handlers."""
    from app.modules.orders import hooks, models  # noqa: F401  (models: its tables)
    from app.modules.orders.views import catalogue
    from app.modules.orders.views import orders as order_views

    app.register_blueprint(order_views.bp)
    app.register_blueprint(catalogue.bp)
    hooks.register()

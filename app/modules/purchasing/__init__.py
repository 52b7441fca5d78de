"""Purchasing (采购管理): bills of materials, the stock ledger, material requirements and
reservations, purchase requests and orders, suppliers and receipts (docs/PURCHASING.md)."""

from flask import Flask


def setup(app: Flask) -> None:
    """Register the purchasing pages, its process kind, listeners and hooks."""
    from app.modules.purchasing import hooks, models, views  # noqa: F401  (models: tables)

    app.register_blueprint(views.bp)
    hooks.register()

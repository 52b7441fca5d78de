"""Purchasing pages, one blueprint: components, BOMs and stock (stock.py); suppliers, purchase
requests and orders, receipts and inspection (buying.py)."""

from app.modules.purchasing.views import buying, stock  # noqa: F401  (their routes)
from app.modules.purchasing.views.blueprint import bp

__all__ = ["bp"]

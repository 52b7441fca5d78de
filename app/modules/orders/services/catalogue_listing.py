"""The catalogue's lists a page at a time (issue 14): customers by name and products by code,
with a search box and how many match. Both lists showed every row, and the products list read
each product's line rates on its own; the catalogue grows with the business's history."""

from app.core import paging
from app.extensions import db
from app.modules.orders.models import Customer, Product, ProductLineRate

PAGE_SIZE = 50


def _searched(entity, searched, query: str, page: int | None, ordered, *options):
    """One page of `entity` by `ordered`, those where a `searched` column contains `query`."""
    where = []
    if query:
        pattern = paging.contains(query)
        where.append(db.or_(*(column.ilike(pattern, escape="\\") for column in searched)))
    return paging.numbered(
        db.select(db.func.count(entity.id)).where(*where),
        db.select(entity).where(*where).options(*options).order_by(ordered),
        PAGE_SIZE,
        page,
    )


def list_customers(query: str = "", page: int | None = None) -> paging.Listed[Customer]:
    """One page of customers by name, those whose name or contact contains `query`."""
    return _searched(Customer, (Customer.name, Customer.contact), query, page, Customer.name)


def list_products(query: str = "", page: int | None = None) -> paging.Listed[Product]:
    """One page of products by code, those whose code or name contains `query`, with their
    line rates (read for the page's products at once)."""
    rates = db.selectinload(Product.rates).joinedload(ProductLineRate.line)
    return _searched(Product, (Product.code, Product.name), query, page, Product.code, rates)

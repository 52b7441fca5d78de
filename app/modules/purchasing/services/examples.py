"""Demo data for purchasing (`flask seed-demo`): components with opening stock, the bills of
materials of two demo products and two suppliers, before the demo orders are released (so their
release computes requirements, reserves stock and asks purchasing for the rest)."""

from decimal import Decimal

from app.core.users.models import User
from app.extensions import db
from app.modules.orders.models import Product
from app.modules.purchasing.models import BomLine, Component, StockBalance, Supplier
from app.modules.purchasing.services import stock

# code, name, unit, opening stock, unit cost (CNY)
COMPONENTS = [
    ("M-SS304", "不锈钢板 304 / Stainless sheet 304", "kg", "400", "18.50"),
    ("M-AL6061", "铝板 6061 / Aluminium plate 6061", "kg", "60", "24.00"),
    ("M-BOLT-M8", "螺栓 M8 / Bolt M8", "pcs", "2000", "0.35"),
]
BOMS = {"P-1001": [("M-SS304", "1.2"), ("M-BOLT-M8", "4")], "P-1002": [("M-AL6061", "2.5")]}
SUPPLIERS = [
    ("SUP-BAOSTEEL", "宝钢金属材料有限公司", "李经理 021-5555-0101"),
    ("SUP-FASTEN", "Jiangsu Fasteners Co.", "Chen 0512-6666-0202"),
]


def seed(keeper: User) -> int:
    """Add what is missing; returns how many components were added. Running it again changes
    nothing."""
    added = 0
    by_code = {}
    for code, name, unit, opening, cost in COMPONENTS:
        component = db.session.scalar(db.select(Component).where(Component.code == code))
        if component is None:
            component = Component(code=code, name=name, unit=unit)
            db.session.add(component)
            db.session.flush()
            db.session.add(StockBalance(component_id=component.id))
            db.session.flush()
            stock.adjust(keeper, component.id, opening, "Opening stock (demo)", unit_cost=cost)
            added += 1
        by_code[code] = component
    for product_code, lines in BOMS.items():
        product = db.session.scalar(db.select(Product).where(Product.code == product_code))
        if product is None or db.session.scalar(
            db.select(BomLine.id).where(BomLine.product_id == product.id).limit(1)
        ):
            continue
        for code, quantity in lines:
            db.session.add(
                BomLine(product_id=product.id, component=by_code[code], quantity=Decimal(quantity))
            )
    for code, name, contact in SUPPLIERS:
        if db.session.scalar(db.select(Supplier.id).where(Supplier.code == code)) is None:
            db.session.add(Supplier(code=code, name=name, contact=contact))
    db.session.flush()
    return added

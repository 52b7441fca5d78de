"""Demo people and catalogue: departments, their heads and members, customers and products."""

from decimal import Decimal

from app.core.processes import versions as processes
from app.core.users.models import Department, User
from app.extensions import db
from app.modules.orders.models import Customer, Product

DEMO_PASSWORD = "demo1234"
CUSTOMERS = [
    ("华东精密机械有限公司", "王经理 138-0000-1111", "上海市浦东新区张江路 88 号", "key"),
    (
        "Nordic Pumps AB",
        "Erik Lund +46 8 555 0100",
        "Industrivägen 12, Västerås, Sweden",
        "standard",
    ),
    ("深圳恒通电子", "李女士 0755-8888-0000", "深圳市南山区科技园 6 栋", "standard"),
]
PRODUCTS = [
    ("P-1001", "不锈钢法兰 DN50 / Stainless flange DN50", "pcs", "38.50"),
    ("P-1002", "铝合金外壳 A200 / Aluminium housing A200", "pcs", "126.00"),
    ("P-2001", "控制板 CB-7 / Control board CB-7", "pcs", "215.00"),
]


def departments() -> list[str]:
    """Add the demo departments that are missing; return the keys added."""
    made = []
    for key, (name_en, name_zh) in processes.DEMO_DEPARTMENTS.items():
        if db.session.scalar(db.select(Department).where(Department.key == key)) is None:
            db.session.add(Department(key=key, name_en=name_en, name_zh=name_zh))
            made.append(key)
    db.session.flush()
    return made


def _user(username: str, name: str, dept: Department | None, role: str = "member", **flags) -> bool:
    if db.session.scalar(db.select(User.id).where(User.username == username)):
        return False
    user = User(username=username, display_name=name, department=dept, role=role, **flags)
    user.set_password(DEMO_PASSWORD)
    db.session.add(user)
    return True


def people() -> int:
    """Add a head and a member per demo department, a process owner and an admin."""
    made = 0
    for dept in db.session.scalars(db.select(Department).order_by(Department.id)):
        if dept.key not in processes.DEMO_DEPARTMENTS:
            continue
        head_name = (
            "General Manager 总经理"
            if dept.key == "management"
            else f"{dept.name_en} head {dept.name_zh}主管"
        )
        made += _user(f"{dept.key}.head", head_name, dept, "head")
        made += _user(f"{dept.key}.member", f"{dept.name_en} member {dept.name_zh}专员", dept)
    made += _user("owner", "Process owner 流程负责人", None, is_process_owner=True)
    made += _user("admin", "Administrator 系统管理员", None, is_admin=True)
    db.session.flush()
    return made


def catalogue() -> None:
    """Add the demo customers and products that are missing."""
    for name, contact, address, tier in CUSTOMERS:
        if db.session.scalar(db.select(Customer.id).where(Customer.name == name)) is None:
            db.session.add(Customer(name=name, contact=contact, address=address, tier=tier))
    for code, name, unit, cost in PRODUCTS:
        if db.session.scalar(db.select(Product.id).where(Product.code == code)) is None:
            db.session.add(Product(code=code, name=name, unit=unit, standard_cost=Decimal(cost)))
    db.session.flush()


def user_named(username: str) -> User:
    """The demo user of that username."""
    return db.session.scalar(db.select(User).where(User.username == username))

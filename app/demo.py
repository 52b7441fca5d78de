"""Demo data: departments, people, customers, products and orders in several states."""

from decimal import Decimal
from pathlib import Path

from flask import current_app

from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import Customer, Department, HumanTask, Order, Product, User
from app.services import orders, processes, tasks
from app.services.orders import LineInput, OrderInput

DEMO_PASSWORD = "demo1234"

CUSTOMERS = [
    ("华东精密机械有限公司", "王经理 138-0000-1111", "上海市浦东新区张江路 88 号", "key"),
    ("Nordic Pumps AB", "Erik Lund +46 8 555 0100", "Industrivägen 12, Västerås, Sweden", "standard"),
    ("深圳恒通电子", "李女士 0755-8888-0000", "深圳市南山区科技园 6 栋", "standard"),
]
PRODUCTS = [
    ("P-1001", "不锈钢法兰 DN50 / Stainless flange DN50", "pcs", "38.50"),
    ("P-1002", "铝合金外壳 A200 / Aluminium housing A200", "pcs", "126.00"),
    ("P-2001", "控制板 CB-7 / Control board CB-7", "pcs", "215.00"),
]


def _departments() -> list[str]:
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


def _people() -> int:
    made = 0
    for dept in db.session.scalars(db.select(Department).order_by(Department.id)):
        if dept.key not in processes.DEMO_DEPARTMENTS:
            continue
        head_name = "General Manager 总经理" if dept.key == "management" else f"{dept.name_en} head {dept.name_zh}主管"
        made += _user(f"{dept.key}.head", head_name, dept, "head")
        made += _user(f"{dept.key}.member", f"{dept.name_en} member {dept.name_zh}专员", dept)
    made += _user("owner", "Process owner 流程负责人", None, is_process_owner=True)
    made += _user("admin", "Administrator 系统管理员", None, is_admin=True)
    db.session.flush()
    return made


def _catalogue() -> None:
    for name, contact, address, tier in CUSTOMERS:
        if db.session.scalar(db.select(Customer.id).where(Customer.name == name)) is None:
            db.session.add(Customer(name=name, contact=contact, address=address, tier=tier))
    for code, name, unit, cost in PRODUCTS:
        if db.session.scalar(db.select(Product.id).where(Product.code == code)) is None:
            db.session.add(Product(code=code, name=name, unit=unit, standard_cost=Decimal(cost)))
    db.session.flush()


def _user_named(username: str) -> User:
    return db.session.scalar(db.select(User).where(User.username == username))


def _complete(order: Order, spec_name: str, username: str, fields: dict) -> None:
    task = db.session.scalar(
        db.select(HumanTask).where(
            HumanTask.order_id == order.id, HumanTask.spec_name == spec_name, HumanTask.state == "ready"
        )
    )
    tasks.complete_task(task.id, _user_named(username), MultiDict(fields))


INTAKE = {"packaging_confirmed": "on", "structure_confirmed": "on", "dimensions_confirmed": "on",
          "order_category": "regular"}
APPROVE = {"decision": "approve", "comments": "OK"}


def _orders() -> int:
    if db.session.scalar(db.select(db.func.count()).select_from(Order)):
        return 0
    sales = _user_named("sales.member")
    customers = list(db.session.scalars(db.select(Customer).order_by(Customer.id)))
    products = list(db.session.scalars(db.select(Product).order_by(Product.id)))

    def enter(customer: Customer, order_type: str, line: LineInput) -> Order:
        return orders.create_order(sales, OrderInput(
            customer_id=str(customer.id), customer_po=f"PO-{customer.id}-2026", order_type=order_type,
            requested_date="2027-01-15", lines=[line]))

    enter(customers[0], "regular", LineInput(product_id=str(products[0].id), quantity="500", unit_price="45"))
    second = enter(customers[1], "new", LineInput(product_id=str(products[1].id), quantity="200",
                                                   unit_price="150"))
    _complete(second, "confirm_order", "sales.member", {**INTAKE, "order_category": "new",
                                                        "requirements": "IP65 sealing"})
    _complete(second, "pmc_dispatch", "pmc.member", {"review_due": "2026-12-20", "priority": "normal",
                                                    "instructions": "Standard review"})
    third = enter(customers[2], "non_standard", LineInput(description="定制控制板 CB-7X, 带 CAN 总线",
                                                           quantity="50", unit_price="380"))
    _complete(third, "confirm_order", "sales.member", {**INTAKE, "order_category": "non_standard",
                                                       "requirements": "CAN bus, conformal coating"})
    _complete(third, "pmc_dispatch", "pmc.member", {"review_due": "2026-12-10", "priority": "high",
                                                   "instructions": "Customer is waiting"})
    _complete(third, "review_engineering", "engineering.member", {**APPROVE, "technical_risk": "medium"})
    return 3


def seed_demo() -> list[str]:
    """Create what is missing of the demo data; running it again changes nothing."""
    lines = [f"department {key}" for key in _departments()]
    lines.append(f"{_people()} user(s) added")
    _catalogue()
    if processes.latest_version(orders.REVIEW_PROCESS) is None:
        report = processes.deploy_directories(
            Path(current_app.config["WORKFLOWS_DIR"]), Path(current_app.config["FORMS_DIR"]), None
        )
        lines.extend(report.created + report.problems)
    lines.append(f"{_orders()} demo order(s) added")
    return lines

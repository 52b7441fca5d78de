"""Demo data: departments, people, customers, products and orders in several states."""

import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage, MultiDict

from app.core import clock
from app.core.processes import versions as processes
from app.core.tasks import completion as tasks
from app.core.tasks.models import HumanTask
from app.core.users.models import Department, User
from app.extensions import db
from app.modules.confirmations.services import confirmations
from app.modules.confirmations.services.sheet import sheet_pdf
from app.modules.orders.models import Customer, Order, Product, ProductionLine, ProductLineRate
from app.modules.orders.services import orders
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.orders import LineInput, OrderInput

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
            order_subject.about_order(HumanTask, order.id),
            HumanTask.spec_name == spec_name,
            HumanTask.state == "ready",
        )
    )
    tasks.complete_task(task.id, _user_named(username), MultiDict(fields))


INTAKE = {
    "packaging_confirmed": "on",
    "structure_confirmed": "on",
    "dimensions_confirmed": "on",
    "order_category": "regular",
}
REVIEWS = {
    "review_engineering": {"decision": "approve", "technical_risk": "low"},
    "review_production": {"decision": "approve"},
    "review_quality": {
        "decision": "approve_with_conditions",
        "quality_requirements": "AQL 1.0",
        "inspection_plan": "final",
        "conditions": "首件确认后量产 First article first",
    },
    "review_warehouse": {"decision": "approve", "materials_status": "in_stock"},
}
SPECS = {
    "structure_function": "双层 PCB, 带 CAN 总线接口 / two-layer board with CAN bus",
    "dimensions_performance": "100x60 mm, -20~70 °C",
    "technical_requirements": "按客户图纸 CB-7X rev C",
    "process_requirements": "SMT + 三防漆 conformal coating",
    "quality_requirements": "100% 功能测试 functional test",
    "packaging_requirements": "防静电袋, 20 片/箱 anti-static bags, 20 per carton",
    "packaging_materials": "防静电袋、瓦楞纸箱",
}


def _lines_and_rates() -> None:
    for code, name in (("L1", "SMT 线 1 / SMT line 1"), ("L2", "装配线 2 / Assembly line 2")):
        if (
            db.session.scalar(db.select(ProductionLine.id).where(ProductionLine.code == code))
            is None
        ):
            db.session.add(ProductionLine(code=code, name=name))
    db.session.flush()
    line = db.session.scalar(db.select(ProductionLine).where(ProductionLine.code == "L2"))
    for product in db.session.scalars(db.select(Product)):
        if not product.rates:
            product.rates.append(ProductLineRate(line=line, hours_per_unit=Decimal("0.25")))
    db.session.flush()


def _estimates(order: Order) -> dict:
    line = db.session.scalar(db.select(ProductionLine).where(ProductionLine.code == "L1"))
    return {
        k: v
        for item in order.lines
        if item.product_id is None
        for k, v in ((f"est-{item.id}-hours", "0.8"), (f"est-{item.id}-line", str(line.id)))
    }


def _review(order: Order) -> None:
    _complete(
        order, "pmc_dispatch", "pmc.member", {"review_due": "2026-12-20", "priority": "normal"}
    )
    for step, answers in REVIEWS.items():
        _complete(
            order, step, step.replace("review_", "") + ".member", {**answers, **_estimates(order)}
        )
    _complete(
        order, "pmc_consolidate", "pmc.head", {"summary": "全部通过 All approve", "confirmed": "on"}
    )


def _orders() -> int:
    if db.session.scalar(db.select(db.func.count()).select_from(Order)):
        return 0
    sales = _user_named("sales.member")
    customers = list(db.session.scalars(db.select(Customer).order_by(Customer.id)))
    products = list(db.session.scalars(db.select(Product).order_by(Product.id)))

    def enter(customer: Customer, order_type: str, line: LineInput) -> Order:
        return orders.create_order(
            sales,
            OrderInput(
                customer_id=str(customer.id),
                customer_po=f"PO-{customer.id}-2026",
                order_type=order_type,
                requested_date="2027-01-15",
                lines=[line],
            ),
        )

    custom = LineInput(
        description="定制控制板 CB-7X / custom control board",
        quantity="50",
        unit_price="380",
        specs=SPECS,
    )
    enter(
        customers[0],
        "regular",
        LineInput(product_id=str(products[0].id), quantity="500", unit_price="45"),
    )
    second = enter(
        customers[1],
        "new",
        LineInput(product_id=str(products[1].id), quantity="200", unit_price="150"),
    )
    _complete(
        second,
        "confirm_order",
        "sales.member",
        {**INTAKE, "order_category": "new", "requirements": "IP65 sealing"},
    )
    _complete(
        second, "pmc_dispatch", "pmc.member", {"review_due": "2026-12-20", "priority": "normal"}
    )
    _complete(second, "review_engineering", "engineering.member", REVIEWS["review_engineering"])
    third = enter(customers[2], "non_standard", custom)
    _complete(
        third,
        "confirm_order",
        "sales.member",
        {**INTAKE, "order_category": "non_standard", "requirements": "CAN bus, conformal coating"},
    )
    _review(third)
    fourth = enter(customers[0], "non_standard", custom)
    _complete(
        fourth,
        "confirm_order",
        "sales.member",
        {**INTAKE, "order_category": "non_standard", "requirements": "As CB-7X"},
    )
    _review(fourth)
    _confirm_and_meet(fourth, sales)
    _plan_examples(customers, products, sales)
    return db.session.scalar(db.select(db.func.count()).select_from(Order))


def _confirm_and_meet(order: Order, sales: User) -> None:
    """Sales sends the sheet, the customer's signed scan comes back, the meeting releases it."""
    # The demo "scan" is the sheet itself, as if printed, signed and scanned back.
    scan = FileStorage(
        io.BytesIO(sheet_pdf(order, None, current_app.config["TIMEZONE"])),
        filename=f"{order.number}-signed.pdf",
    )
    _complete(order, "send_confirmation", "sales.member", {"sent_via": "scan"})
    confirmations.record_scan(order, sales, scan, "王经理", "127.0.0.1")
    _complete(
        order,
        "review_meeting",
        "pmc.head",
        {
            "meeting_date": "2026-11-20",
            "attendees": ["sales", "pmc", "engineering", "production", "quality", "warehouse"],
            "decisions": "按确认单生产, 首件确认 Build as confirmed, first article approval",
        },
    )


# Released standard orders for the production schedule: (customer, product, quantity, days
# from today to the promised date). At 0.25 h a unit on L2 (16 h a day) they fill about a month.
PLAN_EXAMPLES = (
    (1, 0, 300, 14),
    (2, 1, 400, 21),
    (0, 2, 200, 24),
    (1, 1, 600, 45),
    (0, 0, 120, 10),
    (2, 2, 80, 12),
    (2, 0, 60, 8),
)
# Production progress on them (docs/FULFILMENT.md): (step, total done, note) per example; the
# first is made in full (production complete, with the warehouse), the last not started.
PROGRESS_EXAMPLES = (
    (("cutting", "120", "首批下料 first batch cut"), ("packing", "300", "全部包装完成 all packed")),
    (("assembly", "180", "装配过半 assembly under way"),),
    (("cutting", "40", ""),),
    (),
    (("packing", "120", "全部包装完成 all packed"),),
    (("packing", "80", "全部包装完成 all packed"),),
    (("packing", "60", "全部包装完成 all packed"),),
)
# Shipments of the last three (docs/SHIPPING.md): (quantity, carrier, tracking number, received)
# per shipment; the first is delivered, the second partly shipped, the third delivered and then
# closed out by finance (so the demo has an order in every state after release).
SHIPPING_EXAMPLES = (
    ((70, "顺丰速运 SF Express", "SF1402238811", True), (50, "德邦 Deppon", "DP88230417", True)),
    ((30, "自有车辆 own truck", "", False),),
    ((60, "顺丰速运 SF Express", "SF1402239907", True),),
)


def _plan_examples(customers: list[Customer], products: list[Product], sales: User) -> None:
    today = clock.today()
    made = []
    for customer, product, quantity, days in PLAN_EXAMPLES:
        promised = (today + timedelta(days=days)).isoformat()
        order = orders.create_order(
            sales,
            OrderInput(
                customer_id=str(customers[customer].id),
                customer_po=f"PO-{customers[customer].id}-{quantity}",
                order_type="new",
                requested_date=promised,
                promised_date=promised,
                lines=[
                    LineInput(
                        product_id=str(products[product].id),
                        quantity=str(quantity),
                        unit_price="120",
                    )
                ],
            ),
        )
        intake = {**INTAKE, "order_category": "new", "requirements": "按目录规格 Catalogue spec"}
        _complete(order, "confirm_order", "sales.member", intake)
        _review(order)
        _confirm_and_meet(order, sales)
        made.append(order)
    _progress_examples(made)
    _shipping_examples(made[-len(SHIPPING_EXAMPLES) :])


def _progress_examples(made: list[Order]) -> None:
    """Production reports on the released examples: in production, and production complete."""
    from app.modules.fulfilment.services import reporting

    reporter = _user_named("production.member")
    for order, reports in zip(made, PROGRESS_EXAMPLES, strict=True):
        for step, quantity, note in reports:
            reporting.report(reporter, order.lines[0].id, step, quantity, note)
            db.session.flush()


def _shipping_examples(made: list[Order]) -> None:
    """The warehouse ships made goods; sales files the customer's signed delivery notes (here the
    delivery note itself stands in for the signed scan)."""
    from app.modules.shipping.services import note, shipping

    keeper, sales = _user_named("warehouse.member"), _user_named("sales.member")
    today = clock.today().isoformat()
    for order, shipments in zip(made, SHIPPING_EXAMPLES, strict=True):
        line = order.lines[0]
        for quantity, carrier, tracking, received in shipments:
            typed = {line.id: str(quantity)}
            sent = shipping.record_shipment(keeper, order.id, typed, carrier, tracking, today, "")
            db.session.flush()
            if received:
                scan = note.note_pdf(sent, current_app.config["TIMEZONE"])
                upload = FileStorage(
                    io.BytesIO(scan), filename=f"{sent.number}.pdf", content_type="application/pdf"
                )
                shipping.record_receipt(sales, sent.id, upload, "王建国", today)
                db.session.flush()


def seed_demo() -> list[str]:
    """Create what is missing of the demo data; running it again changes nothing."""
    lines = [f"department {key}" for key in _departments()]
    lines.append(f"{_people()} user(s) added")
    _catalogue()
    if processes.latest_version(orders.ORDER_PROCESS) is None:
        report = processes.deploy_directories(
            Path(current_app.config["WORKFLOWS_DIR"]), Path(current_app.config["FORMS_DIR"]), None
        )
        lines.extend(report.created + report.problems)
    _lines_and_rates()
    from app.modules.purchasing.services import examples as purchasing_examples

    components = purchasing_examples.seed(_user_named("warehouse.member"))
    lines.append(f"{components} component(s) with opening stock added")
    lines.append(f"{_orders()} demo order(s) added")
    from app.modules.closeout.services import examples as closeout_examples

    costed = closeout_examples.seed(_user_named("finance.member"))
    lines.append(f"{costed} close-out(s) costed")
    # Only on the first run (an order was costed now): the newest is approved, the other waits.
    closed = closeout_examples.approve_newest(_user_named("finance.head")) if costed > 1 else 0
    lines.append(f"{closed} order(s) closed")
    from app.modules.returns.services import examples as return_examples

    returned = return_examples.seed(_user_named("sales.member"))
    lines.append(f"{returned} order(s) with a demo complaint and return")
    from app.modules.quotations.services import examples as quotation_examples

    quoted = quotation_examples.seed(_user_named("sales.member"))
    lines.append(f"{quoted} demo quotation(s) added")
    return lines

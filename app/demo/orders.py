"""Demo orders in each state: entered, under review, reviewed, confirmed and released."""

import io

from flask import current_app
from werkzeug.datastructures import FileStorage, MultiDict

from app.core.tasks import completion as tasks
from app.core.tasks.models import HumanTask
from app.core.users.models import User
from app.demo.people import user_named
from app.extensions import db
from app.modules.confirmations.services import confirmations
from app.modules.confirmations.services.sheet import sheet_pdf
from app.modules.orders.models import Customer, Order, Product, ProductionLine
from app.modules.orders.services import orders
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.orders import LineInput, OrderInput

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


def complete(order: Order, spec_name: str, username: str, fields: dict) -> None:
    """Complete the order's ready task of that step as the named user, with these answers."""
    task = db.session.scalar(
        db.select(HumanTask).where(
            order_subject.about_order(HumanTask, order.id),
            HumanTask.spec_name == spec_name,
            HumanTask.state == "ready",
        )
    )
    tasks.complete_task(task.id, user_named(username), MultiDict(fields))


def confirm_intake(order: Order, category: str, requirements: str) -> None:
    """Sales confirms the order's intake checks, category and requirements."""
    fields = {**INTAKE, "order_category": category, "requirements": requirements}
    complete(order, "confirm_order", "sales.member", fields)


def _estimates(order: Order) -> dict:
    line = db.session.scalar(db.select(ProductionLine).where(ProductionLine.code == "L1"))
    return {
        k: v
        for item in order.lines
        if item.product_id is None
        for k, v in ((f"est-{item.id}-hours", "0.8"), (f"est-{item.id}-line", str(line.id)))
    }


def review(order: Order) -> None:
    """Dispatch the order to review, approve it in every department and consolidate."""
    complete(
        order, "pmc_dispatch", "pmc.member", {"review_due": "2026-12-20", "priority": "normal"}
    )
    for step, answers in REVIEWS.items():
        complete(
            order, step, step.replace("review_", "") + ".member", {**answers, **_estimates(order)}
        )
    complete(
        order, "pmc_consolidate", "pmc.head", {"summary": "全部通过 All approve", "confirmed": "on"}
    )


def in_each_state(customers: list[Customer], products: list[Product], sales: User) -> None:
    """Enter four orders: new, under review, reviewed, and confirmed and released."""

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
    confirm_intake(second, "new", "IP65 sealing")
    complete(
        second, "pmc_dispatch", "pmc.member", {"review_due": "2026-12-20", "priority": "normal"}
    )
    complete(second, "review_engineering", "engineering.member", REVIEWS["review_engineering"])
    third = enter(customers[2], "non_standard", custom)
    confirm_intake(third, "non_standard", "CAN bus, conformal coating")
    review(third)
    fourth = enter(customers[0], "non_standard", custom)
    confirm_intake(fourth, "non_standard", "As CB-7X")
    review(fourth)
    confirm_and_meet(fourth, sales)


def confirm_and_meet(order: Order, sales: User) -> None:
    """Sales sends the sheet, the customer's signed scan comes back, the meeting releases it."""
    # The demo "scan" is the sheet itself, as if printed, signed and scanned back.
    scan = FileStorage(
        io.BytesIO(sheet_pdf(order, None, current_app.config["TIMEZONE"])),
        filename=f"{order.number}-signed.pdf",
    )
    complete(order, "send_confirmation", "sales.member", {"sent_via": "scan"})
    confirmations.record_scan(order, sales, scan, "王经理", "127.0.0.1")
    complete(
        order,
        "review_meeting",
        "pmc.head",
        {
            "meeting_date": "2026-11-20",
            "attendees": ["sales", "pmc", "engineering", "production", "quality", "warehouse"],
            "decisions": "按确认单生产, 首件确认 Build as confirmed, first article approval",
        },
    )

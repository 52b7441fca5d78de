"""Demo data: departments, people, customers, products and orders in several states.

people.py adds the people and the catalogue, orders.py orders in each state up to release,
plans.py the released orders of the schedule with their progress and shipments.
"""

from pathlib import Path

from flask import current_app

from app.core.processes import versions as processes
from app.demo import orders as demo_orders
from app.demo import people, plans
from app.demo.people import user_named
from app.extensions import db
from app.modules.orders.models import Customer, Order, Product
from app.modules.orders.services import orders

# app.volume seeds its departments and people through these names.
_departments = people.departments
_people = people.people


def _orders() -> int:
    if db.session.scalar(db.select(db.func.count()).select_from(Order)):
        return 0
    sales = user_named("sales.member")
    customers = list(db.session.scalars(db.select(Customer).order_by(Customer.id)))
    products = list(db.session.scalars(db.select(Product).order_by(Product.id)))
    demo_orders.in_each_state(customers, products, sales)
    plans.plan_examples(customers, products, sales)
    return db.session.scalar(db.select(db.func.count()).select_from(Order))


def seed_demo() -> list[str]:
    """Create what is missing of the demo data; running it again changes nothing."""
    lines = [f"department {key}" for key in people.departments()]
    lines.append(f"{people.people()} user(s) added")
    people.catalogue()
    if processes.latest_version(orders.ORDER_PROCESS) is None:
        report = processes.deploy_directories(
            Path(current_app.config["WORKFLOWS_DIR"]), Path(current_app.config["FORMS_DIR"]), None
        )
        lines.extend(report.created + report.problems)
    plans.lines_and_rates()
    from app.modules.purchasing.services import examples as purchasing_examples

    components = purchasing_examples.seed(user_named("warehouse.member"))
    lines.append(f"{components} component(s) with opening stock added")
    lines.append(f"{_orders()} demo order(s) added")
    from app.modules.closeout.services import examples as closeout_examples

    costed = closeout_examples.seed(user_named("finance.member"))
    lines.append(f"{costed} close-out(s) costed")
    # Only on the first run (an order was costed now): the newest is approved, the other waits.
    closed = closeout_examples.approve_newest(user_named("finance.head")) if costed > 1 else 0
    lines.append(f"{closed} order(s) closed")
    from app.modules.returns.services import examples as return_examples

    returned = return_examples.seed(user_named("sales.member"))
    lines.append(f"{returned} order(s) with a demo complaint and return")
    from app.modules.quotations.services import examples as quotation_examples

    quoted = quotation_examples.seed(user_named("sales.member"))
    lines.append(f"{quoted} demo quotation(s) added")
    return lines

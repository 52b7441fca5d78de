"""One non-standard order through every step, a user of each department, all through the web
client: intake, review with one rejection loop, customer confirmation by link, review meeting,
standardisation into the catalogue."""

import re
from decimal import Decimal

from app.core.notifications.models import Notification
from app.core.tasks.models import HumanTask
from app.extensions import db
from app.modules.confirmations.models import Confirmation
from app.modules.orders.models import Customer, Order, Product, ProductionLine
from app.modules.orders.services import subject as order_subject

SPEC = {
    "structure_function": "两件式支架 / two-piece bracket",
    "dimensions_performance": "120x80x6 mm, 2 kN",
    "technical_requirements": "Drawing BR-7 rev B",
    "process_requirements": "Laser cut, bent, zinc plated",
    "quality_requirements": "Salt spray 48 h",
    "packaging_requirements": "50 per carton",
    "packaging_materials": "Corrugated carton",
}
REVIEWERS = ("engineering", "production", "quality", "warehouse")


class Journey:
    """Logs people in and works their inbox through the real pages."""

    def __init__(self, client, login, make_user):
        self.client, self.login = client, login
        self.people = {dept: make_user(dept) for dept in ("sales", "pmc", *REVIEWERS)}
        self.people["pmc.head"] = make_user("pmc", role="head")

    def act_as(self, who: str):
        self.login(self.people[who])
        self.client.post("/language", data={"lang": "en"})

    def task(self, order: Order, step: str) -> HumanTask:
        db.session.expire_all()
        return db.session.scalar(
            db.select(HumanTask).where(
                order_subject.about_order(HumanTask, order.id),
                HumanTask.spec_name == step,
                HumanTask.state == "ready",
            )
        )

    def complete(self, order: Order, step: str, who: str, data: dict) -> str:
        task = self.task(order, step)
        assert task is not None, f"{step} is not waiting"
        self.act_as(who)
        inbox = self.client.get("/inbox").get_data(as_text=True)
        assert order.number in inbox, f"{order.number} is not in {who}'s inbox"
        page = self.client.get(f"/tasks/{task.id}").get_data(as_text=True)
        response = self.client.post(f"/tasks/{task.id}/complete", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
        return page


def estimates(order: Order) -> dict:
    line = db.session.scalar(db.select(ProductionLine))
    return {
        f"est-{item.id}-{k}": v
        for item in order.lines
        if item.product_id is None
        for k, v in (("hours", "0.75"), ("line", str(line.id)))
    }


def planned_rates(order: Order) -> dict[int, str]:
    """The new product's hours per line: the estimate the plan uses for the item."""
    db.session.expire_all()
    estimate = db.session.get(Order, order.id).lines[0].planned_estimate
    return {estimate.line.id: f"{estimate.hours_per_unit.normalize():f}"}


def review_round(j: Journey, order: Order, engineering: dict) -> None:
    j.complete(
        order,
        "pmc_dispatch",
        "pmc",
        {"review_due": "2027-01-10", "priority": "high", "priority_note": "Key customer"},
    )
    j.complete(
        order,
        "review_engineering",
        "engineering",
        {"technical_risk": "medium", **engineering, **estimates(order)},
    )
    j.complete(
        order,
        "review_production",
        "production",
        {"decision": "approve", **estimates(order)},
    )
    j.complete(
        order,
        "review_quality",
        "quality",
        {
            "decision": "approve_with_conditions",
            "conditions": "First article approval",
            "quality_requirements": "Salt spray 48 h",
            "inspection_plan": "final",
        },
    )
    j.complete(
        order,
        "review_warehouse",
        "warehouse",
        {"decision": "approve", "materials_status": "in_stock"},
    )
    j.complete(order, "pmc_consolidate", "pmc.head", {"summary": "Consolidated", "confirmed": "on"})


def test_non_standard_order_from_intake_to_standardisation(app, client, login, make_user):
    db.session.add_all(
        [
            Customer(name="Nordic Pumps AB", contact="Erik", address="Västerås"),
            ProductionLine(code="L1", name="Line 1"),
        ]
    )
    db.session.commit()
    j = Journey(client, login, make_user)
    customer = db.session.scalar(db.select(Customer))

    # 1. Sales enters the order with the full specification of the non-standard item.
    j.act_as("sales")
    form = {
        "customer_id": str(customer.id),
        "order_type": "non_standard",
        "currency": "EUR",
        "requested_date": "2027-02-01",
        "lines-0-description": "Custom bracket BR-7",
        "lines-0-quantity": "400",
        "lines-0-unit_price": "3.2",
        **{f"lines-0-{k}": v for k, v in SPEC.items()},
    }
    assert client.post("/orders/new", data=form).status_code == 302
    order = db.session.scalar(db.select(Order))
    j.complete(
        order,
        "confirm_order",
        "sales",
        {
            "packaging_confirmed": "on",
            "structure_confirmed": "on",
            "dimensions_confirmed": "on",
            "order_category": "non_standard",
            "requirements": "Salt spray 48 h",
        },
    )

    # 2. Full review; engineering rejects; sales sees every answer in one view and revises.
    review_round(j, order, {"decision": "reject", "comments": "Bend radius too tight for 6 mm"})
    task = j.task(order, "sales_revise")
    j.act_as("sales")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    for text in ("Bend radius too tight for 6 mm", "First article approval", "Reject"):
        assert text in page
    changed = {
        **form,
        "lines-0-dimensions_performance": "120x80x5 mm, 2 kN",
        "reason": "Thickness 5 mm as agreed with Erik",
    }
    assert client.post(f"/orders/{order.id}/edit", data=changed).status_code == 302
    j.complete(
        order, "sales_revise", "sales", {"action": "resubmit", "changes_made": "Thickness 5 mm"}
    )
    db.session.expire_all()
    assert db.session.get(Order, order.id).revision == 2

    # 3. Second round: everyone approves (quality with a condition).
    review_round(j, order, {"decision": "approve"})
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "awaiting_customer"

    # 4. Sales makes the link and sends it; the customer confirms without an account.
    j.act_as("sales")
    page = client.post(f"/orders/{order.id}/confirmation/link").get_data(as_text=True)
    url = re.search(r'id="confirm-url" readonly value="([^"]+)"', page).group(1)
    path = url.split("localhost", 1)[1]
    with client.get(f"/orders/{order.id}/confirmation.pdf") as pdf:
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    j.complete(order, "send_confirmation", "sales", {"sent_via": "link"})
    customer_client = app.test_client()
    shown = customer_client.get(path).get_data(as_text=True)
    assert order.number in shown and "Custom bracket BR-7" in shown
    done = customer_client.post(
        path,
        data={"signer_name": "Erik Lund", "agree": "1"},
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )
    assert done.status_code == 200
    confirmation = db.session.scalar(db.select(Confirmation))
    assert confirmation.signer_name == "Erik Lund" and confirmation.ip == "203.0.113.7"
    assert (
        confirmation.revision == 2
        and confirmation.revision_hash == order.revisions[-1].content_hash
    )
    again = customer_client.post(path, data={"signer_name": "Erik Lund", "agree": "1"})
    assert again.status_code == 410

    # 5. Product review meeting; every department hears the order is released.
    j.complete(
        order,
        "review_meeting",
        "pmc.head",
        {
            "meeting_date": "2027-01-12",
            "attendees": ["sales", "pmc", "engineering", "production", "quality", "warehouse"],
            "decisions": "Build at 5 mm; first article to quality",
            "minutes": "All present",
        },
    )
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "released"
    told = db.session.scalars(
        db.select(Notification.user_id).where(order_subject.about_order(Notification, order.id))
    ).all()
    assert {p.id for p in j.people.values()} <= set(told)

    # 6. Engineering turns the non-standard item into a catalogue product.
    j.complete(
        order,
        "standardise_item",
        "engineering",
        {
            "make_standard": "on",
            "code": "BR-7-5",
            "name": "Bracket BR-7 5 mm",
            "standard_cost": "2.1",
            **{f"rate-{line_id}": hours for line_id, hours in planned_rates(order).items()},
        },
    )
    product = db.session.scalar(db.select(Product).where(Product.code == "BR-7-5"))
    assert [(r.line.code, r.hours_per_unit) for r in product.rates] == [("L1", Decimal("0.75"))]
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.lines[0].standard_product_id == product.id
    # The lifecycle ends here; the order's fulfilment (started on release) runs on.
    by_kind = {instance.kind: instance.status for instance in order.instances}
    assert by_kind == {"order_lifecycle": "completed", "fulfilment": "running"}

"""Driving real processes through the app's own services: complete open steps as their owners."""

from datetime import timedelta
from random import Random

from werkzeug.datastructures import MultiDict

from app.core.clock import utcnow
from app.core.tasks import completion as tasks
from app.core.tasks.models import HumanTask
from app.core.users.models import User
from app.extensions import db
from app.modules.confirmations.services import confirmations
from app.modules.orders import hooks as order_hooks
from app.modules.orders.models import Order, ProductionLine
from app.modules.orders.services import subject as order_subject
from app.modules.rush.services import rush

INTAKE = {
    "packaging_confirmed": "on",
    "structure_confirmed": "on",
    "dimensions_confirmed": "on",
    "requirements": "按客户图纸及规格 As drawing and specification",
}
ANSWERS = {
    "pmc_dispatch": {"review_due": "", "priority": "normal"},
    "pmc_check": {"decision": "approve", "comments": "库存充足 Stock available"},
    "review_engineering": {"decision": "approve", "technical_risk": "low"},
    "review_production": {"decision": "approve"},
    "review_quality": {
        "decision": "approve_with_conditions",
        "quality_requirements": "AQL 1.0",
        "inspection_plan": "final",
        "conditions": "首件确认 First article approval",
    },
    "review_warehouse": {"decision": "approve", "materials_status": "in_stock"},
    "pmc_consolidate": {"summary": "各部门通过 All departments approve", "confirmed": "on"},
    "sales_revise": {"action": "resubmit", "changes_made": "按评审意见修改 Revised as reviewed"},
    "send_confirmation": {"sent_via": "link", "notes": ""},
    "review_meeting": {
        "meeting_date": "",
        "attendees": ["sales", "pmc", "engineering", "production", "quality", "warehouse"],
        "decisions": "按确认书生产 Build as confirmed",
        "minutes": "评审通过 Approved",
    },
    "standardise_item": {"reason": "一次性定制 One-off item"},
}
REJECT = {"decision": "reject", "comments": "交期无法满足 Delivery date not feasible"}


class Driver:
    """Completes the open steps of orders and requests as a member or head of each department."""

    def __init__(self, rng: Random):
        self.rng = rng
        self.people: dict[tuple[int, bool], User] = {}
        for user in db.session.scalars(db.select(User).where(User.department_id.is_not(None))):
            self.people.setdefault((user.department_id, user.role == "head"), user)
        self.line = db.session.scalar(db.select(ProductionLine).order_by(ProductionLine.id))

    def actor(self, task: HumanTask) -> User:
        """A user of the task's department allowed to do it (the head for head steps)."""
        head = task.role == "head"
        user = self.people.get((task.department_id, head)) or self.people.get(
            (task.department_id, True)
        )
        if user is None:
            raise RuntimeError(f"nobody in department {task.department_id} for {task.spec_name}")
        return user

    def open_tasks(self, order: Order, spec_name: str | None = None) -> list[HumanTask]:
        """The ready inbox rows of an order (optionally of one step), oldest first."""
        stmt = db.select(HumanTask).where(
            order_subject.about_order(HumanTask, order.id), HumanTask.state == "ready"
        )
        if spec_name:
            stmt = stmt.where(HumanTask.spec_name == spec_name)
        return list(db.session.scalars(stmt.order_by(HumanTask.id)))

    def answers(self, task: HumanTask, overrides: dict | None = None) -> MultiDict:
        """A valid submission for the step, with per-line estimates where the step asks for them."""
        name = task.spec_name
        if name == "confirm_order":
            data = {**INTAKE, "order_category": order_subject.order_of(task).order_type}
        elif name.startswith("change_review_"):
            data = {"opinion": "approve", "delivery_impact_days": "0", "comments": ""}
        elif name in rush.DECISION_STEPS:
            request = rush.for_instance(task.instance_id)
            base_fingerprint = rush.live(request).preview.base_fingerprint
            data = {rush.DECISION_STEPS[name]: "approve", "base_fingerprint": base_fingerprint}
        elif name.startswith("manager_approval_") or name == "gm_approval":
            data = {"decision": "approve", "reason": "", "notes": ""}
        else:
            data = dict(ANSWERS.get(name, {}))
        if name == "pmc_dispatch":
            data["review_due"] = (utcnow() + timedelta(days=5)).date().isoformat()
        if name == "review_meeting":
            data["meeting_date"] = utcnow().date().isoformat()
        if name in order_hooks.ESTIMATING_STEPS:
            order = order_subject.order_of(task)
            line_id = self.line_for(order)
            for item in order_hooks.nonstandard_lines(order):
                hours = f"{self.rng.uniform(0.1, 2.5):.2f}"
                data[f"est-{item.id}-hours"] = hours
                data[f"est-{item.id}-line"] = str(line_id)
        data.update(overrides or {})
        form = MultiDict()
        for key, value in data.items():
            for one in value if isinstance(value, list) else [value]:
                form.add(key, one)
        return form

    def line_for(self, order: Order) -> int:
        """A line that makes the order's catalogue items, so the whole order can be planned."""
        common: set[int] | None = None
        for item in order.lines:
            if item.product is not None:
                lines = {rate.line_id for rate in item.product.rates}
                common = lines if common is None else common & lines
        return min(common) if common else self.line.id

    def complete(self, task: HumanTask, overrides: dict | None = None) -> None:
        """Complete one task through the task service, as its department would."""
        tasks.complete_task(task.id, self.actor(task), self.answers(task, overrides))

    def step(self, order: Order, spec_name: str, overrides: dict | None = None) -> None:
        """Complete every open task of one step of the order."""
        found = self.open_tasks(order, spec_name)
        if not found:
            raise RuntimeError(f"{order.number}: {spec_name} is not open")
        for task in found:
            self.complete(task, overrides)

    def finish_instance(self, instance_id: int, limit: int = 20) -> None:
        """Complete the instance's open steps with approving answers until none is left."""
        for _ in range(limit):
            task = db.session.scalar(
                db.select(HumanTask)
                .where(HumanTask.instance_id == instance_id, HumanTask.state == "ready")
                .order_by(HumanTask.id)
            )
            if task is None:
                return
            self.complete(task)

    def confirm_by_customer(self, order: Order, sales: User, signer: str) -> None:
        """The customer signs through the link (the message moves the process on)."""
        token = confirmations.issue_link(order, sales)
        confirmations.confirm_with_link(token, signer, True, "203.0.113.7", "volume-seed")

    def review(self, order: Order, reject_in: str | None = None) -> None:
        """PMC dispatch, the four reviews (one may reject), PMC head consolidation."""
        self.step(order, "pmc_dispatch")
        for step in ("review_engineering", "review_production", "review_quality"):
            self.step(order, step, REJECT if step == reject_in else None)
        self.step(order, "review_warehouse")
        self.step(order, "pmc_consolidate")

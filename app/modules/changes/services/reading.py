"""What readers see of change requests: an order's change history, the counts for the
reports, and one change as a reader may see it (its diff, the reviews, the plan effect)."""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from app.core import clock
from app.core.tasks.models import HumanTask
from app.core.users import permissions
from app.core.users.models import User
from app.extensions import db
from app.modules.changes.models import ChangeRequest
from app.modules.changes.services import route as change_route
from app.modules.orders.models import Order
from app.modules.orders.services.order_input import LineInput, OrderInput, check_order

if TYPE_CHECKING:
    from app.modules.changes.services.effect import ChangeEffect


def changes_of(order: Order) -> list[ChangeRequest]:
    """The order's change history, newest first."""
    return list(
        db.session.scalars(
            db.select(ChangeRequest)
            .where(ChangeRequest.order_id == order.id)
            .order_by(ChangeRequest.id.desc())
        )
    )


# The counts cover this many factory months, the current one included.
COUNT_MONTHS = 12


def counts(since: datetime | None = None) -> dict:
    """Change requests raised from `since` on (default: the last COUNT_MONTHS factory months)
    counted per customer and per reason, by status, for the reports. It counted every change
    ever raised, so the approvals page grew with the factory's history (issue 14). "since"
    and "months" say what they cover."""
    from app.modules.orders.models import Customer

    since = since if since is not None else clock.month_start(COUNT_MONTHS - 1)
    recent = ChangeRequest.raised_at >= since
    by_customer = db.session.execute(
        db.select(Customer.name, ChangeRequest.status, db.func.count())
        .join(Order, Order.id == ChangeRequest.order_id)
        .join(Customer, Customer.id == Order.customer_id)
        .where(recent)
        .group_by(Customer.name, ChangeRequest.status)
        .order_by(Customer.name)
    ).all()
    by_reason = db.session.execute(
        db.select(ChangeRequest.reason_category, ChangeRequest.status, db.func.count())
        .where(recent)
        .group_by(ChangeRequest.reason_category, ChangeRequest.status)
    ).all()
    return {
        "customer": [tuple(r) for r in by_customer],
        "reason": [tuple(r) for r in by_reason],
        "since": since,
        "months": COUNT_MONTHS,
    }


@dataclass(frozen=True)
class Review:
    """A department's completed review of a change: its task and what the reviewer answered."""

    task: HumanTask
    answers: dict

    @property
    def delivery_impact_days(self) -> int:
        """The delay the reviewer expects, in working days (0 when none was given)."""
        return int(self.answers.get("delivery_impact_days") or 0)


@dataclass(frozen=True)
class ChangeView:
    """What a change's diff shows one reader: the rows, the reviews and the plan effect."""

    change: ChangeRequest
    rows: list[dict]  # diff rows this reader may see (prices only for those who see them)
    reviews: list[Review]
    impact_days: int  # the largest delay a review reported
    plan_effect: "ChangeEffect | None" = None  # while open: the effect on the plan as it is
    plan_problem: str | None = None  # why the plan effect could not be computed
    value: change_route.ValueChange | None = None  # the value before and after (price readers)
    route: change_route.ChangeRoute | None = (
        None  # who approves it, who is next, why the GM is in it
    )

    def as_context(self) -> dict:
        """The template context of changes/_diff.html and changes/_route.html."""
        return {
            "change": self.change,
            "rows": self.rows,
            "reviews": self.reviews,
            "impact_days": self.impact_days,
            "plan_effect": self.plan_effect,
            "plan_problem": self.plan_problem,
            "value": self.value,
            "route": self.route,
        }


def reviews_of(change: ChangeRequest) -> list[Review]:
    """The departments' completed reviews of the change, in the order they were done."""
    tasks = db.session.scalars(
        db.select(HumanTask)
        .where(
            HumanTask.instance_id == change.instance_id,
            HumanTask.state == "completed",
            HumanTask.spec_name.like("change_review_%"),
        )
        .order_by(HumanTask.id)
    )
    return [Review(task, json.loads(task.data or "{}")) for task in tasks]


def view(change: ChangeRequest, viewer: User) -> ChangeView:
    """What a diff view shows this reader: the rows, the opinions and the delivery effect."""
    reviews = reviews_of(change)
    effect, problem = None, None
    if change.status == "open":
        from app.modules.schedule.services import plan

        effect, problem = plan.attempt(lambda: _plan_effect(change))
    return ChangeView(
        change=change,
        rows=permissions.visible_rows(viewer, json.loads(change.diff)),
        reviews=reviews,
        impact_days=max((review.delivery_impact_days for review in reviews), default=0),
        plan_effect=effect,
        plan_problem=problem,
        value=change_route.value_change(change) if permissions.can_see_prices(viewer) else None,
        route=change_route.route_of(change, viewer),
    )


def _plan_effect(change: ChangeRequest) -> "ChangeEffect | None":
    """The change's effect on the production plan as it is now (None if it cannot be told)."""
    from app.modules.changes.services import effect as change_effect

    draft = json.loads(change.draft)
    draft["lines"] = [LineInput(**line) for line in draft["lines"]]
    checked, errors = check_order(OrderInput(**draft))
    if errors:
        return None
    return change_effect.effect_of_change(change.order, checked.lines, checked.promised_date)

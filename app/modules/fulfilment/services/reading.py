"""What the progress pages read: the order's progress against the plan, its reports, and who
may report or correct."""

from __future__ import annotations

from app.core.users import permissions
from app.core.users.models import User
from app.extensions import db
from app.modules.fulfilment.models import ProgressReport
from app.modules.fulfilment.services import lateness, tracking
from app.modules.orders.models import IN_PLAN_STATUSES, Order
from app.modules.schedule.services import plan


def order_of_report(report_id: int) -> int | None:
    """The order a report belongs to, or None if there is no such report."""
    return db.session.scalar(
        db.select(ProgressReport.order_id).where(ProgressReport.id == report_id)
    )


def progress_page(order: Order, viewer: User) -> dict:
    """Everything the progress page shows about `order` for `viewer`."""
    job, problem = None, None
    if order.status in IN_PLAN_STATUSES:
        job, problem = plan.attempt(lambda: plan.planned(order))
    reports = tracking.reports_of(order.id)
    correctable = (
        tracking.latest_report_ids(order.id) if order.status in IN_PLAN_STATUSES else set()
    )
    return {
        "order": order,
        "progress": tracking.progress_of(order, job),
        "plan_problem": problem,
        "late_flag": lateness.flag_of(order.id),
        "reports": reports,
        "may_report": order.status in IN_PLAN_STATUSES and permissions.may_report_progress(viewer),
        "correctable": {
            r.id
            for r in reports
            if r.id in correctable
            and permissions.may_correct_report(
                viewer, r.reported_by.department_id if r.reported_by else None
            )
        },
    }

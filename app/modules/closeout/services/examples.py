"""Demo data for close-out (`flask seed-demo`): labour and machine rates on every production
line, and the delivered demo orders costed by finance, waiting for the finance head's approval."""

from datetime import date
from decimal import Decimal

from werkzeug.datastructures import MultiDict

from app.core.tasks import completion
from app.core.tasks.models import HumanTask
from app.core.users.models import User
from app.extensions import db
from app.modules.closeout.models import CostRate
from app.modules.closeout.services import costing, process, rates
from app.modules.orders.services import subject as order_subject

DEMO_RATES = {"L1": ("45.00", "60.00"), "L2": ("38.50", "22.00")}  # labour, machine CNY/h
DEFAULT_RATES = ("40.00", "25.00")


def seed(finance: User) -> int:
    """Rates where a line has none, then the costing of every delivered order whose close-out
    waits for it; returns how many orders were costed. Running it again changes nothing."""
    for item in rates.current():
        if item.rate is None:
            labour, machine = DEMO_RATES.get(item.line.code, DEFAULT_RATES)
            db.session.add(
                CostRate(
                    line_id=item.line.id,
                    labour_rate=Decimal(labour),
                    machine_rate=Decimal(machine),
                    valid_from=date(2026, 1, 1),
                    note="demo",
                    set_by_id=finance.id,
                )
            )
    db.session.flush()
    costed = 0
    for task in db.session.scalars(
        db.select(HumanTask)
        .where(HumanTask.spec_name == process.COSTING_STEP, HumanTask.state == "ready")
        .order_by(HumanTask.id)
    ):
        order = order_subject.order_of(task)
        if order is None:
            continue
        data = {"notes": "演示 demo"}
        for item in order.lines:
            line = costing.default_line(item) or rates.production_lines()[0]
            k = f"co-{item.id}-"
            hours = (item.quantity / 4).quantize(Decimal("0.01"))
            data.update(
                {
                    k + "line": str(line.id),
                    k + "material": str(
                        (item.quantity * item.unit_price * Decimal("0.35")).quantize(
                            Decimal("0.01")
                        )
                    ),
                    k + "labour_hours": str(hours),
                    k + "machine_hours": str((hours / 2).quantize(Decimal("0.01"))),
                    k + "other": "120.00",
                }
            )
        if order.currency != "CNY":
            data["co-exchange_rate"] = str(order.exchange_rate or "7.1")
        completion.complete_task(task.id, finance, MultiDict(data))
        costed += 1
    return costed


def approve_newest(head: User) -> int:
    """The finance head approves the newest costed close-out, so the demo has a closed order;
    returns how many were approved (0 when there is none waiting, or on a second run)."""
    task = db.session.scalar(
        db.select(HumanTask)
        .where(HumanTask.spec_name == "closeout_approval_finance", HumanTask.state == "ready")
        .order_by(HumanTask.id.desc())
        .limit(1)
    )
    if task is None:
        return 0
    answers = {"decision": "approve", "notes": "演示 demo"}
    completion.complete_task(task.id, head, MultiDict(answers))
    return 1

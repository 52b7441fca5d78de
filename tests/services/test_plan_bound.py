"""The production plan reads open work only (issue 12): its statements and the rows it loads do
not change with finished history, and do not grow with the number of open orders either."""

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert

from app.core import clock
from app.extensions import db
from app.modules.orders.models import Order, OrderLine
from app.modules.schedule.services import plan
from tests.statements import counted


def _measure() -> tuple[int, int, str]:
    """Statements and rows of computing the plan on a cold session, and its fingerprint (a
    start day given computes it from the database, as a stale stored plan is)."""
    db.session.expire_all()
    with counted() as seen:
        state = plan.current(start=clock.today())
    return seen.statements, seen.rows, state.fingerprint


# Every status an order leaves the plan with: made, shipped, delivered, closed or cancelled.
_FINISHED = ("production_complete", "partly_shipped", "shipped", "delivered", "closed", "cancelled")


def _finished_history(count: int) -> None:
    """`count` orders finished long ago, in every status after production, bulk-written as
    seed-volume writes history."""
    customer_id, owner_id = db.session.execute(
        db.select(Order.customer_id, Order.created_by_id).order_by(Order.id).limit(1)
    ).one()
    product_id = db.session.scalar(db.select(OrderLine.product_id).order_by(OrderLine.id).limit(1))
    first = date(2026, 1, 5)
    orders = [
        {
            "number": f"SO-2026-H{n:05d}",
            "customer_id": customer_id,
            "status": _FINISHED[n % len(_FINISHED)],
            "promised_date": first + timedelta(days=n % 300),
            "created_by_id": owner_id,
        }
        for n in range(count)
    ]
    db.session.execute(insert(Order), orders)
    ids = db.session.scalars(
        db.select(Order.id).where(Order.number.like("SO-2026-H%")).order_by(Order.id)
    ).all()
    db.session.execute(
        insert(OrderLine),
        [
            {
                "order_id": order_id,
                "position": 1,
                "product_id": product_id,
                "quantity": Decimal(40),
                "quantity_done": Decimal(40),
                "unit_price": Decimal(5),
            }
            for order_id in ids
        ],
    )
    db.session.commit()


def test_finished_history_leaves_the_plans_statements_and_rows_unchanged(plan_world):
    for n in range(6):
        plan_world.order(f"SO-OPEN-{n}", 10 + n, f"2027-04-{n + 1:02d}", {"L1": "1", "L2": "2"})
    before = _measure()
    _finished_history(10_000)
    after = _measure()
    assert after == before
    statements, rows, _ = after
    assert statements <= 12 and rows < 60


def test_the_plan_runs_no_statement_per_order(plan_world):
    for n in range(3):
        plan_world.order(f"SO-A-{n}", 10, "2027-04-01")
    few, few_rows, _ = _measure()
    for n in range(3, 40):
        plan_world.order(f"SO-A-{n}", 10, "2027-04-01")
    many, many_rows, _ = _measure()
    assert many == few
    assert many_rows > few_rows  # the open orders themselves are read, nothing else grows


def test_the_plan_counts_only_the_remaining_hours(plan_world):
    # 100 units at 1 h on L1: 40 done leave 100 x (1 - 40/100) = 60 h, 7.5 days of 8 h.
    order = plan_world.order("SO-R-1", 100, "2027-06-01", {"L1": "1"})
    order.lines[0].quantity_done = Decimal(40)
    db.session.commit()
    job = plan.current().schedule.job(order.id)
    assert job.hours == 60
    assert (job.start, job.finish) == (date(2027, 3, 1), date(2027, 3, 10))


def test_a_line_made_in_full_needs_no_hours_and_no_capable_line(plan_world):
    # Line 1: 10 units x 2 h (L1) / 3 h (L2), 5 done -> 10 h on L1, 15 h on L2.
    # Line 2: 4 units x 1 h (L2 only), all 4 done -> no hours, and L1 may make the order again.
    order = plan_world.order("SO-R-2", 10, "2027-06-01", {"L1": "2", "L2": "3"})
    order.lines.append(
        OrderLine(
            position=2,
            product=plan_world.product({"L2": "1"}),
            quantity=Decimal(4),
            quantity_done=Decimal(4),
            unit_price=Decimal(1),
        )
    )
    order.lines[0].quantity_done = Decimal(5)
    db.session.commit()
    state = plan.current()
    job = next(job for job in state.jobs if job.order_id == order.id)
    assert job.hours_by_line == {"L1": 10.0, "L2": 15.0}
    assert state.schedule.job(order.id).line == "L1"


def test_an_order_made_in_full_or_finished_leaves_the_plan(plan_world):
    made = plan_world.order("SO-M-1", 5, "2027-04-01")
    made.lines[0].quantity_done = Decimal(5)  # status not moved on yet: nothing left to plan
    finished = plan_world.order("SO-M-2", 5, "2027-04-01", status="production_complete")
    running = plan_world.order("SO-M-3", 5, "2027-04-01", status="in_production")
    db.session.commit()
    state = plan.current()
    assert set(state.orders) == {running.id}
    assert not state.unplanned
    assert plan.place_of(finished) == (None, None)


def test_seed_volumes_finished_history_leaves_the_plan_unchanged(app):
    """`flask seed-volume` history (made in full) is what the plan must never read; 10,000 such
    orders are timed by bench/plan_history.py, the suite adds a representative 400."""
    runner = app.test_cli_runner()
    seeded = runner.invoke(args=["seed-volume", "--orders", "60", "--seed", "5"])
    assert seeded.exit_code == 0, seeded.output
    open_orders = db.session.scalar(
        db.select(db.func.count()).where(Order.status.in_(("released", "in_production")))
    )
    assert open_orders >= 3
    before = _measure()
    history = runner.invoke(args=["seed-volume", "--orders", "400", "--finished-only"])
    assert history.exit_code == 0, history.output
    finished = db.session.scalar(
        db.select(db.func.count()).where(Order.status == "production_complete")
    )
    assert finished >= 300
    assert _measure() == before

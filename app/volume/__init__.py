"""`flask seed-volume`: a year of a busy factory's orders, for testing pages at volume.

Finished orders are bulk-written in the exact shapes of lifecycles that really ran through the
services, one run for each shape of life (app/volume/capture.py, app/volume/history.py); open
orders, change and rush requests are made through the services (app/volume/live.py), so their
tasks work. Running it again adds more.
"""

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from random import Random

from app.core.clock import utcnow
from app.core.users.models import User
from app.extensions import db
from app.modules.orders.models import RELEASED_STATUSES, Order
from app.modules.orders.services import orders
from app.volume import capture, history, live, shapes

HISTORY_BATCH = 500
LIVE_BATCH = 10


def plan(total: int, finished_only: bool = False) -> dict[str, int]:
    """How many orders of each kind make up `total` (all finished history with `finished_only`)."""
    templates = 4
    if finished_only:
        return {"templates": templates, "history": max(total - templates, 0), "open": 0,
                "changes": 0, "rushes": 0}  # fmt: skip
    open_orders = min(max(len(live.STAGES), total * 6 // 100), max(total - templates, 0))
    return {
        "templates": templates,
        "history": max(total - templates - open_orders, 0),
        "open": open_orders,
        "changes": max(2, total // 150),
        "rushes": min(3, max(1, total // 1000)),
    }


def _prerequisites() -> User:
    """Departments, demo people and the deployed processes (as `seed-demo` makes them)."""
    from pathlib import Path

    from flask import current_app

    from app import demo
    from app.core.processes import versions as processes
    from app.modules.orders.services import orders

    demo._departments()
    demo._people()
    if processes.latest_version(orders.ORDER_PROCESS) is None:
        processes.deploy_directories(
            Path(current_app.config["WORKFLOWS_DIR"]), Path(current_app.config["FORMS_DIR"]), None
        )
    return db.session.scalar(db.select(User).where(User.username == "sales.member"))


def seed_volume(
    total: int,
    seed: int | None = None,
    finished_only: bool = False,
    to_make: int | None = None,
    line_count: int = len(shapes.LINES),
) -> Iterator[tuple[str, int]]:
    """Create `total` orders; yields (what, how many done) after each unit worth a commit.

    `finished_only`: nothing open is added, only history whose production is complete (the
    released templates too): what the production plan must never read (docs/FULFILMENT.md).
    `to_make`: how many of the newest history orders production has not made yet (default: one
    in 50, at least 6); those that were released are the plan's work. `line_count`: production
    lines (4 named ones, then L5, L6, ...).
    """
    rng = Random(seed)
    counts = plan(total, finished_only)
    sales = _prerequisites()
    lines = shapes.ensure_lines(line_count)
    customers = [_ref(c) for c in shapes.make_customers(max(10, total // 20), rng)]
    products = [_ref(p) for p in shapes.make_products(max(20, total // 25), lines, rng)]
    runner = live.Live(rng, sales)
    made = live.template_orders(runner, customers[0], products)
    templates = Templates(runner)
    for kind, order in made.items():
        templates.add(kind, order)
        if finished_only:
            history.mark_made(order)
    yield "templates", len(made)
    still_open = 0 if finished_only else max(6, counts["history"] // 50)
    if to_make is not None and not finished_only:
        still_open = min(to_make, counts["history"])
    yield from _history(
        counts["history"], rng, customers, products, templates, sales.id, still_open
    )
    yield from _open(counts["open"], runner, customers, products)
    yield from _requests(counts, runner)


def _ref(row) -> shapes.Ref:
    return shapes.Ref(
        row.id,
        getattr(row, "name", ""),
        getattr(row, "code", ""),
        getattr(row, "contact", ""),
        tuple(rate.line_id for rate in getattr(row, "rates", ())),
    )


class Templates:
    """One captured real run per shape of life (capture.shape_of), made when first needed."""

    def __init__(self, runner: live.Live):
        self.runner = runner
        self.by_shape: dict[tuple, capture.Template] = {}

    def add(self, kind: str, order: Order) -> None:
        """Capture the finished lifecycle of `order`, which lived the life `kind`."""
        custom = sum(1 for line in order.lines if line.product_id is None)
        shape = capture.shape_of(kind, order.order_type, custom)
        self.by_shape[shape] = capture.capture(order, kind == "revised")

    def give(self, item: history.HistoricOrder) -> bool:
        """Give the order its shape's template; False when there was none yet and the order
        was made for real instead (through the services), becoming the template."""
        item.template = self.by_shape.get(item.shape)
        if item.template is not None:
            return True
        order = self.runner.enter(item.customer, item.order_type, item.lines)
        live.run_life(self.runner, order, item.kind)
        self.add(item.kind, order)
        if item.made:
            history.mark_made(order)
        return False


def _history(
    count, rng, customers, products, templates: Templates, sales_id, still_open
) -> Iterator[tuple[str, int]]:
    """Finished orders spread over the past year, numbered in date order per year: released
    ones were made in full (production_complete), except the newest `still_open`, still to make."""
    now = utcnow()
    moments = sorted(shapes.past_moment(rng, now, 365) for _ in range(count))
    # Taken from the same counters the app numbers orders with, so neither reuses a number.
    per_year = Counter(moment.year for moment in moments)
    numbers = {year: iter(orders.reserve_order_numbers(year, n)) for year, n in per_year.items()}
    writer = history.HistoryWriter(rng, now)
    batch: list[history.HistoricOrder] = []
    for done, created in enumerate(moments, start=1):
        number = next(numbers[created.year])
        item = _historic(rng, customers, products, sales_id, number, created)
        item.made = done <= count - still_open
        batch.append(item)
        if len(batch) == HISTORY_BATCH or done == count:
            # The first order of a new shape runs for real before the batch takes its ids.
            writer.write([item for item in batch if templates.give(item)])
            batch = []
            yield "history", done


def _historic(rng, customers, products, sales_id, number, created) -> history.HistoricOrder:
    """One finished order: mostly released, some revised on the way, some cancelled."""
    roll = rng.random()
    if roll < 0.10:
        kind, order_type = "cancelled", rng.choice(("new", "non_standard"))
    elif roll < 0.22:
        kind, order_type = "revised", rng.choice(("new", "non_standard"))
    elif roll < 0.55:
        kind, order_type = "short", "regular"
    else:
        kind, order_type = "full", rng.choice(("new", "non_standard"))
    lines = shapes.line_shapes(rng, products, nonstandard=order_type == "non_standard")
    return history.HistoricOrder(
        number=number,
        customer=rng.choice(customers),
        order_type=order_type,
        lines=lines,
        created_at=created,
        kind=kind,
        sales_id=sales_id,
    )


def _open(count, runner: live.Live, customers, products) -> Iterator[tuple[str, int]]:
    """Orders in every open step, entered in the last weeks, through the services."""
    rng = runner.rng
    repeat = _released_customers(customers)
    for done in range(1, count + 1):
        stage = live.STAGES[(done - 1) % len(live.STAGES)]
        if stage == "pmc_check":
            customer, order_type, custom = rng.choice(repeat or customers), "regular", False
        else:
            kinds = (
                ("regular", "new", "non_standard") if stage == "intake" else ("new", "non_standard")
            )
            order_type = rng.choice(kinds)
            custom = stage == "standardising" or order_type == "non_standard"
            customer = rng.choice(customers)
            order_type = "non_standard" if custom else order_type
        order = runner.enter(customer, order_type, shapes.line_shapes(rng, products, custom))
        runner.walk(order, stage)
        order.created_at = utcnow() - timedelta(days=rng.uniform(0, 21))
        if done % LIVE_BATCH == 0 or done == count:
            yield "open", done


def _released_customers(customers: list[shapes.Ref]) -> list[shapes.Ref]:
    released = Order.status.in_(RELEASED_STATUSES)
    ids = set(db.session.scalars(db.select(Order.customer_id).where(released)))
    return [c for c in customers if c.id in ids]


def _requests(counts: dict[str, int], runner: live.Live) -> Iterator[tuple[str, int]]:
    """Change requests (a third approved and applied) and rush requests on released orders."""
    taken = db.select(Order.id).where(Order.status == "released").order_by(Order.id.desc())
    candidates = list(db.session.scalars(taken.limit(counts["changes"] + counts["rushes"])))
    for n, order_id in enumerate(candidates[: counts["changes"]], start=1):
        runner.change(db.session.get(Order, order_id), approve=n % 3 == 0)
        yield "changes", n
    for n, order_id in enumerate(candidates[counts["changes"] :], start=1):
        runner.rush(db.session.get(Order, order_id), approve=n == 1)
        yield "rushes", n

"""seed-volume's finished history: a bulk-written order's engine state is the one a real run of
the same order stores, its audit rows are sealed, and a batch costs the same statements
whatever its size."""

from datetime import timedelta
from decimal import Decimal
from random import Random

from app.core.audit import chain
from app.core.clock import utcnow
from app.core.processes import versions as processes
from app.core.tasks.models import HumanTask, ProcessInstance
from app.engine.state import load_state
from app.extensions import db
from app.modules.confirmations.models import Confirmation
from app.modules.orders.models import Order
from app.modules.orders.services.lifecycle import lifecycle_of
from app.volume import Templates, _prerequisites, _ref, history, live, shapes
from tests.statements import counted

DATES = ("review_due", "meeting_date", "event_value")


def _setup(seed: int):
    rng = Random(seed)
    sales = _prerequisites()
    lines = shapes.ensure_lines()
    customers = [_ref(c) for c in shapes.make_customers(3, rng)]
    products = [_ref(p) for p in shapes.make_products(6, lines, rng)]
    return rng, sales, customers, products


def _lines(products, descriptions: list[str]) -> list[shapes.LineShape]:
    """Two catalogue lines, then one non-standard line per description."""
    product = products[0]
    line_id = product.lines[0]
    made = [
        shapes.LineShape(product, "", Decimal(10 * n), Decimal("3.50"), {}, line_id) for n in (1, 2)
    ]
    for text in descriptions:
        specs = shapes.specs(Random(text), text)
        made.append(shapes.LineShape(None, text, Decimal(40), Decimal("99.00"), specs, line_id))
    return made


def _normal(node, order: Order, signer: str, hashes: set[str]):
    """The data with everything that is the order's own (or a moment) replaced by a name."""
    custom = [line for line in order.lines if line.product_id is None]
    own = {order.number: "NUMBER", order.customer.name: "CUSTOMER", signer: "SIGNER"}
    own.update({h: "HASH" for h in hashes})
    own.update({line.description: f"DESC-{k}" for k, line in enumerate(custom)})
    ids = {line.id: f"LINE-{k}" for k, line in enumerate(custom)}

    def walk(value, key=None):
        if key in DATES:
            return "DATE"
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if key in ("order_id", "id") and value == order.id:
            return "ORDER-ID"
        if key == "line_id" and value in ids:
            return ids[value]
        if isinstance(value, str) and value in own:
            return own[value]
        return value

    return walk(node)


def _life(order: Order) -> tuple[ProcessInstance, list, dict]:
    """The order's finished lifecycle: its instance, its tasks in tree order, its data."""
    instance = lifecycle_of(order)
    workflow = load_state(processes.definition_for(instance.version), instance.state)
    tasks = []

    def visit(task, depth):
        tasks.append((depth, task))
        for child in task.children:
            visit(child, depth + 1)

    visit(workflow.task_tree, 0)
    return instance, tasks, workflow.data


def test_a_written_orders_state_is_what_a_real_run_of_it_stores(app):
    rng, sales, customers, products = _setup(21)
    runner = live.Live(rng, sales)
    # The template: a real run of the shape (full review, non-standard, two specified items).
    first_lines = _lines(products, ["模具 A", "支架 B"])
    template_order = runner.enter(customers[0], "non_standard", first_lines)
    live.run_life(runner, template_order, "full")
    templates = Templates(runner)
    templates.add("full", template_order)
    # Another order of that shape, with other lines and customer, really run (the reference)...
    item_lines = _lines(products, ["定制外壳 C", "散热器 D"])
    real = runner.enter(customers[1], "non_standard", item_lines)
    live.run_life(runner, real, "full")
    db.session.commit()
    # ...and the same order written by the history writer from the template.
    item = history.HistoricOrder(
        number="SO-T-00001", customer=customers[1], order_type="non_standard",
        lines=item_lines, created_at=utcnow() - timedelta(days=30), kind="full",
        sales_id=sales.id,
    )  # fmt: skip
    assert templates.give(item), "the shape has its template: nothing runs for real"
    history.HistoryWriter(Random(3), utcnow()).write([item])
    db.session.commit()
    written = db.session.scalar(db.select(Order).where(Order.number == "SO-T-00001"))

    (w_inst, w_tasks, w_data), (r_inst, r_tasks, r_data) = _life(written), _life(real)
    assert w_inst.status == r_inst.status == "completed"
    assert [(d, t.task_spec.name, t.state) for d, t in w_tasks] == [
        (d, t.task_spec.name, t.state) for d, t in r_tasks
    ]
    per_line = db.select(db.func.count()).where(
        HumanTask.instance_id == w_inst.id, HumanTask.spec_name == "standardise_item"
    )
    assert db.session.scalar(per_line) == 2

    def normal(order, data):
        conf = db.session.scalar(db.select(Confirmation).where(Confirmation.order_id == order.id))
        return _normal(data, order, conf.signer_name, {conf.revision_hash})

    assert normal(written, w_data) == normal(real, r_data)
    for (_d, w_task), (_e, r_task) in zip(w_tasks, r_tasks, strict=True):
        assert normal(written, w_task.data) == normal(real, r_task.data), w_task.task_spec.name
    # The order's own values are in its state, not the template's.
    custom = [line for line in written.lines if line.product_id is None]
    assert w_data["order"]["number"] == written.number
    assert w_data["order"]["customer"] == customers[1].name
    assert [x["line_id"] for x in w_data["nonstandard_lines"]] == [x.id for x in custom]
    assert [x["line_id"] for x in w_data["standardised_lines"]] == [x.id for x in custom]
    signed = db.session.scalar(db.select(Confirmation).where(Confirmation.order_id == written.id))
    assert w_data["customer_confirmed"]["revision_hash"] == signed.revision_hash
    assert signed.revision_hash == written.revisions[-1].content_hash
    # Its engine times start when its lifecycle did, in the past.
    first = min(t.last_state_change for _d, t in w_tasks)
    assert abs(first - w_inst.started_at.timestamp()) < 1
    assert template_order.number not in str(w_data) and "模具 A" not in str(w_data)


def test_a_batch_costs_the_same_statements_whatever_its_size_and_is_sealed(app):
    rng, sales, customers, products = _setup(22)
    runner = live.Live(rng, sales)
    made = live.template_orders(runner, customers[0], products)
    templates = Templates(runner)
    for kind, order in made.items():
        templates.add(kind, order)
    db.session.commit()
    chain.seal_pending()
    db.session.commit()
    shape = _lines(products, [])  # catalogue lines only: the `short` template's shape
    writer = history.HistoryWriter(rng, utcnow())

    def batch(size: int, start: int) -> list[history.HistoricOrder]:
        items = [
            history.HistoricOrder(
                number=f"SO-B-{start + n:05d}", customer=customers[n % 3], order_type="regular",
                lines=shape, created_at=utcnow() - timedelta(days=40 + n), kind="short",
                sales_id=sales.id,
            )
            for n in range(size)
        ]  # fmt: skip
        assert all(templates.give(item) for item in items)
        return items

    seen = []
    for size, start in ((3, 0), (30, 100)):
        items = batch(size, start)
        with counted() as statements:
            rows = writer.write(items)
        db.session.commit()
        seen.append(statements.statements)
        assert rows["sales_order"] == size and rows["audit_seal"] == rows["audit_event"] > 0
    assert seen[0] == seen[1]
    report = chain.verify()
    assert report.problem is None and report.pending == 0
    written = db.session.scalars(db.select(Order).where(Order.number.like("SO-B-%"))).all()
    assert len(written) == 33 and {o.status for o in written} == {"production_complete"}
    assert all(line.quantity_done == line.quantity for o in written for line in o.lines)

"""`flask seed-volume` makes realistic rows the pages show; `flask doctor` finds disagreements."""

import json
from datetime import timedelta

import pytest
from SpiffWorkflow.util.task import TaskState

from app.core.audit.models import AuditEvent
from app.core.clock import utcnow
from app.core.notifications.models import Notification
from app.core.processes import versions as processes
from app.core.tasks.models import HumanTask, ProcessInstance
from app.core.users.models import User
from app.engine.state import dump_state, load_state
from app.extensions import db
from app.modules.changes.models import ChangeRequest
from app.modules.confirmations.models import Confirmation
from app.modules.orders.models import Order, OrderLine, OrderRevision
from app.modules.orders.services import subject as order_subject
from app.modules.rush.models import RushRequest
from app.volume import plan


def run(app, *args):
    """Invoke a flask command in-process; returns the click result."""
    return app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)


def lifecycle(order: Order) -> ProcessInstance:
    return min(order.instances, key=lambda i: i.id)


@pytest.fixture
def seeded(app):
    """A small volume data set (40 orders, seed 7)."""
    result = run(app, "seed-volume", "--orders", "40", "--seed", "7")
    assert result.exit_code == 0, result.output
    return plan(40)


def test_seed_volume_makes_every_kind_of_row_in_its_real_shape(app, seeded):
    orders = list(db.session.scalars(db.select(Order)))
    assert len(orders) == 40
    assert len({o.number for o in orders}) == 40
    statuses = {o.status for o in orders}
    assert {"released", "cancelled", "in_review", "awaiting_customer", "rejected"} <= statuses
    assert all(1 <= len(o.lines) <= 30 for o in orders)
    custom = db.session.scalars(db.select(OrderLine).where(OrderLine.product_id.is_(None))).all()
    assert custom and all(line.structure_function and line.packaging_materials for line in custom)
    finished = [o for o in orders if lifecycle(o).status == "completed"]
    assert len(finished) >= seeded["history"]
    for order in finished:
        life = lifecycle(order)
        assert life.ended_at is not None and life.started_at <= life.ended_at <= utcnow()
        steps = db.session.scalars(db.select(HumanTask).where(HumanTask.instance_id == life.id))
        assert {t.state for t in steps} == {"completed"}
        assert order.revision == len(order.revisions) >= 1
        if order.status == "released":
            assert all(line.planned_estimate for line in order.lines if not line.product_id)
            assert (
                db.session.scalar(
                    db.select(Confirmation.revision_hash).where(Confirmation.order_id == order.id)
                )
                == order.revisions[-1].content_hash
            )
            assert db.session.scalar(
                db.select(db.func.count()).where(order_subject.about_order(Notification, order.id))
            )
    standardised = db.session.scalars(
        db.select(HumanTask).where(HumanTask.spec_name == "standardise_item")
    ).all()
    assert all(json.loads(t.context)["line"]["line_id"] for t in standardised)
    revised = db.session.scalar(db.select(db.func.count()).where(OrderRevision.number == 2))
    assert revised >= 1
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) > 40 * 5
    assert db.session.scalar(db.select(db.func.count()).select_from(ChangeRequest)) == 2
    assert db.session.scalar(db.select(db.func.count()).select_from(RushRequest)) == 1
    ready = db.session.scalars(db.select(HumanTask).where(HumanTask.state == "ready")).all()
    assert {"confirm_order", "pmc_consolidate", "sales_revise", "review_meeting"} <= {
        t.spec_name for t in ready
    }
    assert run(app, "doctor").exit_code == 0


def test_pages_render_on_volume_data_and_a_second_run_adds_more(app, client, seeded):
    for username in ("sales.member", "pmc.head"):
        client.post("/logout")
        login = client.post("/login", data={"username": username, "password": "demo1234"})
        assert login.status_code == 302
        for url in ("/inbox", "/orders", "/schedule"):
            assert client.get(url).status_code == 200, url
        for order in db.session.scalars(db.select(Order).order_by(Order.id).limit(40)):
            assert client.get(f"/orders/{order.id}").status_code == 200, order.number
    task = db.session.scalar(db.select(HumanTask).where(HumanTask.state == "ready"))
    assert client.get(f"/tasks/{task.id}").status_code in (200, 403)

    again = run(app, "seed-volume", "--orders", "12", "--seed", "7")
    assert again.exit_code == 0, again.output
    numbers = db.session.scalars(db.select(Order.number)).all()
    assert len(numbers) == len(set(numbers)) == 52
    assert run(app, "doctor").exit_code == 0


# --- flask doctor: each kind of problem, made directly in the database ---------------------


def doctor_lines(app) -> tuple[int, list[str]]:
    result = run(app, "doctor")
    return result.exit_code, [line for line in result.stdout.splitlines() if line]


def test_doctor_reports_nothing_on_a_clean_database(app, make_order, complete):
    make_order()
    complete(make_order(), "confirm_order")
    assert doctor_lines(app) == (0, [])


def test_doctor_finds_engine_and_inbox_disagreeing(app, make_order):
    missing, extra = make_order(), make_order()
    db.session.execute(db.delete(HumanTask).where(order_subject.about_order(HumanTask, missing.id)))
    row = db.session.scalar(
        db.select(HumanTask).where(order_subject.about_order(HumanTask, extra.id))
    )
    db.session.add(
        HumanTask(instance_id=row.instance_id, subject_type="order", subject_key=extra.id,
                  task_id="ghost-task", spec_name="confirm_order", name="Ghost",
                  department_id=row.department_id)
    )  # fmt: skip
    db.session.commit()
    code, lines = doctor_lines(app)
    assert code == 1
    assert any(
        f"order {missing.id})" in s and "ready in the engine but not in the inbox" in s
        for s in lines
    )
    assert any("ready in the inbox but not in the engine: ghost-task" in s for s in lines)
    assert len(lines) == 2


def test_doctor_finds_overdue_timers_and_stuck_instances(app, make_order):
    late, stuck = make_order(), make_order()
    lifecycle(late).next_timer_at = utcnow() - timedelta(hours=2)
    # The open step is no longer ready (and not in the inbox): the engine waits for nothing.
    instance = lifecycle(stuck)
    defn = processes.definition_for(instance.version)
    workflow = load_state(defn, instance.state)
    for task in workflow.tasks.values():
        if task.state == TaskState.READY:
            task._set_state(TaskState.WAITING)
    instance.state = dump_state(workflow)
    db.session.execute(db.delete(HumanTask).where(order_subject.about_order(HumanTask, stuck.id)))
    db.session.commit()
    code, lines = doctor_lines(app)
    assert code == 1
    assert [s for s in lines if "has not fired" in s] == [
        s for s in lines if f"instance {lifecycle(late).id} " in s
    ]
    assert any(f"instance {instance.id} " in s and "stuck" in s for s in lines)
    assert len(lines) == 2


def test_doctor_finds_orders_that_contradict_their_lifecycle(app, make_order):
    released, cancelled, finished = make_order(), make_order(), make_order()
    released.status = "released"
    life = lifecycle(released)
    life.status = "cancelled"
    db.session.execute(
        db.update(HumanTask).where(HumanTask.instance_id == life.id).values(state="cancelled")
    )
    cancelled.status = "cancelled"  # its lifecycle still runs
    finished_life = lifecycle(finished)
    finished_life.status = "completed"  # while its step is still in the inbox
    db.session.commit()
    code, lines = doctor_lines(app)
    assert code == 1
    text = "\n".join(lines)
    assert f"order {released.number} (id {released.id}): status released but" in text
    assert f"order {cancelled.number} (id {cancelled.id}): status cancelled but" in text
    assert f"order {finished.number} (id {finished.id}): status in_review but" in text
    assert f"still ready in the inbox but instance {finished_life.id} is completed" in text
    assert len(lines) == 4


def test_doctor_works_in_batches(app, make_order, monkeypatch):
    from app import doctor

    monkeypatch.setattr(doctor, "BATCH", 2)
    made = [make_order() for _ in range(5)]
    db.session.execute(
        db.delete(HumanTask).where(order_subject.about_order(HumanTask, made[-1].id))
    )
    made[0].status = "cancelled"
    db.session.commit()
    code, lines = doctor_lines(app)
    assert code == 1 and len(lines) == 2
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) >= 5

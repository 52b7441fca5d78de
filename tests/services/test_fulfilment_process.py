"""The fulfilment process (workflows/order_fulfilment.bpmn) starts when an order is released;
`flask fulfilment start-missing` starts it for orders released before it existed, once."""

from app.core.tasks.models import ProcessInstance
from app.extensions import db
from app.modules.fulfilment.services import process


def fulfilments() -> list[ProcessInstance]:
    return list(
        db.session.scalars(
            db.select(ProcessInstance)
            .where(ProcessInstance.kind == process.KIND)
            .order_by(ProcessInstance.id)
        )
    )


def test_a_release_starts_the_fulfilment(released_order):
    instance = process.fulfilment_of(released_order.id)
    assert instance is not None and instance.status == "running"
    assert (instance.subject_type, instance.subject_key) == ("order", released_order.id)
    assert len(fulfilments()) == 1


def test_the_command_starts_the_missing_ones_once(app, plan_world):
    old = [plan_world.order(f"SO-OLD-{n}", 5, "2027-04-01") for n in range(3)]
    plan_world.order("SO-OLD-R", 5, "2027-04-01", status="in_production")
    plan_world.order("SO-OLD-C", 5, "2027-04-01", status="production_complete")
    plan_world.order("SO-OLD-X", 5, "2027-04-01", status="cancelled")
    process.start_for(old[0], None)  # one already has it
    db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["fulfilment", "start-missing", "--batch", "2"])
    assert first.exit_code == 0, first.output
    assert "3 fulfilment processes started" in first.output
    numbers = {i.subject_key for i in fulfilments()}
    assert len(fulfilments()) == 4 == len(numbers)
    again = runner.invoke(args=["fulfilment", "start-missing"])
    assert "0 fulfilment processes started" in again.output
    assert len(fulfilments()) == 4

"""The race harness: requests that arrive at the same moment, against PostgreSQL's row locks.

Every round starts real threads together (tests/races.py); each runs one service call and
commits, as a request does. Exactly one wins where one must, the others get the conflict a
user would see — never an error (a 500), never a lost or doubled row. The suite runs a few
rounds of each; `make reliability` runs the full count and records the figures.
"""

from datetime import date, timedelta
from functools import partial
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from app.core.calendar.models import CalendarDay
from app.core.processes import modeling
from app.core.processes import versions as processes
from app.core.processes.models import ProcessVersion
from app.core.tasks import completion as tasks
from app.core.tasks import inbox
from app.core.tasks.models import HumanTask
from app.core.users.models import User
from app.extensions import db
from app.modules.changes.models import ChangeRequest
from app.modules.changes.services import changes
from app.modules.orders.models import Order
from app.modules.orders.services import orders
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.orders import LineInput, OrderInput
from tests.answers import FORM_ANSWERS, SPECS
from tests.conftest import open_task
from tests.races import kinds, run_together
from tests.reliability import record, scale

pytestmark = [pytest.mark.postgres, pytest.mark.reliability]
WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


def _user(user_id: int) -> User:
    return db.session.get(User, user_id)


def _order_input(customer_id: int, quantity: str = "10") -> OrderInput:
    line = LineInput(description="Custom bracket", quantity=quantity, unit_price="2.5", specs=SPECS)
    return OrderInput(
        customer_id=str(customer_id),
        order_type="new",
        requested_date="2027-03-01",
        promised_date="2027-03-05",
        lines=[line],
    )


def _count(model, *where) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


def test_two_clients_complete_one_task_exactly_one_wins_every_round(app, make_order, make_user):
    ann, bob = make_user("sales", display_name="Ann"), make_user("sales", display_name="Bob")
    rounds, winners_ok, failures = scale(50, 1000), 0, []
    answers = FORM_ANSWERS["confirm_order"]
    for number in range(rounds):
        order = make_order()
        task_id = open_task(order, "confirm_order").id

        def complete(user_id: int, task_id: int = task_id):
            return tasks.complete_task(task_id, _user(user_id), MultiDict(answers)).id

        outcomes = run_together(app, [lambda: complete(ann.id), lambda: complete(bob.id)])
        db.session.expire_all()
        done = db.session.get(HumanTask, task_id)
        loser = next((o for o, _r in outcomes if o.startswith("conflict")), "")
        next_steps = _count(
            HumanTask,
            order_subject.about_order(HumanTask, order.id),
            HumanTask.spec_name == "pmc_dispatch",
        )
        if (
            kinds(outcomes) == ["conflict", "ok"]
            and done.state == "completed"
            and done.completed_by.display_name in loser
            and next_steps == 1  # the process moved on exactly once
        ):
            winners_ok += 1
        else:
            failures.append((number, outcomes, done.state, next_steps))
    record("races", "complete_one_task", rounds=rounds, winners_ok=winners_ok, failures=failures)
    assert failures == []


def test_orders_saved_at_once_get_distinct_numbers_and_a_double_click_saves_one(app, make_user):
    from app.modules.orders.models import Customer

    customer = Customer(name="ACME", contact="Ann", address="1 Road", tier="standard")
    db.session.add(customer)
    db.session.commit()
    sales = [make_user("sales").id for _ in range(4)]
    rounds, winners_ok, failures, expected = scale(5, 100), 0, [], 0

    def save(user_id: int, form_token: str):
        order_input = _order_input(customer.id)
        return orders.create_order(_user(user_id), order_input, form_token=form_token).id

    for number in range(rounds):
        # Three people save different orders; the fourth clicks Save twice on one form.
        form_token = f"double-click-round-{number:04d}"
        actions = [
            partial(save, u, f"order-form-{number:04d}-{n:02d}") for n, u in enumerate(sales)
        ]
        twice = [partial(save, sales[3], form_token), partial(save, sales[3], form_token)]
        actions = actions[:3] + twice
        outcomes = run_together(app, actions)
        expected += 4
        ids = {result for _o, result in outcomes}
        if (
            kinds(outcomes) == ["ok"] * 4 + ["submitted"]
            and len(ids) == 4  # the double click answered with the first one's order
        ):
            winners_ok += 1
        else:
            failures.append((number, outcomes))
    numbers = list(db.session.scalars(db.select(Order.number)))
    if len(numbers) != expected or len(set(numbers)) != expected:
        failures.append(("stored", sorted(numbers)))
    record("races", "concurrent_order_saves", rounds=rounds, winners_ok=winners_ok,
           failures=failures)  # fmt: skip
    assert failures == []
    # Today's format, and the counter handed out every number once, in a row.
    prefix = numbers[0][: len("SO-2026-")]
    assert sorted(numbers) == [f"{prefix}{n:05d}" for n in range(1, expected + 1)]


def claim(task_id: int, user_id: int) -> int:
    """Claim the task; the assignee's id."""
    return inbox.claim(task_id, _user(user_id)).assignee_id


def test_two_people_claim_one_task_one_gets_it(app, make_order, make_user):
    ann, bob = make_user("sales", display_name="Ann"), make_user("sales", display_name="Bob")
    rounds, winners_ok, failures = scale(10, 200), 0, []
    for number in range(rounds):
        task_id = open_task(make_order(), "confirm_order").id
        outcomes = run_together(
            app,
            [partial(claim, task_id, ann.id), partial(claim, task_id, bob.id)],
        )
        db.session.expire_all()
        assignee = db.session.get(HumanTask, task_id).assignee
        winner = next((result for o, result in outcomes if o == "ok"), None)
        loser = next((o for o, _r in outcomes if o.startswith("conflict")), "")
        if (
            kinds(outcomes) == ["conflict", "ok"]
            and assignee is not None
            and assignee.id == winner
            and assignee.display_name in loser
        ):
            winners_ok += 1
        else:
            failures.append((number, outcomes, assignee and assignee.id))
    record("races", "claim_one_task", rounds=rounds, winners_ok=winners_ok, failures=failures)
    assert failures == []


def _finish(change: ChangeRequest, complete) -> None:
    """Complete any further approval the change needs (the general manager's)."""
    for _guard in range(5):
        db.session.expire_all()
        step = db.session.scalar(
            db.select(HumanTask.spec_name).where(
                HumanTask.instance_id == change.instance_id,
                HumanTask.state == "ready",
                HumanTask.spec_name.in_(changes.APPROVAL_STEPS),
            )
        )
        if step is None:
            return
        complete(change.order, step, {"decision": "approve"})


def approve(task_id: int, user_id: int) -> int:
    """A head approves the change at this step."""
    return tasks.complete_task(task_id, _user(user_id), MultiDict({"decision": "approve"})).id


def test_one_change_request_raised_and_approved_at_once_applies_once(
    app, make_released_order, make_user, complete
):
    rounds, winners_ok, failures = scale(2, 20), 0, []
    raisers = [make_user("sales").id, make_user("sales").id]
    heads = [make_user("sales", role="head").id, make_user("sales", role="head").id]
    for number in range(rounds):
        order = make_released_order()
        revision = order.revision

        def raise_change(user_id: int, order_id: int = order.id, customer_id=order.customer_id):
            data = _order_input(customer_id, quantity="11")
            reason = "Customer asked"
            return changes.raise_change(
                _user(user_id), order_id, data, "customer_request", reason, "MAIL-7"
            ).id

        raised = run_together(app, [lambda u=u: raise_change(u) for u in raisers])
        change = db.session.scalar(
            db.select(ChangeRequest).where(ChangeRequest.order_id == order.id)
        )
        # Reviews first; then the two sales heads decide the approval at the same moment.
        for _guard in range(10):
            db.session.expire_all()
            step = db.session.scalar(
                db.select(HumanTask)
                .where(HumanTask.instance_id == change.instance_id, HumanTask.state == "ready")
                .order_by(HumanTask.id)
            )
            if step is None or step.spec_name in changes.APPROVAL_STEPS:
                break
            complete(order, step.spec_name, {"opinion": "approve", "delivery_impact_days": "1"})

        approved = run_together(app, [partial(approve, step.id, u) for u in heads])
        _finish(change, complete)
        db.session.expire_all()
        change = db.session.get(ChangeRequest, change.id)
        order = db.session.get(Order, order.id)
        if (
            kinds(raised) == ["conflict", "ok"]
            and _count(ChangeRequest, ChangeRequest.order_id == order.id) == 1
            and kinds(approved) == ["conflict", "ok"]
            and change.status == "applied"
            and order.revision == revision + 1
            and order.lines[0].quantity == 11
        ):
            winners_ok += 1
        else:
            failures.append((number, raised, approved, change.status, order.revision))
    record("races", "approve_one_change", rounds=rounds, winners_ok=winners_ok,
           failures=failures)  # fmt: skip
    assert failures == []


def test_one_process_deployed_and_published_at_once_stores_one_version_per_content(app, make_user):
    owner = make_user("engineering", is_process_owner=True)
    source = (WORKFLOWS / "order_review.bpmn").read_bytes()
    dmn = {path.name: path.read_bytes() for path in WORKFLOWS.glob("*.dmn")}
    rounds, winners_ok, failures = scale(3, 50), 0, []

    def deploy(xml: bytes):
        deployed = processes.deploy_process("order_review.bpmn", xml, _user(owner.id), dmn)
        assert not deployed.problems, deployed.problems
        return (deployed.version.id, deployed.version.number, deployed.created)

    def publish(xml: bytes, token: str):
        result = modeling.publish(_user(owner.id), "order_review", xml.decode(), token)
        assert not result.problems, result.problems
        return result.version.id

    for number in range(rounds):
        same = source.replace(b'name="Order review"', f'name="Order review {number}a"'.encode())
        other = source.replace(b'name="Order review"', f'name="Order review {number}b"'.encode())
        before = _count(ProcessVersion, ProcessVersion.process_id == "order_review")
        # Three deploys of one content and one of another, at the same moment.
        deployed = run_together(app, [partial(deploy, xml) for xml in (same, same, same, other)])
        results = [result for _o, result in deployed]
        same_ids = {r[0] for r in results[:3] if r}
        numbers = sorted({r[1] for r in results if r})
        # Two owners publish their own edits from the modeler opened on the same version: one
        # is stored, the other is told to reload instead of overwriting it.
        token = modeling.edit_token("order_review")
        edits = [
            source.replace(b'name="Order review"', f'name="Order review {number}{c}"'.encode())
            for c in "cd"
        ]
        published = run_together(app, [partial(publish, xml, token) for xml in edits])
        after = _count(ProcessVersion, ProcessVersion.process_id == "order_review")
        if (
            kinds(deployed) == ["ok"] * 4
            and len(same_ids) == 1
            and sorted(r[2] for r in results[:3]) == [False, False, True]
            and len(numbers) == 2
            and kinds(published) == ["conflict", "ok"]
            and after == before + 3
        ):
            winners_ok += 1
        else:
            failures.append((number, deployed, published, before, after))
    record("races", "deploy_one_process", rounds=rounds, winners_ok=winners_ok,
           failures=failures)  # fmt: skip
    assert failures == []


def _duplicates(actor_id: int, kind: str, number: int):
    """One create call of master data whose unique value is the same in every call of a round."""
    from app.core.calendar import services as factory_calendar
    from app.core.users import accounts as users
    from app.modules.orders.services import catalogue

    actor = _user(actor_id)
    if kind == "customer":
        return catalogue.create_customer(actor, f"Twin {number}", "", "", "standard").id
    if kind == "product":
        return catalogue.create_product(actor, f"TW-{number}", "Twin", "pcs", "1", {}).id
    if kind == "line":
        return catalogue.create_line(actor, f"TL-{number}", "Twin line", "8").id
    if kind == "user":
        return users.create_user(actor, f"twin.{number}", "Twin", "secret-pass-1", "", "member").id
    if kind == "department":
        return users.create_department(actor, f"twin_{number}", "Twin", "双胞胎").id
    # A new date every round: a date already marked is replaced (not a duplicate), so a round
    # that reused one would race an update, not two inserts.
    day = (date(2031, 1, 1) + timedelta(days=number)).isoformat()
    return factory_calendar.set_factory_day(actor, day, "holiday", "twin").day.toordinal()


def _one_day(outcomes) -> bool:
    """Both calls answered with the same date, and that date is stored once."""
    days = {result for _o, result in outcomes}
    if len(days) != 1:
        return False
    day = date.fromordinal(days.pop())
    db.session.rollback()
    stored = db.select(db.func.count()).select_from(CalendarDay).where(CalendarDay.day == day)
    return db.session.scalar(stored) == 1


FIELDS = {
    "customer": "name",
    "product": "code",
    "line": "code",
    "user": "username",
    "department": "key",
    "calendar": "calendar_day",
}


def test_a_unique_value_submitted_twice_at_once_is_refused_with_a_message(app, make_user):
    admin = make_user("pmc", is_admin=True)
    rounds, winners_ok, failures = scale(2, 50), 0, []
    for number in range(rounds):
        for kind, field in FIELDS.items():
            outcomes = run_together(app, [partial(_duplicates, admin.id, kind, number)] * 2)
            loser = next((o for o, _r in outcomes if o.startswith("invalid")), "")
            if kinds(outcomes) == ["invalid", "ok"] and f"'{field}'" in loser:
                winners_ok += 1
            elif kind == "calendar" and kinds(outcomes) == ["ok", "ok"] and _one_day(outcomes):
                # Marking a date already marked replaces the mark: when the second call reads
                # the first one's committed row it updates it, which is right, not a duplicate.
                winners_ok += 1
            else:
                failures.append((number, kind, outcomes))
    record("races", "unique_value_twice", rounds=rounds * len(FIELDS), winners_ok=winners_ok,
           failures=failures)  # fmt: skip
    assert failures == []

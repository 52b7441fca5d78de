"""Change requests on released orders: approved and applied, rejected, and never applied blindly."""

import threading

import pytest
from flask_babel import force_locale

from app.core.tasks.models import HumanTask
from app.errors import Conflict
from app.extensions import db
from app.modules.changes.models import ChangeRequest
from app.modules.changes.services import changes
from app.modules.orders.models import Order
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.order_input import LineInput, OrderInput
from tests.answers import SPECS


@pytest.fixture
def released(released_order):
    """The shared released order (tests/conftest.py)."""
    return released_order


def draft(order: Order, **changes_to_line) -> OrderInput:
    line = order.lines[0]
    specs = {**SPECS, **{k: v for k, v in changes_to_line.items() if k in SPECS}}
    return OrderInput(
        customer_id=str(order.customer_id),
        customer_po=order.customer_po,
        order_type=order.order_type,
        requested_date=changes_to_line.get("requested_date", order.requested_date.isoformat()),
        promised_date=changes_to_line.get("promised_date", order.promised_date.isoformat()),
        currency=order.currency,
        notes=order.notes,
        lines=[
            LineInput(
                description=line.description,
                quantity=changes_to_line.get("quantity", f"{line.quantity:f}"),
                unit_price=f"{line.unit_price:f}",
                specs=specs,
            )
        ],
    )


def open_steps(order: Order) -> list[str]:
    return sorted(
        db.session.scalars(
            db.select(HumanTask.spec_name).where(
                order_subject.about_order(HumanTask, order.id), HumanTask.state == "ready"
            )
        )
    )


def change_steps(change: ChangeRequest) -> list[str]:
    """The open steps of the change's own process (the order's lifecycle has others)."""
    return sorted(
        db.session.scalars(
            db.select(HumanTask.spec_name).where(
                HumanTask.instance_id == change.instance_id, HumanTask.state == "ready"
            )
        )
    )


def test_quantity_and_date_change_is_approved_and_applied(released, make_user, complete):
    sales = make_user("sales")
    change = changes.raise_change(
        sales,
        released.id,
        draft(released, quantity="25", promised_date="2027-03-20"),
        "customer_request",
        "Customer needs more, later",
        "ACME-CR-9",
    )
    db.session.commit()
    assert released.revision == 1 and released.lines[0].quantity == 10  # nothing applied yet
    assert {"change_review_pmc", "change_review_production"} <= set(open_steps(released))
    reviews = [s for s in open_steps(released) if s.startswith("change_review_")]
    assert reviews == ["change_review_pmc", "change_review_production", "change_review_warehouse"]
    for step in reviews:  # a quantity change also reaches the warehouse
        complete(released, step, {"opinion": "approve", "delivery_impact_days": "3"})
    # 15 days later and +150 % value: above both thresholds, so the GM signs after the manager.
    complete(released, "manager_approval_sales", {"decision": "approve"})
    assert "gm_approval" in open_steps(released)
    complete(released, "gm_approval", {"decision": "approve"})
    db.session.expire_all()
    order = db.session.get(Order, released.id)
    change = db.session.get(ChangeRequest, change.id)
    assert change.status == "applied" and change.applied_revision == 2
    assert order.revision == 2 and order.lines[0].quantity == 25
    assert order.promised_date.isoformat() == "2027-03-20"
    # The customer must re-confirm revision 2.
    assert order.status == "awaiting_customer"
    assert "send_confirmation" in open_steps(order)


def test_packaging_change_rejected_changes_nothing(released, make_user, complete):
    before = released.revisions[-1].content_hash
    change = changes.raise_change(
        make_user("pmc"),
        released.id,
        draft(released, packaging_requirements="10 per carton"),
        "internal",
        "Smaller cartons",
        "",
    )
    db.session.commit()
    assert {"change_review_warehouse", "change_review_quality"} <= set(open_steps(released))
    assert "change_review_production" not in open_steps(released)
    complete(released, "change_review_warehouse", {"opinion": "reject", "comments": "No stock"})
    complete(released, "change_review_quality", {"opinion": "approve"})
    complete(released, "manager_approval_pmc", {"decision": "reject", "reason": "No cartons"})
    db.session.expire_all()
    order = db.session.get(Order, released.id)
    assert db.session.get(ChangeRequest, change.id).status == "rejected"
    assert order.revision == 1 and order.revisions[-1].content_hash == before
    assert order.lines[0].packaging_requirements == SPECS["packaging_requirements"]
    assert order.status == "released"


def test_quality_raises_a_packaging_change_its_head_approves(released, make_user, complete):
    # Issue 4: any department raises a change; the head of the raising department approves it.
    change = changes.raise_change(
        make_user("quality"),
        released.id,
        draft(released, packaging_requirements="20 per carton, corner protectors"),
        "quality",
        "Cartons crushed in transit",
        "",
    )
    db.session.commit()
    assert change.department == "quality"
    assert change_steps(change) == ["change_review_quality", "change_review_warehouse"]
    complete(released, "change_review_quality", {"opinion": "approve"})
    complete(released, "change_review_warehouse", {"opinion": "approve"})
    assert change_steps(change) == ["manager_approval_quality"]
    approval = db.session.scalar(
        db.select(HumanTask).where(
            HumanTask.instance_id == change.instance_id, HumanTask.state == "ready"
        )
    )
    assert (approval.department.key, approval.role) == ("quality", "head")
    complete(released, "manager_approval_quality", {"decision": "approve"})
    db.session.expire_all()
    order = db.session.get(Order, released.id)
    change = db.session.get(ChangeRequest, change.id)
    assert change.status == "applied" and change.applied_revision == 2
    assert order.revision == 2
    assert order.lines[0].packaging_requirements == "20 per carton, corner protectors"
    assert order.status == "awaiting_customer"  # no GM: the value and dates did not move
    assert change_steps(change) == ["send_confirmation"]


def test_second_request_is_refused_and_a_stale_approval_cannot_apply(released, make_user, complete):
    with force_locale("en"):
        _second_request_and_stale_approval(released, make_user, complete)


def _second_request_and_stale_approval(released, make_user, complete):
    sales = make_user("sales")
    changes.raise_change(
        sales, released.id, draft(released, quantity="12"), "customer_request", "A few more", ""
    )
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        changes.raise_change(
            sales, released.id, draft(released, quantity="14"), "customer_request", "Even more", ""
        )
    assert "still open" in refused.value.message
    db.session.rollback()
    # Someone moves the order on underneath the open request (e.g. a data fix): the approval
    # built on the old base revision is refused and nothing is applied.
    from app.modules.orders.services import revisions

    order = db.session.get(Order, released.id)
    revisions.create_revision(order, None, "data fix")
    db.session.commit()
    for step in ("change_review_pmc", "change_review_production", "change_review_warehouse"):
        if step in open_steps(order):
            complete(order, step, {"opinion": "approve"})
    from app.errors import InvalidInput

    with pytest.raises(InvalidInput) as stale:
        complete(order, "manager_approval_sales", {"decision": "approve"})
    assert "since this request was raised" in stale.value.errors["decision"]
    db.session.rollback()
    assert db.session.get(Order, released.id).lines[0].quantity == 10


@pytest.mark.postgres
def test_two_requests_raised_at_once_open_only_one(app, released, make_user):
    users = [make_user("sales").id, make_user("sales").id]
    barrier = threading.Barrier(2)
    outcomes = []

    def work(user_id, qty):
        with app.app_context():
            from app.core.users.models import User

            user = db.session.get(User, user_id)
            order = db.session.get(Order, released.id)
            data = draft(order, quantity=qty)
            barrier.wait()
            try:
                changes.raise_change(user, released.id, data, "customer_request", "race", "")
                db.session.commit()
                outcomes.append("ok")
            except Conflict:
                db.session.rollback()
                outcomes.append("conflict")
            finally:
                db.session.remove()

    jobs = zip(users, ("11", "13"), strict=True)
    threads = [threading.Thread(target=work, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["conflict", "ok"]
    assert db.session.scalar(db.select(db.func.count()).select_from(ChangeRequest)) == 1

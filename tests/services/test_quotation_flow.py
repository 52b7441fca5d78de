"""Quotations after the editor: approval and rejection, sending, the customer's acceptance
(expired ones refused), the order (once, even when asked twice at once), and who may do what."""

from datetime import timedelta
from functools import partial

import pytest
from werkzeug.datastructures import FileStorage, MultiDict

from app.core import clock
from app.core.tasks import completion
from app.core.tasks.models import HumanTask
from app.errors import Conflict, InvalidInput, PermissionDenied
from app.extensions import db
from app.modules.orders.models import Order
from app.modules.quotations.models import Quotation
from app.modules.quotations.services import acceptance, approval, quotations, sending
from tests.quotations_helpers import QuoteWorld
from tests.races import run_together
from tests.shipping_helpers import png_file


@pytest.fixture
def world(make_user) -> QuoteWorld:
    return QuoteWorld(make_user)


def scan() -> FileStorage:
    return FileStorage(*png_file(), content_type="image/png")


def sent(world, price: str = "100") -> Quotation:
    quote = world.quote(world.line(world.p100, "10", price))
    sending.send_quotation(world.sales, quote.id)
    db.session.commit()
    return quote


def accepted(world) -> Quotation:
    quote = sent(world)
    acceptance.accept_with_scan(world.sales, quote.id, scan(), "Wang")
    db.session.commit()
    return quote


def test_rejected_then_edited_and_approved_by_the_sales_head_alone(world):
    # 10 x Q-100 at 90: margin 11.11 % (flagged, but not below 5 %: the sales head alone).
    quote = world.quote(world.line(world.p100, "10", "90"))
    with pytest.raises(Conflict):
        sending.send_quotation(world.sales, quote.id)
    approval.request_approval(world.sales, quote.id)
    db.session.commit()
    task = db.session.scalar(
        db.select(HumanTask).where(HumanTask.subject_key == quote.id, HumanTask.state == "ready")
    )
    answers = MultiDict({"decision": "reject", "reason": "Keep 12 % at least"})
    completion.complete_task(task.id, world.sales_head, answers)
    db.session.commit()
    assert (quote.status, quote.decision_reason) == ("rejected", "Keep 12 % at least")
    quotations.update_quotation(
        world.sales, quote.id, world.data(world.line(world.p100, "10", "91"))
    )
    approval.request_approval(world.sales, quote.id)
    db.session.commit()
    task = db.session.scalar(
        db.select(HumanTask).where(
            HumanTask.subject_key == quote.id,
            HumanTask.state == "ready",
            HumanTask.spec_name == "quotation_approval_sales",
        )
    )
    completion.complete_task(task.id, world.sales_head, MultiDict({"decision": "approve"}))
    db.session.commit()
    assert quote.status == "approved" and sending.may_send(quote)


def test_an_unflagged_quotation_is_sent_directly_and_frozen(world):
    quote = sent(world)
    assert quote.status == "sent" and quote.revisions[-1].sent_at is not None
    with pytest.raises(Conflict):
        approval.request_approval(world.sales, quote.id)


def test_an_expired_quotation_cannot_be_accepted(world):
    quote = sent(world)
    quote.valid_until = clock.today() - timedelta(days=1)
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        acceptance.accept_with_scan(world.sales, quote.id, scan(), "Wang")
    assert "不能再被接受" in refused.value.message  # the installation default, Chinese
    db.session.rollback()
    assert db.session.get(Quotation, quote.id).status == "sent"


def test_acceptance_needs_the_signer_and_the_signed_copy(world):
    quote = sent(world)
    with pytest.raises(InvalidInput) as refused:
        acceptance.accept_with_scan(world.sales, quote.id, None, " ")
    assert set(refused.value.errors) == {"scan", "signer_name"}
    with pytest.raises(InvalidInput) as refused:
        acceptance.accept_with_scan(world.sales, quote.id, scan(), "x" * 201)
    assert "signer_name" in refused.value.errors


def test_a_second_acceptance_or_order_is_refused(world):
    quote = accepted(world)
    with pytest.raises(Conflict):
        acceptance.accept_with_scan(world.sales, quote.id, scan(), "Wang")
    db.session.rollback()
    acceptance.convert_to_order(world.sales, quote.id)
    db.session.commit()
    with pytest.raises(Conflict):
        acceptance.convert_to_order(world.sales, quote.id)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Order.id))) == 1


def test_only_sales_sends_accepts_and_orders(world, make_user):
    quote = world.quote(world.line(world.p100, "10", "100"))
    finance = make_user("finance")
    for action in (
        partial(sending.send_quotation, finance, quote.id),
        partial(approval.request_approval, finance, quote.id),
        partial(acceptance.accept_with_scan, finance, quote.id, scan(), "Wang"),
        partial(acceptance.convert_to_order, finance, quote.id),
    ):
        with pytest.raises(PermissionDenied):
            action()
        db.session.rollback()
    assert db.session.get(Quotation, quote.id).status == "draft"


@pytest.mark.postgres
def test_two_orders_asked_at_once_make_one(world, app):
    quote = accepted(world)
    users = [world.sales.id, world.sales_head.id]

    def convert(user_id: int):
        from app.core.users.models import User

        return acceptance.convert_to_order(db.session.get(User, user_id), quote.id).id

    outcomes = run_together(app, [partial(convert, uid) for uid in users])
    kinds = sorted(outcome.split(":")[0] for outcome, _ in outcomes)
    assert kinds == ["conflict", "ok"], outcomes
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Order.id))) == 1


@pytest.mark.postgres
def test_two_acceptances_at_once_record_one(world, app):
    quote = sent(world)

    def accept(name: str):
        from app.core.users.models import User

        actor = db.session.get(User, world.sales.id)
        return acceptance.accept_with_scan(actor, quote.id, scan(), name).id

    outcomes = run_together(app, [partial(accept, "Wang"), partial(accept, "Li")])
    kinds = sorted(outcome.split(":")[0] for outcome, _ in outcomes)
    assert kinds == ["conflict", "ok"], outcomes

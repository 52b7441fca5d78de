"""Production progress (issue 12): reports per order line, the remaining hours the plan counts
(hand-computed), validation in both languages, double submits, corrections by the reporter's
head (audited), production complete leaving the plan and telling the fulfilment process."""

from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale

from app.core.audit.models import AuditEvent
from app.core.submissions.uniqueness import new_form_token
from app.core.tasks.models import HumanTask
from app.errors import AlreadySubmitted, Conflict, InvalidInput, PermissionDenied
from app.extensions import db
from app.modules.fulfilment.models import ProgressReport
from app.modules.fulfilment.services import process, reporting, tracking
from app.modules.orders.models import OrderLine
from app.modules.schedule.services import plan


@pytest.fixture
def reporter(make_user):
    return make_user("production")


def report(user, line, step, quantity, note="", token=""):
    row = reporting.report(user, line.id, step, str(quantity), note, token)
    db.session.commit()
    return row


def test_remaining_hours_are_the_hours_of_what_is_not_done(plan_world, reporter):
    # 100 units at 1 h on L1 (8 h a day): 100 h. 25 done -> 100 x (1 - 25/100) = 75 h.
    order = plan_world.order("SO-P-1", 100, "2027-06-30", {"L1": "1"})
    line = order.lines[0]
    report(reporter, line, "cutting", 25)
    assert (order.status, line.quantity_done) == ("in_production", Decimal(25))
    job = plan.current().schedule.job(order.id)
    assert job.hours == 75.0
    # 75 h = 9 full days of 8 h and 3 h on a tenth: Mon 03-01 .. Fri 03-12.
    assert (job.start, job.finish) == (date(2027, 3, 1), date(2027, 3, 12))
    progress = tracking.progress_of(order, job)
    (lp,) = progress.lines
    assert (lp.hours, lp.remaining_hours, lp.percent) == (100.0, 75.0, 25)


def test_two_lines_remaining_hours_and_milestones(plan_world, reporter):
    # Line 1: 10 x 2 h = 20 h on L1, 5 done -> 10 h left.
    # Line 2: 4 x 5 h = 20 h on L1, 1 done -> 15 h left. The job: 25 h, 8 h a day from Mon.
    order = plan_world.order("SO-P-2", 10, "2027-06-30", {"L1": "2"})
    order.lines.append(
        OrderLine(position=2, product=plan_world.product({"L1": "5"}), quantity=Decimal(4),
                  unit_price=Decimal(1))
    )  # fmt: skip
    db.session.commit()
    report(reporter, order.lines[0], "assembly", 5)
    report(reporter, order.lines[1], "cutting", 1)
    job = plan.current().schedule.job(order.id)
    assert job.hours == 25.0
    assert [hours for _day, hours in job.allocations] == [8.0, 8.0, 8.0, 1.0]
    first, second = tracking.progress_of(order, job).lines
    assert (first.remaining_hours, second.remaining_hours) == (10.0, 15.0)
    # Five steps, 4 h each on line 1; done 10 h covers material and cutting by quantity, and
    # the report named assembly: material, cutting, assembly reached. Inspection ends at 16 h:
    # 6 h of the 10 left = 60 % of the job's 25 h = 15 h -> the second day (Tue 03-02).
    # Packing ends at 20 h: all of it -> the last day (Thu 03-04).
    assert [m.reached for m in first.milestones] == [True, True, True, False, False]
    assert [m.planned for m in first.milestones[3:]] == [date(2027, 3, 2), date(2027, 3, 4)]
    assert [m.hours for m in first.milestones] == [4.0] * 5


def test_bad_quantities_are_refused_with_clear_messages_in_both_languages(plan_world, reporter):
    order = plan_world.order("SO-P-3", 10, "2027-06-30")
    line = order.lines[0]
    report(reporter, line, "cutting", 4)
    cases = [
        ("11", "Enter a number between 0 and 10.", "请输入 0 到 10 之间的数字。"),
        ("-1", "Enter a number between 0 and 10.", "请输入 0 到 10 之间的数字。"),
        ("abc", "Enter a number between 0 and 10.", "请输入 0 到 10 之间的数字。"),
        ("3", "4 are already reported done", "已报完工 4"),
    ]
    for text, english, chinese in cases:
        for locale, expected in (("en", english), ("zh_CN", chinese)):
            with force_locale(locale), pytest.raises(InvalidInput) as refused:
                reporting.report(reporter, line.id, "cutting", text, "", "")
            assert expected in refused.value.errors["quantity_done"], (text, locale)
            db.session.rollback()
    with force_locale("en"), pytest.raises(InvalidInput) as refused:
        reporting.report(reporter, line.id, "welding", "5", "", "")
    assert refused.value.errors == {"step": "Choose the step the line has reached."}
    db.session.rollback()
    db.session.refresh(line)
    assert line.quantity_done == Decimal(4)
    assert db.session.scalar(db.select(db.func.count()).select_from(ProgressReport)) == 1


def test_a_report_sent_twice_is_recorded_once(plan_world, reporter):
    order = plan_world.order("SO-P-4", 10, "2027-06-30")
    token = new_form_token()
    report(reporter, order.lines[0], "cutting", 3, token=token)
    with pytest.raises(AlreadySubmitted):
        reporting.report(reporter, order.lines[0].id, "cutting", "3", "", token)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(ProgressReport)) == 1


def test_only_production_or_pmc_reports(plan_world, make_user):
    order = plan_world.order("SO-P-5", 10, "2027-06-30")
    with pytest.raises(PermissionDenied):
        reporting.report(make_user("sales"), order.lines[0].id, "cutting", "3", "", "")
    db.session.commit()
    assert db.session.scalar(
        db.select(AuditEvent.action).where(AuditEvent.action == "denied.progress_report")
    )


def test_the_reporters_head_corrects_the_latest_report_with_a_reason(
    plan_world, reporter, make_user
):
    order = plan_world.order("SO-P-6", 10, "2027-06-30")
    line = order.lines[0]
    first = report(reporter, line, "cutting", 4)
    wrong = report(reporter, line, "assembly", 8)
    with pytest.raises(PermissionDenied):
        reporting.correct(make_user("production"), wrong.id, "6", "typo")
    db.session.commit()
    head = make_user("production", role="head")
    with pytest.raises(Conflict):
        reporting.correct(head, first.id, "3", "typo")
    db.session.rollback()
    with force_locale("en"), pytest.raises(InvalidInput) as refused:
        reporting.correct(head, wrong.id, "6", "  ")
    assert refused.value.errors == {"reason": "Say why the report is corrected."}
    db.session.rollback()
    fixed = reporting.correct(head, wrong.id, "6", "Counted the same crate twice")
    db.session.commit()
    assert (fixed.kind, fixed.corrects_id, fixed.previous_done) == ("correction", wrong.id, 8)
    db.session.refresh(line)
    assert line.quantity_done == Decimal(6)
    audit = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "progress.correct"))
    assert audit.user_id == head.id and "Counted the same crate twice" in audit.data
    assert plan.current().schedule.job(order.id).hours == 4.0  # 10 x 1 h x (1 - 6/10)


def test_production_complete_leaves_the_plan_and_tells_the_process(plan_world, reporter):
    order = plan_world.order("SO-P-7", 10, "2027-06-30")
    other = plan_world.order("SO-P-8", 8, "2027-06-30")
    instance = process.start_for(order, None)
    db.session.commit()
    report(reporter, order.lines[0], "packing", 10)
    assert order.status == "production_complete"
    assert set(plan.current().orders) == {other.id}
    db.session.refresh(instance)
    ready = db.session.scalars(
        db.select(HumanTask.spec_name).where(
            HumanTask.instance_id == instance.id, HumanTask.state == "ready"
        )
    ).all()
    assert ready == ["receive_finished_goods"]
    with pytest.raises(Conflict):  # finished: no more reports, no corrections
        reporting.report(reporter, order.lines[0].id, "packing", "10", "", "")
    db.session.rollback()

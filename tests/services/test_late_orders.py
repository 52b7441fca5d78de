"""Late orders (issue 12): flagged against the promised date and PMC's last plan, owners told
once per new or worse flag; and the rush fingerprint ignores progress that moves no order."""

from datetime import date

from app.core.notifications.models import Notification
from app.extensions import db
from app.modules.fulfilment.models import LateFlag
from app.modules.fulfilment.services import lateness, reporting
from app.modules.schedule.services import plan, writing
from app.planning import insert_rush


def kinds() -> dict[str, str]:
    return {late.order.number: late.kind for late in lateness.late_orders()}


def test_late_at_risk_and_behind_plan(plan_world, make_user):
    # L1 only (8 h a day from Mon 03-01), queued by promised date: B 16 h Mon-Tue (promised Mon:
    # late by 1 working day), C 8 h Wed 03-03 (promised Fri 03-05: 2 days of slack, at risk with
    # LATE_RISK_DAYS = 2), A 16 h Thu-Fri (promised 03-31: on time).
    a = plan_world.order("SO-L-A", 16, "2027-03-31")
    b = plan_world.order("SO-L-B", 16, "2027-03-01")
    plan_world.order("SO-L-C", 8, "2027-03-05")
    assert kinds() == {"SO-L-B": "late", "SO-L-C": "at_risk"}
    late_b = next(late for late in lateness.late_orders() if late.order.id == b.id)
    assert (late_b.finish, late_b.days) == (date(2027, 3, 2), 1)
    # PMC writes the plan (the baseline); then A's hours grow with a bigger quantity: behind.
    state = plan.current(lock=True)
    writing.write(state, state.schedule, None, "plan.rearrange", {})
    a.lines[0].quantity = 40
    db.session.commit()
    found = {late.order.number: late for late in lateness.late_orders()}
    assert found["SO-L-A"].kind == "behind" and found["SO-L-A"].baseline == date(2027, 3, 5)
    assert found["SO-L-A"].days == 3  # 40 h from Thu: Thu .. Wed 03-10


def test_owners_are_told_once_and_flags_clear(plan_world, make_user):
    order = plan_world.order("SO-L-D", 24, "2027-03-02")  # 3 days of work, promised day 2
    assert lateness.check() == 1
    db.session.commit()
    note = db.session.scalar(db.select(Notification).where(Notification.kind == "order_late"))
    assert note.user_id == plan_world.owner.id and '"late"' in note.params
    assert lateness.check() == 0  # already told
    reporter = make_user("production")
    reporting.report(reporter, order.lines[0].id, "assembly", "20", "", "")  # 4 h left: Mon
    db.session.commit()
    assert db.session.get(LateFlag, order.id).kind == "at_risk"  # 1 day of slack; not news
    reporting.report(reporter, order.lines[0].id, "packing", "24", "", "")  # made: not open
    db.session.commit()
    assert db.session.get(LateFlag, order.id) is None
    assert (
        db.session.scalar(db.select(db.func.count()).where(Notification.kind == "order_late")) == 1
    )


def test_progress_that_moves_no_order_keeps_the_rush_base(plan_world, make_user):
    a = plan_world.order("SO-F-A", 16, "2027-03-31")
    b = plan_world.order("SO-F-B", 16, "2027-03-31")
    before = plan.current().schedule
    reporter = make_user("production")
    reporting.report(reporter, a.lines[0].id, "cutting", "8", "", "")
    db.session.commit()
    after = plan.current().schedule
    assert after.fingerprint != before.fingerprint  # the hours and dates did change
    assert after.standing_fingerprint == before.standing_fingerprint
    assert after.job(b.id).finish < before.job(b.id).finish
    # The rush preview's base is the standing: a decision on it is not stale.
    rush_job = plan_world.order("SO-F-R", 8, "2027-03-02", status="confirmed")
    from app.modules.schedule.services.jobs import job_for

    state = plan.current()
    preview = insert_rush(
        state.jobs, state.lines, state.calendar, state.start, job_for(rush_job), date(2027, 3, 2)
    )
    assert preview.before.standing_fingerprint == before.standing_fingerprint


def test_progress_that_changes_lateness_changes_the_rush_base(plan_world, make_user):
    a = plan_world.order("SO-G-A", 24, "2027-03-02")  # late: 3 days of work
    before = plan.current().schedule
    assert before.job(a.id).late
    reporting.report(make_user("production"), a.lines[0].id, "assembly", "16", "", "")
    db.session.commit()
    after = plan.current().schedule
    assert not after.job(a.id).late
    assert after.standing_fingerprint != before.standing_fingerprint


def test_the_check_late_command_tells_the_owner_once(app, plan_world):
    plan_world.order("SO-L-CLI", 24, "2027-03-02")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["fulfilment", "check-late"])
    assert first.exit_code == 0 and "1 owners notified" in first.output
    again = runner.invoke(args=["fulfilment", "check-late"])
    assert "0 owners notified" in again.output

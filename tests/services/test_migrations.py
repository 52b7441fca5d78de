"""Moving running instances to a new process version: dry run, apply, revert, with the inbox."""

import json

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from app.core.audit.models import AuditEvent
from app.core.processes import migration_reasons, migrations
from app.core.processes import versions as processes
from app.core.processes.models import InstanceMigration, MigrationBatch, ProcessVersion
from app.core.tasks import completion as tasks
from app.core.tasks import inbox, instance_admin, instances
from app.core.tasks.models import HumanTask, ProcessInstance
from app.errors import Conflict, NotFound, PermissionDenied
from app.extensions import db
from tests.engine.builders import diagram, flow, parallel_script_process, user_task

ANSWERS = {
    "pmc_check": {"decision": "approve"},
    "pmc_dispatch": {"review_due": "2027-12-31", "priority": "normal"},
    "order_intake": {
        "packaging_confirmed": "on",
        "structure_confirmed": "on",
        "dimensions_confirmed": "on",
        "order_category": "new",
        "requirements": "IP65 sealing",
    },
}


# The instance mid review, moved to v2: its split would miss the new branch (the join would
# wait for it for ever), and dispatch was done with the old form.
def assert_review_refused(stored: str) -> None:
    """The item keeps the reasons' facts; the page says them in English and in Chinese."""
    assert migration_reasons.sentences(stored, "en") == [
        "Step 'Dispatch' (dispatch) is completed and was changed in the new version (its "
        "properties, such as form, due time or role).",
        "Step 'Start reviews' (split) is completed and was changed in the new version (its "
        "outgoing flows).",
    ]
    assert migration_reasons.sentences(stored, "zh_CN") == [
        "步骤“Dispatch”(dispatch)已完成，且在新版本中被修改（其属性，如表单、期限或角色）。",
        "步骤“Start reviews”(split)已完成，且在新版本中被修改（其流出的连线）。",
    ]
    # Rows stored before the facts: the English sentences, shown as they were written.
    assert migration_reasons.sentences(REVIEW_REFUSED, "zh_CN") == [REVIEW_REFUSED]


REVIEW_REFUSED = (
    "Step 'Dispatch' (dispatch) is completed and was changed in the new version (its "
    "properties, such as form, due time or role); Step 'Start reviews' (split) is completed "
    "and was changed in the new version (its outgoing flows)"
)


def review_process(*, add_branch: bool = False, dispatch_form: str = "pmc_check") -> bytes:
    """dispatch -> parallel: engineering check | production check -> join -> consolidate."""
    branches = ["check_engineering", "check_production"] + (["check_quality"] if add_branch else [])
    nodes = [
        '<bpmn:startEvent id="start" name="Start" />',
        user_task("dispatch", dispatch_form),
        '<bpmn:parallelGateway id="split" name="Start reviews" />',
        *(user_task(b, "pmc_check") for b in branches),
        '<bpmn:parallelGateway id="join" name="All reviews in" />',
        user_task("consolidate", "pmc_check"),
        '<bpmn:endEvent id="end" name="End" />',
        flow("f0", "start", "dispatch"),
        flow("f1", "dispatch", "split"),
        *(flow(f"to_{b}", "split", b) for b in branches),
        *(flow(f"from_{b}", b, "join") for b in branches),
        flow("f6", "join", "consolidate"),
        flow("f7", "consolidate", "end"),
    ]
    return diagram("".join(nodes), lane_nodes=["dispatch", *branches, "consolidate"])


def publish(xml: bytes) -> ProcessVersion:
    deployed = processes.deploy_process("proc.bpmn", xml, None)
    assert deployed.problems == [] and deployed.created
    db.session.commit()
    return deployed.version


def start(user) -> ProcessInstance:
    instance = instances.start_process("proc", user)
    db.session.commit()
    return instance


def row(instance: ProcessInstance, step: str) -> HumanTask:
    return db.session.scalar(
        db.select(HumanTask).where(
            HumanTask.instance_id == instance.id,
            HumanTask.spec_name == step,
            HumanTask.state == "ready",
        )
    )


def finish(instance: ProcessInstance, step: str, user) -> None:
    task = row(instance, step)
    tasks.complete_task(task.id, user, MultiDict(ANSWERS[task.form_name]))
    db.session.commit()


def rows(instance: ProcessInstance) -> list[tuple[str, str]]:
    return list(
        db.session.execute(
            db.select(HumanTask.spec_name, HumanTask.state)
            .where(HumanTask.instance_id == instance.id)
            .order_by(HumanTask.id)
        )
    )


def fresh(instance: ProcessInstance) -> ProcessInstance:
    db.session.expire_all()
    return db.session.get(ProcessInstance, instance.id)


def actions(instance_id: int | None = None) -> list[str]:
    stmt = db.select(AuditEvent.action).order_by(AuditEvent.id)
    if instance_id is not None:
        stmt = stmt.where(AuditEvent.instance_id == instance_id)
    return list(db.session.scalars(stmt))


def event(action: str) -> AuditEvent:
    return db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
    )


@pytest.fixture
def world(make_user):
    """v1 with two instances (one waiting at dispatch, claimed; one mid review), then v2,
    which adds a branch to the review and gives dispatch another form."""
    sales = make_user("sales")
    owner = make_user("pmc", is_process_owner=True)
    v1 = publish(review_process())
    waiting, reviewing = start(sales), start(sales)
    inbox.claim(row(waiting, "dispatch").id, sales)
    db.session.commit()
    finish(reviewing, "dispatch", sales)
    finish(reviewing, "check_engineering", sales)
    v2 = publish(review_process(add_branch=True, dispatch_form="pmc_dispatch"))
    return {
        "sales": sales,
        "owner": owner,
        "v1": v1,
        "v2": v2,
        "waiting": fresh(waiting),
        "reviewing": fresh(reviewing),
    }


def snapshot(instance: ProcessInstance) -> tuple:
    instance = fresh(instance)
    task_rows = db.session.execute(
        db.select(
            HumanTask.id,
            HumanTask.task_id,
            HumanTask.state,
            HumanTask.form_name,
            HumanTask.form_version_id,
            HumanTask.assignee_id,
        )
        .where(HumanTask.instance_id == instance.id)
        .order_by(HumanTask.id)
    ).all()
    return (
        instance.process_version_id,
        instance.state,
        instance.lock_version,
        instance.status,
        instance.next_timer_at,
        [tuple(r) for r in task_rows],
    )


def test_the_page_counts_instances_still_on_older_versions(world, make_user):
    assert migrations.running_on_older_versions("proc") == [(world["v1"], 2)]
    instance_admin.cancel_instance(world["reviewing"].id, world["owner"], "withdrawn")
    start(world["sales"])  # on v2
    db.session.commit()
    assert migrations.running_on_older_versions("proc") == [(world["v1"], 1)]
    assert migrations.running_on_older_versions("nothing_deployed") == []


def test_a_dry_run_reports_each_instance_and_changes_nothing(world):
    waiting, reviewing = world["waiting"], world["reviewing"]
    before = snapshot(waiting), snapshot(reviewing)
    audit_before = actions()

    batch = migrations.dry_run(world["owner"], "proc", world["v2"].id)
    db.session.commit()

    assert (batch.dry_run, batch.migrated, batch.refused) == (True, 1, 1)
    items = {i.instance_id: i for i in batch.items}
    assert (items[waiting.id].outcome, items[waiting.id].reason) == ("eligible", "")
    assert items[reviewing.id].outcome == "refused"
    assert_review_refused(items[reviewing.id].reason)
    assert all(i.old_state is None and i.lock_version_after is None for i in batch.items)
    assert all(i.from_version_id == world["v1"].id for i in batch.items)
    assert (snapshot(waiting), snapshot(reviewing)) == before
    assert actions() == [*audit_before, "migration.dry_run"]
    assert json.loads(event("migration.dry_run").data) == {
        "process_id": "proc",
        "to_version": 2,
        "dry_run": True,
        "migrated": 1,
        "refused": 1,
    }


def test_apply_moves_the_waiting_instance_and_refuses_the_one_mid_review(world):
    waiting, reviewing, v2 = world["waiting"], world["reviewing"], world["v2"]
    old_state, old_lock = waiting.state, waiting.lock_version
    dispatch = row(waiting, "dispatch")
    reviewing_before = snapshot(reviewing)

    batch = migrations.apply(world["owner"], "proc", v2.id)
    db.session.commit()

    assert (batch.dry_run, batch.migrated, batch.refused) == (False, 1, 1)
    moved = fresh(waiting)
    assert moved.process_version_id == v2.id and moved.status == "running"
    assert moved.state != old_state and moved.lock_version > old_lock
    item = db.session.scalar(
        db.select(InstanceMigration).where(InstanceMigration.instance_id == waiting.id)
    )
    assert (item.outcome, item.from_version_id, item.to_version_id) == (
        "migrated",
        world["v1"].id,
        v2.id,
    )
    assert item.old_state == old_state and item.lock_version_after == moved.lock_version
    # Same inbox row, still claimed, now with the new version's form.
    same = db.session.get(HumanTask, dispatch.id)
    assert (same.state, same.task_id, same.assignee_id) == (
        "ready",
        dispatch.task_id,
        world["sales"].id,
    )
    assert same.form_name == "pmc_dispatch"
    assert same.form_version_id == processes.pinned_form(v2, "pmc_dispatch").id
    assert rows(moved) == [("dispatch", "ready")]

    refused = db.session.scalar(
        db.select(InstanceMigration).where(InstanceMigration.instance_id == reviewing.id)
    )
    assert (refused.outcome, refused.old_state) == ("refused", None)
    assert_review_refused(refused.reason)
    assert snapshot(reviewing) == reviewing_before

    assert actions(waiting.id)[-1] == "instance.migrate"
    assert actions(reviewing.id)[-1] == "instance.migration_refused"
    assert json.loads(event("instance.migration_refused").data)["reason"] == REVIEW_REFUSED
    assert json.loads(event("instance.migrate").data) == {
        "batch": batch.id,
        "from_version": 1,
        "to_version": 2,
        "ready": ["dispatch"],
    }
    assert event("migration.apply").object_id == str(batch.id)

    # It runs on the new version: three reviews now, the old instance keeps its two.
    finish(moved, "dispatch", world["sales"])
    assert sorted(s for s, state in rows(moved) if state == "ready") == [
        "check_engineering",
        "check_production",
        "check_quality",
    ]


def test_applying_again_leaves_migrated_instances_alone(world):
    migrations.apply(world["owner"], "proc", world["v2"].id)
    db.session.commit()
    moved = snapshot(world["waiting"])

    again = migrations.apply(world["owner"], "proc", world["v2"].id)
    db.session.commit()

    assert (again.migrated, again.refused) == (0, 1)
    assert [i.instance_id for i in again.items] == [world["reviewing"].id]
    assert snapshot(world["waiting"]) == moved
    assert actions(world["waiting"].id).count("instance.migrate") == 1


def test_a_revert_restores_the_old_version_state_and_inbox(world):
    waiting = world["waiting"]
    before = snapshot(waiting)
    dispatch = row(waiting, "dispatch")
    migrations.apply(world["owner"], "proc", world["v2"].id)
    db.session.commit()
    item = db.session.scalar(
        db.select(InstanceMigration).where(InstanceMigration.instance_id == waiting.id)
    )

    reverted = migrations.revert(world["owner"], item.id)
    db.session.commit()

    assert reverted.outcome == "reverted" and reverted.reverted_by_id == world["owner"].id
    assert reverted.reverted_at is not None
    back = fresh(waiting)
    assert back.process_version_id == world["v1"].id and back.state == before[1]
    assert back.lock_version > item.lock_version_after
    # Every inbox row as it was: the same row, claim and form (version) as before the move.
    assert snapshot(back)[5] == before[5]
    assert row(back, "dispatch").id == dispatch.id
    assert json.loads(event("instance.migration_revert").data) == {
        "migration": item.id,
        "from_version": 2,
        "to_version": 1,
    }
    assert actions(waiting.id)[-2:] == ["instance.migrate", "instance.migration_revert"]

    # It runs on the old version again: two reviews.
    finish(back, "dispatch", world["sales"])
    assert sorted(s for s, state in rows(back) if state == "ready") == [
        "check_engineering",
        "check_production",
    ]


def test_a_revert_after_further_progress_is_refused(world):
    migrations.apply(world["owner"], "proc", world["v2"].id)
    db.session.commit()
    waiting = fresh(world["waiting"])
    item = db.session.scalar(
        db.select(InstanceMigration).where(InstanceMigration.instance_id == waiting.id)
    )
    finish(waiting, "dispatch", world["sales"])
    progressed = snapshot(waiting)

    with pytest.raises(Conflict) as refused, force_locale("en"):
        migrations.revert(world["owner"], item.id)
    db.session.rollback()

    assert refused.value.message == (
        f"Instance {waiting.id} has moved on since the migration (a step was completed, a "
        "message arrived or a timer fired), so it can no longer be reverted."
    )
    assert snapshot(waiting) == progressed
    assert db.session.get(InstanceMigration, item.id).outcome == "migrated"


def test_a_revert_twice_or_of_a_refusal_is_refused(world):
    batch = migrations.apply(world["owner"], "proc", world["v2"].id)
    db.session.commit()
    items = {i.instance_id: i.id for i in batch.items}
    migrations.revert(world["owner"], items[world["waiting"].id])
    db.session.commit()

    with pytest.raises(Conflict, match="already reverted"), force_locale("en"):
        migrations.revert(world["owner"], items[world["waiting"].id])
    db.session.rollback()
    with pytest.raises(Conflict, match="Only a migration that was applied"), force_locale("en"):
        migrations.revert(world["owner"], items[world["reviewing"].id])
    db.session.rollback()
    dry = migrations.dry_run(world["owner"], "proc", world["v2"].id)
    db.session.commit()
    with pytest.raises(Conflict, match="Only a migration that was applied"), force_locale("en"):
        migrations.revert(world["owner"], dry.items[0].id)


def test_only_process_owners_and_admins_migrate(world, make_user):
    member = make_user("pmc", role="head")
    before = snapshot(world["waiting"])
    for call, args in (
        (migrations.dry_run, ("proc", world["v2"].id)),
        (migrations.apply, ("proc", world["v2"].id)),
    ):
        with pytest.raises(PermissionDenied):
            call(member, *args)
        db.session.commit()  # as the web layer does: the denial is kept
    assert db.session.scalar(db.select(db.func.count(MigrationBatch.id))) == 0
    assert snapshot(world["waiting"]) == before
    denials = db.session.execute(
        db.select(AuditEvent.action, AuditEvent.user_id, AuditEvent.object_id)
        .where(AuditEvent.action.like("denied.%"))
        .order_by(AuditEvent.id)
    ).all()
    assert [tuple(d) for d in denials] == [
        ("denied.migration.dry_run", member.id, "proc"),
        ("denied.migration.apply", member.id, "proc"),
    ]

    admin = make_user(None, is_admin=True)
    batch = migrations.apply(admin, "proc", world["v2"].id)
    db.session.commit()
    assert batch.migrated == 1
    with pytest.raises(PermissionDenied):
        migrations.revert(member, batch.items[0].id)
    db.session.commit()
    assert event("denied.migration.revert").object_id == str(batch.items[0].id)


def test_a_version_of_another_process_is_not_a_target(world):
    other = db.session.scalar(
        db.select(ProcessVersion).where(ProcessVersion.process_id != "proc").limit(1)
    )

    with pytest.raises(NotFound):
        migrations.apply(world["owner"], "proc", other.id)


def test_a_stopped_instance_moves_to_the_fix_and_the_admin_retries(make_user):
    sales = make_user("sales")
    admin = make_user(None, is_admin=True)
    publish(parallel_script_process("total = 1 / 0"))
    instance = start(sales)
    task = row(instance, "confirm")
    tasks.complete_task(task.id, sales, MultiDict(ANSWERS["order_intake"]))
    db.session.commit()
    stopped = fresh(instance)
    assert stopped.status == "error"
    assert migrations.running_on_older_versions("proc") == []
    fixed = publish(parallel_script_process("total = 1 + 1"))
    assert migrations.running_on_older_versions("proc") == [(stopped.version, 1)]

    batch = migrations.apply(admin, "proc", fixed.id)
    db.session.commit()

    assert batch.migrated == 1
    moved = fresh(instance)
    # Only moved: the error (and the failed step) wait for the admin's retry, as before.
    assert moved.status == "error" and moved.error_element == "calc"
    assert moved.process_version_id == fixed.id
    assert rows(moved) == [("confirm", "completed"), ("recheck", "ready")]

    retried = instance_admin.retry_instance(moved.id, admin)
    db.session.commit()
    assert retried.status == "running" and retried.error_message is None
    assert rows(retried) == [("confirm", "completed"), ("recheck", "ready")]


def test_the_runs_are_listed_newest_first(world):
    dry = migrations.dry_run(world["owner"], "proc", world["v2"].id)
    real = migrations.apply(world["owner"], "proc", world["v2"].id)
    db.session.commit()
    assert migrations.batches("proc") == [real, dry]
    assert migrations.get_batch(dry.id) is dry and migrations.batches("other") == []
    with pytest.raises(NotFound):
        migrations.get_batch(real.id + 100)

"""Process and form versions: identical content is no version, running instances keep theirs."""

import json
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from app.core.audit.models import AuditEvent
from app.core.processes import versions as processes
from app.core.processes.models import FormVersion, ProcessVersion
from app.core.tasks import completion as tasks
from app.core.tasks import instances
from app.core.tasks.models import HumanTask, ProcessInstance
from app.errors import InvalidInput
from app.extensions import db
from tests.answers import FORM_ANSWERS

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = (ROOT / "workflows" / "order_review.bpmn").read_bytes()
INTAKE = (ROOT / "forms" / "order_intake.json").read_bytes()
V2_NAME = "Dispatch for review (v2)"


def variant(old: str = 'name="Dispatch order for review"', new: str = f'name="{V2_NAME}"') -> bytes:
    """The shipped order_review.bpmn with one change."""
    assert SHIPPED.count(old.encode()) == 1
    return SHIPPED.replace(old.encode(), new.encode())


def deploy(xml: bytes) -> tuple[ProcessVersion, bool]:
    """Deploy a BPMN document as order_review.bpmn and commit."""
    deployed = processes.deploy_process("order_review.bpmn", xml, None)
    assert deployed.problems == []
    db.session.commit()
    return deployed.version, deployed.created


def count(model) -> int:
    """Rows of a table."""
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def start(make_user) -> ProcessInstance:
    """A new order_review instance, committed."""
    instance = instances.start_process("order_review", make_user("sales"))
    db.session.commit()
    return instance


def open_task(instance: ProcessInstance, spec_name: str) -> HumanTask:
    """The ready inbox row of one step of an instance."""
    task = db.session.scalar(
        db.select(HumanTask).where(
            HumanTask.instance_id == instance.id,
            HumanTask.spec_name == spec_name,
            HumanTask.state == "ready",
        )
    )
    assert task is not None, f"{spec_name} is not open"
    return task


def finish(instance: ProcessInstance, spec_name: str, make_user, answers: dict | None = None):
    """Complete a step as a user of its department."""
    task = open_task(instance, spec_name)
    user = make_user(task.department.key, role="head" if task.role == "head" else "member")
    tasks.complete_task(task.id, user, MultiDict(answers or FORM_ANSWERS[spec_name]))
    db.session.commit()
    return task


def test_identical_content_creates_no_version():
    latest = processes.latest_version("order_review")
    versions, forms, audits = count(ProcessVersion), count(FormVersion), count(AuditEvent)
    version, created = deploy(SHIPPED)
    assert (version.id, created) == (latest.id, False)
    form, form_created = processes.deploy_form("order_intake", INTAKE, None)
    assert (form.id, form_created) == (processes.latest_form("order_intake").id, False)
    report = processes.deploy_directories(ROOT / "workflows", ROOT / "forms", None)
    assert report.created == [] and report.problems == []
    assert f"process order_review v{latest.number}" in report.unchanged
    after = (count(ProcessVersion), count(FormVersion), count(AuditEvent))
    assert after == (versions, forms, audits)


def test_changed_content_creates_the_next_version():
    v1 = processes.latest_version("order_review")
    v2, created = deploy(variant())
    assert created and v2.number == v1.number + 1 and v2.id != v1.id
    assert v2.xml.encode() == variant() and v2.content_hash == processes.content_hash(variant())
    assert processes.latest_version("order_review").id == v2.id
    assert db.session.get(ProcessVersion, v1.id).xml.encode() == SHIPPED  # v1 is untouched
    assert (
        db.session.scalar(
            db.select(AuditEvent.data).where(
                AuditEvent.action == "process.deploy", AuditEvent.object_id == str(v2.id)
            )
        )
        is not None
    )


def test_running_instance_stays_on_its_version_while_new_ones_start_on_the_newest(make_user):
    old = start(make_user)
    v1 = old.version
    v2, _ = deploy(variant())
    new = start(make_user)
    assert new.version.id == v2.id and old.version.id == v1.id
    finish(old, "confirm_order", make_user)
    finish(new, "confirm_order", make_user)
    assert open_task(old, "pmc_dispatch").name == "Dispatch order for review"
    assert open_task(new, "pmc_dispatch").name == V2_NAME
    # The old instance runs to its end on v1.
    for step in (
        "pmc_dispatch",
        "review_engineering",
        "review_production",
        "review_quality",
        "review_warehouse",
        "pmc_consolidate",
    ):
        finish(old, step, make_user)
    db.session.expire_all()
    old = db.session.get(ProcessInstance, old.id)
    assert old.status == "completed" and old.process_version_id == v1.id
    assert db.session.get(ProcessInstance, new.id).status == "running"


def changed_intake() -> bytes:
    """order_intake.json with one more required field."""
    doc = json.loads(INTAKE)
    doc["properties"]["customer_signoff"] = {"type": "string", "minLength": 1, "maxLength": 100}
    doc["required"].append("customer_signoff")
    doc["x-ui"]["order"].append("customer_signoff")
    doc["x-ui"]["fields"]["customer_signoff"] = {
        "label": {"en": "Signed off by", "zh_CN": "客户确认人"}
    }
    return json.dumps(doc, ensure_ascii=False, indent=2).encode()


def test_form_change_keeps_the_pinned_form_of_running_tasks(make_user):
    running = start(make_user)
    v1_form = processes.latest_form("order_intake")
    assert open_task(running, "confirm_order").form_version_id == v1_form.id
    v2_form, created = processes.deploy_form("order_intake", changed_intake(), None)
    db.session.commit()
    assert created and v2_form.number == v1_form.number + 1
    assert processes.latest_form("order_intake").id == v2_form.id
    # A form-only deploy does not re-pin the process: new instances still get v1 of the form.
    same_process = start(make_user)
    assert open_task(same_process, "confirm_order").form_version_id == v1_form.id
    task = open_task(running, "confirm_order")
    assert "customer_signoff" not in tasks.form_document(task)["properties"]
    finish(running, "confirm_order", make_user)  # valid under v1 without the new field
    assert (
        json.loads(db.session.get(HumanTask, task.id).data)["order_category"]
        == FORM_ANSWERS["confirm_order"]["order_category"]
    )
    # Publishing the process again pins the new form version.
    v2, _ = deploy(variant())
    assert [f.id for f in v2.forms if f.name == "order_intake"] == [v2_form.id]
    pinned = start(make_user)
    task = open_task(pinned, "confirm_order")
    assert task.form_version_id == v2_form.id
    with pytest.raises(InvalidInput) as refused:
        tasks.complete_task(task.id, make_user("sales"), MultiDict(FORM_ANSWERS["confirm_order"]))
    db.session.rollback()
    assert "customer_signoff" in refused.value.errors
    assert open_task(pinned, "confirm_order").id == task.id


def test_redeploying_older_content_never_reverts_the_newest_version(make_user):
    v1 = processes.latest_version("order_review")
    v2, _ = deploy(variant())
    again, created = deploy(SHIPPED)
    assert (again.id, created) == (v1.id, False)
    assert processes.latest_version("order_review").id == v2.id
    assert start(make_user).version.id == v2.id
    v1_form = processes.latest_form("order_intake")
    v2_form, _ = processes.deploy_form("order_intake", changed_intake(), None)
    old_form, form_created = processes.deploy_form("order_intake", INTAKE, None)
    db.session.commit()
    assert (old_form.id, form_created) == (v1_form.id, False)
    assert processes.latest_form("order_intake").id == v2_form.id
    report = processes.deploy_directories(ROOT / "workflows", ROOT / "forms", None)
    assert report.created == []
    assert processes.latest_version("order_review").id == v2.id

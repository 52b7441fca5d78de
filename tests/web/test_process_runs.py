"""A process owner starts an instance of a published process from its page: who may, the
instance page with the tasks it created and whom they wait for, the audit row, the inbox
notification, and a double submit that starts one instance."""

import re
from functools import partial

from app.core.audit.models import AuditEvent
from app.core.notifications.models import Notification
from app.core.processes import runs
from app.core.processes import versions as processes
from app.core.processes.models import ProcessVersion
from app.core.submissions import uniqueness
from app.core.tasks.models import HumanTask, ProcessInstance
from app.core.users.models import Department, User
from app.extensions import db
from tests.diagram_samples import goods_check
from tests.races import run_together

PID = "Process_goods_check"


def publish_goods_check():
    deployed = processes.deploy_process(
        "goods.bpmn", goods_check(lane="Warehouse").encode("utf-8"), None
    )
    assert deployed.problems == [], deployed.problems
    db.session.commit()
    return deployed.version


def instances() -> list[ProcessInstance]:
    query = db.select(ProcessInstance).join(ProcessInstance.version)
    query = query.where(ProcessVersion.process_id == PID)
    return list(db.session.scalars(query.order_by(ProcessInstance.id)))


def form_token(page: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', page).group(1)


def test_an_owner_starts_an_instance_and_sees_its_first_task(client, login, make_user):
    version = publish_goods_check()
    warehouse = db.session.scalar(db.select(Department).where(Department.key == "warehouse"))
    worker = make_user("warehouse")
    owner = make_user(None, is_process_owner=True)
    login(owner)
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/processes/{PID}").get_data(as_text=True)
    assert "Start an instance" in page
    answer = client.post(f"/processes/{PID}/instances", data={"form_token": form_token(page)})
    assert answer.status_code == 303
    (instance,) = instances()
    assert answer.headers["Location"].endswith(f"/processes/instances/{instance.id}")
    assert (instance.process_version_id, instance.subject_key, instance.started_by_id) == (
        version.id,
        None,
        owner.id,
    )
    (task,) = db.session.scalars(db.select(HumanTask).where(HumanTask.instance_id == instance.id))
    assert (task.spec_name, task.department_id, task.state) == ("Task_check", warehouse.id, "ready")
    event = db.session.scalar(
        db.select(AuditEvent).where(
            AuditEvent.action == "instance.start", AuditEvent.object_id == str(instance.id)
        )
    )
    assert event is not None and event.user_id == owner.id
    assert db.session.scalar(
        db.select(db.func.count())
        .select_from(Notification)
        .where(Notification.user_id == worker.id)
    )

    shown = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "An instance of version 1 was started." in shown
    row = re.search(r'<tr data-task="Task_check">.*?</tr>', shown, re.S).group(0)
    assert "Open" in row and warehouse.name_en in row

    client.post("/language", data={"lang": "zh_CN"})
    shown = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert warehouse.name_zh in shown


def test_a_double_submit_starts_one_instance(app, make_user):
    publish_goods_check()
    owner = make_user(None, is_process_owner=True)
    db.session.commit()
    token = uniqueness.new_form_token()

    def start(user_id):
        return runs.start(db.session.get(User, user_id), PID, token).id

    outcomes = run_together(app, [partial(start, owner.id), partial(start, owner.id)])
    kinds = sorted(outcome.split(":")[0] for outcome, _result in outcomes)
    assert kinds == ["ok", "submitted"], outcomes
    db.session.expire_all()
    (instance,) = instances()
    assert sorted(result for _outcome, result in outcomes) == [instance.id, instance.id]


def test_others_are_refused_and_nothing_starts(client, login, make_user):
    publish_goods_check()
    login(make_user("warehouse"))
    client.post("/language", data={"lang": "en"})
    answer = client.post(f"/processes/{PID}/instances", data={"form_token": "x" * 32})
    assert answer.status_code == 403
    assert "Only process owners may change processes and forms." in answer.get_data(as_text=True)
    assert instances() == []
    assert client.get("/processes/instances/1").status_code == 403


def test_a_process_with_no_published_version_or_a_bad_token_starts_nothing(
    client, login, make_user
):
    login(make_user(None, is_process_owner=True))
    client.post("/language", data={"lang": "en"})
    answer = client.post("/processes/nothing_here/instances", data={"form_token": "y" * 32})
    assert answer.status_code == 404
    assert "no published version" in answer.get_data(as_text=True)
    publish_goods_check()
    answer = client.post(f"/processes/{PID}/instances", data={"form_token": "bad token!"})
    assert answer.status_code == 400 and instances() == []
    assert client.get("/processes/instances/999999").status_code == 404

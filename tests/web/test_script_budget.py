"""A script over its memory budget, submitted through the task page: the request succeeds, the
instance is marked in error with a clear message, and nothing submitted is lost."""

import json

from app.core.processes import versions as processes
from app.core.tasks import instance_admin, instances
from app.core.tasks.models import HumanTask, ProcessInstance
from app.extensions import db
from tests.engine.builders import parallel_script_process

INTAKE = {
    "packaging_confirmed": "on",
    "structure_confirmed": "on",
    "dimensions_confirmed": "on",
    "order_category": "new",
    "requirements": "IP65",
}


def test_a_script_over_budget_marks_the_instance_and_the_page_does_not_fail(
    client, login, make_user
):
    # Validation accepts it: how much the rows share is only known when the script runs.
    xml = parallel_script_process("x = [[0] * 10**6] * 10**6")
    deployed = processes.deploy_process("proc.bpmn", xml, None)
    assert deployed.created and deployed.problems == []
    user = make_user("sales")
    instance = instances.start_process("proc", user)
    db.session.commit()
    task = db.session.scalar(db.select(HumanTask).where(HumanTask.instance_id == instance.id))

    login(user)
    response = client.post(f"/tasks/{task.id}/complete", data=INTAKE)

    assert response.status_code == 302
    db.session.expire_all()
    instance = db.session.get(ProcessInstance, instance.id)
    assert (instance.status, instance.error_kind, instance.error_element) == (
        "error",
        "budget",
        "calc",
    )
    assert "more than 32 MB of data" in instance.error_message
    assert json.loads(db.session.get(HumanTask, task.id).data)["order_category"] == "new"
    assert instance_admin.errored_instances() == [instance]
    page = client.get("/inbox")
    assert page.status_code == 200

"""A process's Chinese name (its name_zh property) is shown in the Chinese interface."""

from app.core.processes import versions as processes
from app.core.processes.models import ProcessVersion


def test_process_names_follow_the_readers_language(client, login, make_user):
    version = processes.latest_version("order_lifecycle")
    assert processes.display_name(version, "zh_CN") == "订单全流程"
    assert processes.display_name(version, "en") == "Order lifecycle"
    bare = ProcessVersion(
        process_id="p", name="Plain", xml='<bpmn:definitions xmlns:bpmn="http://www.omg.org/'
        'spec/BPMN/20100524/MODEL"><bpmn:process id="p" /></bpmn:definitions>',
        content_hash="x" * 64,
    )  # fmt: skip
    assert processes.display_name(bare, "zh_CN") == "Plain"  # no Chinese name: the BPMN name
    login(make_user(None, is_process_owner=True))
    assert '<a href="/processes/order_lifecycle">订单全流程</a>' in client.get(
        "/processes"
    ).get_data(as_text=True)
    client.post("/language", data={"lang": "en"})
    assert "Order lifecycle" in client.get("/processes/order_lifecycle").get_data(as_text=True)


def test_the_forms_and_diff_pages_name_processes_in_the_readers_language(client, login, make_user):
    login(make_user(None, is_process_owner=True))
    forms = client.get("/forms").get_data(as_text=True)
    assert "订单全流程 v1" in forms and "order_lifecycle v1" not in forms
    form = client.get("/forms/order_intake").get_data(as_text=True)
    assert "订单全流程 v1" in form
    diff = client.get("/processes/rush_order/diff?a=1&b=1").get_data(as_text=True)
    assert "<title>" in diff and "插单审批" in diff.split("</title>")[0]

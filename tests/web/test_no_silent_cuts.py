"""Issue 9: text a user types is refused with a message past its bound, never cut silently —
search boxes, upload file names — and a plan that fails at the moment a rush is applied
refuses the approval instead of answering 500."""

import io

import pytest
from werkzeug.datastructures import FileStorage

from app.core.tasks.models import HumanTask, ProcessInstance
from app.errors import InvalidInput
from app.extensions import db
from app.modules.orders.models import Order
from app.modules.orders.services import attachments
from app.modules.rush.models import RushRequest
from app.modules.rush.services import deciding
from app.modules.schedule.services import plan
from tests.web.test_plan_robustness import _open_rush


@pytest.mark.parametrize("path", ["/inbox", "/orders"])
@pytest.mark.parametrize(
    ("lang", "message"),
    [("en", "Search for at most 100 characters."), ("zh_CN", "搜索内容最多 100 个字符。")],
)
def test_a_search_past_its_bound_is_refused_with_a_message(
    client, login, make_user, path, lang, message
):
    login(make_user("sales", locale=lang))
    client.post("/language", data={"lang": lang})
    response = client.get(path, query_string={"q": "界" * 101})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert client.get(path, query_string={"q": "界" * 100}).status_code == 200


def test_an_upload_name_longer_than_its_column_is_refused_not_cut(app):
    name = "d" * 252 + ".pdf"  # 256 characters: one past Attachment.file_name
    errors: dict[str, str] = {}
    upload = FileStorage(io.BytesIO(b"%PDF-1.4 drawing"), filename=name)
    assert attachments.check_upload(upload, errors, "files") is None
    assert "超过 255 个字符" in errors["files"]  # the default language
    errors.clear()
    fitting = FileStorage(io.BytesIO(b"%PDF-1.4 drawing"), filename=name[1:])
    kept = attachments.check_upload(fitting, errors, "files")
    assert errors == {} and kept.file_name == name[1:]


def test_a_plan_that_fails_while_a_rush_is_applied_refuses_the_approval(
    plan_world, make_user, monkeypatch
):
    _order, request, _seen = _open_rush(plan_world, make_user)
    instance = db.session.get(ProcessInstance, request.instance_id)

    def broken(*args, **kwargs):
        raise RuntimeError("planner exploded")

    monkeypatch.setattr(plan, "schedule", broken)
    with pytest.raises(InvalidInput, match="目前无法计算生产计划"):
        deciding.on_outcome(instance, {"rush_outcome": "approved"}, make_user("production", "head"))
    db.session.rollback()
    assert db.session.get(RushRequest, request.id).status == "open"
    assert db.session.scalar(
        db.select(db.func.count()).select_from(HumanTask).where(HumanTask.state == "ready")
    )


BEYOND = str(2**31)  # one past a database integer


@pytest.mark.parametrize(
    "path", [f"/orders/{BEYOND}", f"/tasks/{BEYOND}", f"/changes/{BEYOND}", f"/rush/{BEYOND}"]
)
def test_an_id_past_a_database_integer_in_a_url_is_not_found(client, login, make_user, path):
    login(make_user("sales"))
    assert client.get(path).status_code == 404


def test_ids_past_a_database_integer_in_forms_name_nothing(client, login, make_user):
    login(make_user("sales", locale="en"))
    client.post("/language", data={"lang": "en"})
    listed = client.get("/orders", query_string={"customer": BEYOND, "waiting": BEYOND})
    assert listed.status_code == 200
    form = {"customer_id": BEYOND, "order_type": "regular", "lines-0-product_id": BEYOND,
            "lines-0-quantity": "1", "lines-0-unit_price": "1"}  # fmt: skip
    response = client.post("/orders/new", data=form)
    assert response.status_code == 400
    assert "Choose a customer." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Order)) == 0

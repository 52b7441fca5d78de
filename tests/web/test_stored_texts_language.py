"""Texts the system stores are said in the reader's language when shown (issue 16).

Revision reasons and the release notice's key requirements are stored as keys and facts, and
rows stored before that (English or Chinese sentences) still read in the reader's language. The
approvals' decision and the reviews' verdict are two words in Chinese (批准/驳回 vs 通过/不通过),
and PMC has one Chinese name.
"""

import json

import flask_babel

from app.core.notifications import services as notifications
from app.core.notifications.models import Notification
from app.core.processes.versions import DEMO_DEPARTMENTS
from app.core.subjects.services import SubjectRef
from app.core.tasks.models import HumanTask
from app.extensions import db
from app.modules.changes.services import changes
from app.modules.orders.models import OrderRevision
from app.modules.orders.services import lifecycle, revisions
from app.modules.orders.services.order_input import LineInput, OrderInput
from tests.answers import SPECS
from tests.conftest import ROOT


def _switch(client, lang: str) -> None:
    assert client.post("/language", data={"lang": lang}).status_code == 302
    flask_babel.refresh()  # the test's app context cached the locale (docs/I18N.md)


def _revision_list(client, order_id: int) -> str:
    page = client.get(f"/orders/{order_id}").get_data(as_text=True)
    return page.split('<ol class="revisions">', 1)[1].split("</ol>", 1)[0]


def test_revision_reasons_read_in_the_readers_language(client, login, make_order, make_user):
    order = make_order()
    first = order.revisions[0]
    assert first.reason == revisions.ENTERED
    # Rows written before the keys: a change's reason stored as a sentence in either language.
    for number, reason in ((2, "Change request #5"), (3, "变更申请 #7"), (4, "change:9")):
        db.session.add(
            OrderRevision(
                order=order, number=number, data=first.data, content_hash=first.content_hash,
                reason=reason, created_by_id=first.created_by_id,
            )
        )  # fmt: skip
    db.session.commit()
    login(make_user("sales"))
    zh = _revision_list(client, order.id)
    assert "首次录入" in zh and "entered" not in zh
    assert "变更申请 #5" in zh and "变更申请 #7" in zh and "变更申请 #9" in zh
    assert "Change request" not in zh and "change:" not in zh
    _switch(client, "en")
    en = _revision_list(client, order.id)
    assert "Entered" in en and "Change request #5" in en and "Change request #7" in en
    assert "Change request #9" in en and "变更" not in en and "首次录入" not in en


def test_an_applied_change_stores_a_key_not_a_sentence(released_order, complete, make_user):
    line = released_order.lines[0]
    data = OrderInput(
        customer_id=str(released_order.customer_id),
        order_type=released_order.order_type,
        requested_date="2027-03-01",
        promised_date="2027-03-05",
        lines=[LineInput(description=line.description, quantity="11", unit_price="2.5",
                         specs=SPECS)],
    )  # fmt: skip
    change = changes.raise_change(make_user("sales"), released_order.id, data, "other", "Why", "")
    db.session.commit()
    for _ in range(10):  # the reviews, then the approvals, until the change is decided
        ready = db.session.scalars(
            db.select(HumanTask.spec_name)
            .where(HumanTask.instance_id == change.instance_id, HumanTask.state == "ready")
            .order_by(HumanTask.id)
        ).all()
        for step in ready:
            complete(released_order, step)
        db.session.refresh(change)
        if change.status == "applied":
            break
    db.session.refresh(released_order)
    assert change.status == "applied", change.status
    assert released_order.revisions[-1].reason == f"change:{change.id}"


def _notice(client) -> str:
    page = client.get("/notifications").get_data(as_text=True)
    return page.split('data-kind="order_released"', 1)[1]


def test_release_notice_requirements_read_in_the_readers_language(
    client, login, make_user, make_order
):
    order = make_order()
    items = lifecycle.key_requirements(order)
    assert items[0] == {"line": 1, "text": "Custom bracket"}
    assert all(set(item) == {"line", "text"} for item in items)
    reader = make_user("quality")
    params = {"number": order.number, "customer": "ACME", "requirements": items}
    notifications.notify_users([reader.id], SubjectRef("order", order.id), "order_released", params)
    db.session.commit()
    stored = db.session.scalar(db.select(Notification).where(Notification.user_id == reader.id))
    assert json.loads(stored.params)["requirements"] == items
    login(reader)
    zh = _notice(client)
    assert "第 1 行：Custom bracket" in zh and "line 1" not in zh
    _switch(client, "en")
    assert "Line 1: Custom bracket" in _notice(client)


def test_release_notices_stored_as_sentences_still_read_in_the_readers_language(
    client, login, make_user
):
    reader = make_user("quality")
    old = {"number": "SO-1", "customer": "ACME", "requirements": ["line 2: 50 per carton"]}
    notifications.notify_users([reader.id], SubjectRef("order", 1), "order_released", old)
    db.session.commit()
    login(reader)
    assert "第 2 行：50 per carton" in _notice(client)
    _switch(client, "en")
    assert "Line 2: 50 per carton" in _notice(client)


def test_approvals_decide_and_reviews_judge_in_two_words(app):
    with flask_babel.force_locale("zh_CN"):
        assert flask_babel.pgettext("approval", "Approve") == "批准"
        assert flask_babel.pgettext("approval", "Reject") == "驳回"
        assert flask_babel.pgettext("review", "Approve") == "通过"
        assert flask_babel.pgettext("review", "Reject") == "不通过"
    templates = {
        "app/modules/changes/templates/changes/_decide.html": "approval",
        "app/modules/orders/templates/orders/_reviews.html": "review",
        "app/modules/changes/templates/changes/_diff.html": "review",
    }
    for path, context in templates.items():
        text = (ROOT / path).read_text()
        assert f"pgettext('{context}', 'Approve')" in text, path
        assert "_('Approve')" not in text and "_('Reject')" not in text, path


def test_the_approval_form_offers_approve_and_reject_in_each_language(app):
    from types import SimpleNamespace

    source = (
        '{% from "changes/_decide.html" import decision_form %}'
        "{{ decision_form(task, '/approvals') }}"
    )
    shown = {}
    for locale in ("zh_CN", "en"):
        with app.test_request_context(), flask_babel.force_locale(locale):
            shown[locale] = app.jinja_env.from_string(source).render(task=SimpleNamespace(id=7))
    assert "> 批准</label>" in shown["zh_CN"] and "> 驳回</label>" in shown["zh_CN"]
    assert "通过" not in shown["zh_CN"]
    assert "> Approve</label>" in shown["en"] and "> Reject</label>" in shown["en"]


def test_pmc_has_one_chinese_name():
    assert DEMO_DEPARTMENTS["pmc"] == ("PMC", "计划部(PMC)")
    meeting = json.loads((ROOT / "forms" / "review_meeting.json").read_text())
    assert "计划部(PMC)" in json.dumps(meeting, ensure_ascii=False)
    sources = [
        *ROOT.glob("forms/*.json"),
        *ROOT.glob("workflows/*.bpmn"),
        *ROOT.glob("app/**/*.py"),
    ]
    po = ROOT / "app/translations/zh_Hans_CN/LC_MESSAGES/messages.po"
    for path in [*sources, po]:
        assert "生产物料控制" not in path.read_text(encoding="utf-8"), path

"""The order page reads the same statements however many steps its order has been through and
however many people took part (issue 14): who completed each step, its department, each
step's form and who did what in the timeline come with their lists, not one read apiece."""

import uuid

from sqlalchemy import inspect

from app.core.audit import services as audit
from app.core.tasks.models import HumanTask
from app.extensions import db
from app.modules.orders.services import subject as order_subject
from tests.statements import counted


def _more_history(order, make_user, people: int) -> None:
    """`people` more completed steps and timeline entries on the order, each by someone new."""
    done = [
        t
        for t in db.session.scalars(
            db.select(HumanTask).where(order_subject.about_order(HumanTask, order.id))
        )
        if t.state == "completed" and t.form_version_id is not None
    ]
    columns = [c.key for c in inspect(HumanTask).column_attrs if c.key != "id"]
    for n in range(people):
        person = make_user("quality")
        model = done[n % len(done)]
        copy = HumanTask(**{key: getattr(model, key) for key in columns})
        copy.task_id = uuid.uuid4().hex
        copy.completed_by_id = person.id
        db.session.add(copy)
        audit.record(
            person, "order.viewed_for_test", "order", order.id, subject=order_subject.ref(order)
        )
    db.session.commit()


def test_the_order_page_reads_the_same_statements_with_more_steps_and_people(
    client, login, make_user, released_order
):
    login(make_user("pmc", role="head"))
    url = f"/orders/{released_order.id}"
    assert client.get(url).status_code == 200
    db.session.expire_all()
    with counted() as before:
        assert client.get(url).status_code == 200
    _more_history(released_order, make_user, 5)
    # Warm again: the new tasks are plan inputs, and the first page after them may recompute
    # and store the plan (more statements, once); what is compared is the page's own reads.
    assert client.get(url).status_code == 200
    db.session.expire_all()
    with counted() as after:
        page = client.get(url).get_data(as_text=True)
    assert page.count("order.viewed_for_test") == 5  # the new steps' people are on the page
    assert after.statements == before.statements
